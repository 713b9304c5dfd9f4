"""Deploy days executive orders often close (December 24, 26) are flagged in `launchbot
calendar` and in the weekly cutoff notice, so an operator confirms and sets EXTRA_CLOSURES."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from bot.calendar import DeployCalendar
from bot.schedule.reminders import cutoffs
from bot.slack.schedule.reminders import cutoff_notice

LAUNCHBOT = Path(sys.executable).with_name("launchbot")


def test_calendar_flags_christmas_eve_and_not_an_ordinary_thursday() -> None:
    out = subprocess.run([str(LAUNCHBOT), "calendar", "--from", "2026-12-17", "--count", "2"],
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert "often closed by executive order: confirm" not in lines[1]  # Dec 17
    assert lines[2].startswith("Thu 2026-12-24") and "Christmas Eve: often closed by " \
        "executive order: confirm (EXTRA_CLOSURES)" in lines[2]
    days = json.loads(subprocess.run(
        [str(LAUNCHBOT), "calendar", "--from", "2026-12-24", "--count", "1", "--json"],
        capture_output=True, text=True, check=True).stdout)
    assert days[0]["often_closed"] == "Christmas Eve: often closed by executive order: confirm"


def test_a_configured_closure_is_no_longer_flagged() -> None:
    closed = DeployCalendar(closures={date(2026, 12, 24): "Christmas Eve (executive order)"})
    [day] = closed.deploy_days(date(2026, 12, 24), count=1)
    assert day.date != date(2026, 12, 24) and day.often_closed is None


def test_the_cutoff_notice_says_to_confirm() -> None:
    calendar = DeployCalendar()
    # submitted 2026-12-08: the 14-day deploy is Dec 24, the one after Dec 31
    payload = {"day": "2026-12-08", **cutoffs(calendar, date(2026, 12, 8))}
    _, blocks = cutoff_notice(payload)
    body = blocks[0]["text"]["text"]
    assert ":warning: Thursday, December 24, 2026: Christmas Eve: often closed by executive " \
        "order: confirm; if it is closed, add it to EXTRA_CLOSURES." in body
    quiet = cutoff_notice({"day": "2026-11-02", **cutoffs(calendar, date(2026, 11, 2))})
    assert "executive order" not in quiet[1][0]["text"]["text"]
