"""Pure pieces: business hours, which days each job is due on other calendars; the builders
(escaped, within Slack's limits, the explicit empty messages); the ticket reminder."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from bot.calendar import DeployCalendar
from bot.devtools.block_limits import problems
from bot.schedule.deploy_day import manifest_periods, preview_periods, slip_periods
from bot.schedule.slots import add_business_hours, in_business_hours, iso_week
from bot.scheduler import Scheduler
from bot.slack.schedule.deploy import manifest_message, shift_notice
from bot.slack.schedule.digest import digest_message
from bot.slack.schedule.reminders import (
    partner_reminder,
    review_reminder,
    ticket_reminder,
)
from bot.store import models
from bot.store.db import Store

from .conftest import SUPPORT, Clock, local, posts, rows, settings

INJECTION = "<!channel> <@U0BOSS> <https://evil.example|click> & more"


def _ok(text: str, blocks: list[dict[str, Any]]) -> str:
    assert problems({"text": text, "blocks": blocks}, "message") == []
    shown = str(blocks)
    assert "<!channel>" not in shown and "<@U0BOSS>" not in shown
    return shown


@pytest.mark.parametrize(("start", "hours", "expected"), [
    (local(2026, 11, 16, 10), 4, local(2026, 11, 16, 14)),  # inside one day
    (local(2026, 11, 20, 15), 4, local(2026, 11, 23, 11)),  # over a weekend
    (local(2026, 11, 25, 16), 4, local(2026, 11, 27, 12)),  # over Thanksgiving
    (local(2026, 11, 21, 12), 4, local(2026, 11, 23, 13)),  # filed on a Saturday
    (local(2026, 11, 16, 7), 8, local(2026, 11, 16, 17)),  # filed before opening
])
def test_business_hours(cal: DeployCalendar, start: datetime, hours: int,
                        expected: datetime) -> None:
    assert add_business_hours(cal, start, hours) == expected


def test_in_business_hours(cal: DeployCalendar) -> None:
    assert in_business_hours(cal, local(2026, 11, 16, 9))
    assert in_business_hours(cal, local(2026, 11, 16, 17))
    assert not in_business_hours(cal, local(2026, 11, 16, 17, 1))
    assert not in_business_hours(cal, local(2026, 11, 26, 10))  # Thanksgiving
    assert in_business_hours(cal, datetime(2026, 11, 16, 15, tzinfo=UTC))  # 10:00 EST


def test_due_days_on_a_two_day_week() -> None:
    cal = DeployCalendar(weekdays=(1, 3))  # TUE,THU
    nine = time(9)
    # Friday previews Tuesday; Monday previews nothing; Tuesday previews Thursday.
    assert preview_periods(cal, date(2026, 11, 13), nine) == ["2026-11-17"]
    assert preview_periods(cal, date(2026, 11, 16), nine) == []
    assert preview_periods(cal, date(2026, 11, 17), nine) == ["2026-11-19"]
    assert slip_periods(cal, date(2026, 11, 18), time(8)) == ["2026-11-17"]
    assert manifest_periods(cal, date(2026, 11, 26), nine) == ["2026-11-26"]  # the notice
    assert manifest_periods(cal, date(2026, 11, 27), nine) == []
    assert iso_week(date(2026, 12, 28)) == "2026-W53" and iso_week(date(2027, 1, 4)) == \
        "2027-W01"


def test_partner_reminder_escapes_and_caps() -> None:
    text, blocks = partner_reminder({
        "day": "2026-11-16", "more_waiting": 3, "more_certificates": 0,
        "waiting": [{"public_id": "LR-1003", "name": INJECTION, "asked": INJECTION,
                     "target": "2026-12-03", "cutoff": "2026-11-19",
                     "slips_to": "2026-12-10"}],
        "certificates": [{"issuer": "urn:x", "name": INJECTION, "certificate": "c.pem",
                          "expires": "2026-12-14T00:00:00+00:00"}]})
    shown = _ok(text, blocks)
    assert "Resubmit by *Thursday, November 19, 2026* to keep the Thursday, December 3, 2026 " \
           "deploy; after that it slips to *Thursday, December 10, 2026*" in shown
    assert "…and 3 more" in shown and "expires on Monday, December 14, 2026 (in 28 days)" in shown
    assert "reopen" in shown


def test_review_and_ticket_reminders_escape() -> None:
    text, blocks = review_reminder({"day": "2026-11-16", "within": 3, "more": 0, "items": [
        {"public_id": "LR-1006", "name": INJECTION, "kind": "launch", "state": "in_review",
         "reviewer": "U0REVIEW1", "target": "2026-11-19", "card_channel": "C0REVIEW",
         "card_ts": "1700000000.000100"}]})
    shown = _ok(text, blocks)
    assert "In review by <@U0REVIEW1>" in shown
    assert "<https://slack.com/archives/C0REVIEW/p1700000000000100|review card>" in shown
    text, blocks = ticket_reminder({"hours": 4, "more": 0, "items": [
        {"public_id": "ST-1001", "summary": INJECTION, "category": "redirect problem",
         "urgent": True, "created_at": "2026-11-16T14:00:00+00:00"}]})
    assert "urgent" in _ok(text, blocks)


def test_empty_manifest_and_nothing_pending_say_so(cal: DeployCalendar) -> None:
    text, blocks = manifest_message(date(2026, 12, 3), [], tz=cal.tz)
    assert "Nothing to deploy today" in _ok(text, blocks)
    text, blocks = shift_notice(date(2026, 11, 26), date(2026, 11, 30), "Thanksgiving Day")
    assert text == "No deploy today (Thanksgiving Day): moved to Monday, November 30."
    text, blocks = digest_message({
        "week": "2026-W48", "day": "2026-11-23", "by_state": {}, "new_this_week": 0,
        "deploys": [{"date": "2026-11-30", "shifted_from": "2026-11-26",
                     "reason": "Thanksgiving Day", "approved": [], "approved_count": 0,
                     "pending_count": 0}],
        "oldest": [], "at_risk": [], "more_at_risk": 0, "open_tickets": 0, "missed": [],
        "nothing_pending": True})
    assert text.endswith("nothing pending.")
    assert "Nothing pending." in _ok(text, blocks)
    text, blocks = digest_message({
        "week": "2026-W48", "day": "2026-11-23", "by_state": {"approved": 1},
        "new_this_week": 1, "deploys": [], "oldest": [], "at_risk": [], "open_tickets": None,
        "missed": [{"job": "manifest", "period": "2026-11-19"}], "nothing_pending": False})
    assert "Missed while the bot was down* (1): deploy manifest: 2026-11-19" in \
        _ok(text, blocks)


def _ticket(db: Store, created: datetime, *, urgent: bool = False, summary: str = "x") -> int:
    with db.unit_of_work() as s:
        row = models.Ticket(state="open", version=1, category="redirect problem", urgent=urgent,
                     summary=summary, submitted={}, requester_user_id="U0PARTNER",
                     requester_team_id="T0AGENCY", created_at=created, updated_at=created)
        s.add(row)
        s.flush()
        return int(row.id)


def test_unclaimed_tickets_are_reminded_after_four_business_hours_once_a_day(
        db: Store, cal: DeployCalendar) -> None:
    _ticket(db, local(2026, 11, 16, 9, 30), summary=INJECTION)
    _ticket(db, local(2026, 11, 16, 15), urgent=True)
    clock = Clock(local(2026, 11, 16))
    scheduler = Scheduler(db, settings(), calendar=cal, clock=clock, by="t")
    for day in (16, 17):
        for hour in range(9, 18):
            clock.now = local(2026, 11, day, hour)
            scheduler.tick("tickets")
    assert posts(db, local(2026, 11, 16)) == [
        ("Mon 11-16 14:00", "reminder_tickets", SUPPORT),  # the first, 13:30 + 30 min
        ("Tue 11-17 09:00", "reminder_tickets", SUPPORT),  # a new day: the first again
        ("Tue 11-17 11:00", "reminder_tickets", SUPPORT),  # the second: 15:00 + 4 h
    ]
    payloads = [r.payload for r in rows(db, "reminder_tickets")]
    assert [[i["public_id"] for i in p["items"]] for p in payloads] == [
        ["ST-1001"], ["ST-1001"], ["ST-1002"]]
    assert payloads[2]["items"][0]["urgent"] is True
