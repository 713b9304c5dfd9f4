from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.calendar import DeployCalendar


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Spring forward 2026-03-08 02:00 EST -> 03:00 EDT: midnight is 05:00Z before, 04:00Z after.
        ("2026-03-08T04:59:59", date(2026, 3, 7)),
        ("2026-03-08T05:00:00", date(2026, 3, 8)),
        ("2026-03-08T07:30:00", date(2026, 3, 8)),  # the skipped hour
        ("2026-03-09T03:59:59", date(2026, 3, 8)),
        ("2026-03-09T04:00:00", date(2026, 3, 9)),
        # Fall back, 2026-11-01 02:00 EDT -> 01:00 EST: midnight is 04:00Z before, 05:00Z after.
        ("2026-11-01T03:59:59", date(2026, 10, 31)),
        ("2026-11-01T04:00:00", date(2026, 11, 1)),
        ("2026-11-01T05:30:00", date(2026, 11, 1)),  # first 01:30
        ("2026-11-01T06:30:00", date(2026, 11, 1)),  # second 01:30
        ("2026-11-02T04:59:59", date(2026, 11, 1)),
        ("2026-11-02T05:00:00", date(2026, 11, 2)),
        # Evening in New York is already tomorrow in UTC.
        ("2026-11-26T03:30:00", date(2026, 11, 25)),
        ("2026-11-26T05:00:00", date(2026, 11, 26)),
        ("2026-07-01T03:59:00", date(2026, 6, 30)),
        ("2027-01-01T04:59:00", date(2026, 12, 31)),
    ],
)
def test_local_date_new_york(cal: DeployCalendar, instant: str, expected: date) -> None:
    assert cal.local_date(_utc(instant)) == expected


def test_local_date_from_another_offset(cal: DeployCalendar) -> None:
    pacific = timezone(timedelta(hours=-8))
    assert cal.local_date(datetime(2026, 11, 25, 22, 0, tzinfo=pacific)) == date(2026, 11, 26)
    assert cal.local_date(datetime(2026, 11, 25, 20, 59, tzinfo=pacific)) == date(2026, 11, 25)


def test_local_date_in_a_configured_zone() -> None:
    cal = DeployCalendar(timezone="America/Los_Angeles")
    assert cal.tz.key == "America/Los_Angeles"
    assert cal.local_date(_utc("2026-11-26T07:30:00")) == date(2026, 11, 25)
    assert cal.local_date(_utc("2026-11-26T08:00:00")) == date(2026, 11, 26)


def test_default_zone(cal: DeployCalendar) -> None:
    assert cal.tz.key == "America/New_York"


def test_naive_datetime_is_refused(cal: DeployCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.local_date(datetime(2026, 11, 26, 12, 0))


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_unknown_zone(zone: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        DeployCalendar(timezone=zone)
