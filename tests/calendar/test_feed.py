"""The deploy calendar feed, read back with a real iCalendar parser."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from bot.calendar import DeployCalendar
from bot.calendar.feed import deploy_feed

NOW = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)


def events(feed: bytes) -> dict[date, Calendar]:
    parsed = Calendar.from_ical(feed)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    found = {}
    for event in parsed.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"):
            assert required in event, required
        start = event.decoded("DTSTART")
        assert type(start) is date  # an all-day event
        assert event.decoded("DTEND") == date.fromordinal(start.toordinal() + 1)
        found[start] = event
    return found


def test_one_event_per_deploy_day_with_its_cutoffs() -> None:
    calendar = DeployCalendar()
    found = events(deploy_feed(calendar, NOW))
    expected = calendar.deploy_days(date(2026, 10, 4), until=date(2027, 11, 2))
    assert sorted(found) == [d.date for d in expected]
    dec10 = found[date(2026, 12, 10)]
    assert str(dec10["SUMMARY"]) == "Deploy day"
    text = str(dec10["DESCRIPTION"])
    assert "submit by Thursday, November 26, 2026 (14 days' notice)" in text
    assert "push notification URL: submit by Thursday, November 19, 2026 (21 days' notice)" \
        in text
    assert dec10.decoded("DTSTAMP") == NOW
    assert len({str(e["UID"]) for e in found.values()}) == len(found)


def test_a_day_moved_by_a_holiday_is_marked() -> None:
    found = events(deploy_feed(DeployCalendar(), NOW))
    assert date(2026, 11, 26) not in found  # Thanksgiving
    moved = found[date(2026, 11, 30)]
    assert str(moved["SUMMARY"]) == "Deploy day (moved from Thu Nov 26)"
    assert "Moved from Thursday, November 26, 2026 (Thanksgiving Day)" in str(
        moved["DESCRIPTION"])
    assert "Moved" in [str(c) for c in moved["CATEGORIES"].cats]


def test_a_new_closure_moves_the_same_event() -> None:
    """Subscribers see the deploy day move (same UID), not a second event."""
    before = events(deploy_feed(DeployCalendar(), NOW))
    after = events(deploy_feed(DeployCalendar(closures={date(2026, 12, 3): "Snow closure"}),
                               NOW))
    assert date(2026, 12, 3) not in after
    assert str(after[date(2026, 12, 7)]["UID"]) == str(before[date(2026, 12, 3)]["UID"])
    assert "(Snow closure)" in str(after[date(2026, 12, 7)]["DESCRIPTION"])


def test_the_window_follows_the_time_given_and_the_configured_weekdays() -> None:
    found = events(deploy_feed(DeployCalendar(weekdays={1, 3}),
                               datetime(2027, 6, 1, 12, tzinfo=UTC), past_days=0,
                               future_days=13))
    assert sorted(found) == [date(2027, 6, 1), date(2027, 6, 3), date(2027, 6, 8),
                             date(2027, 6, 10)]
