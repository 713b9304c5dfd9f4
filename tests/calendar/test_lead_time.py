from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.calendar import LEAD_DAYS, PUSH_LEAD_DAYS, DeployCalendar

ONE_DAY = timedelta(days=1)


def test_lead_constants() -> None:
    assert (LEAD_DAYS, PUSH_LEAD_DAYS) == (14, 21)


@pytest.mark.parametrize(
    ("submitted", "lead_days", "expected"),
    [
        # Exactly 14 days before Thursday 2026-12-10 makes it; a day later does not.
        (date(2026, 11, 26), LEAD_DAYS, date(2026, 12, 10)),
        (date(2026, 11, 27), LEAD_DAYS, date(2026, 12, 17)),
        # 14 days before the shifted Thanksgiving deploy (Monday 2026-11-30) makes it.
        (date(2026, 11, 16), LEAD_DAYS, date(2026, 11, 30)),
        (date(2026, 11, 17), LEAD_DAYS, date(2026, 12, 3)),
        (date(2026, 11, 25), LEAD_DAYS, date(2026, 12, 10)),
        # Push notification URL changes need 21 days.
        (date(2026, 11, 25), PUSH_LEAD_DAYS, date(2026, 12, 17)),
        (date(2026, 11, 9), PUSH_LEAD_DAYS, date(2026, 11, 30)),
        (date(2026, 11, 10), PUSH_LEAD_DAYS, date(2026, 12, 3)),
        # Late December, across the year boundary and the 2025 Christmas closures.
        (date(2025, 12, 12), LEAD_DAYS, date(2025, 12, 29)),
        (date(2025, 12, 15), LEAD_DAYS, date(2025, 12, 29)),
        (date(2025, 12, 16), LEAD_DAYS, date(2026, 1, 5)),
        (date(2025, 12, 22), LEAD_DAYS, date(2026, 1, 5)),
        (date(2025, 12, 23), LEAD_DAYS, date(2026, 1, 8)),
        (date(2025, 12, 31), LEAD_DAYS, date(2026, 1, 15)),
        (date(2025, 12, 15), PUSH_LEAD_DAYS, date(2026, 1, 5)),
        (date(2025, 12, 16), PUSH_LEAD_DAYS, date(2026, 1, 8)),
    ],
)
def test_earliest_deploy_day(
    cal: DeployCalendar, submitted: date, lead_days: int, expected: date
) -> None:
    assert cal.earliest_deploy_day(submitted, lead_days).date == expected


def test_default_lead_is_14_days(cal: DeployCalendar) -> None:
    assert cal.earliest_deploy_day(date(2026, 11, 16)).date == date(2026, 11, 30)


def test_cutoffs_of_shifted_thanksgiving(cal: DeployCalendar) -> None:
    deploy = cal.deploy_day(date(2026, 11, 30))
    assert deploy is not None
    assert deploy.cutoff == date(2026, 11, 16)
    assert deploy.cutoff_push_notification == date(2026, 11, 9)


def test_cutoff_is_the_last_submission_date_that_makes_the_deploy(cal: DeployCalendar) -> None:
    for deploy in cal.deploy_days(date(2025, 1, 1), until=date(2030, 12, 31)):
        assert cal.earliest_deploy_day(deploy.cutoff) == deploy
        assert cal.earliest_deploy_day(deploy.cutoff + ONE_DAY).date > deploy.date
        push_cutoff = deploy.cutoff_push_notification
        assert cal.earliest_deploy_day(push_cutoff, PUSH_LEAD_DAYS) == deploy
        assert cal.earliest_deploy_day(push_cutoff + ONE_DAY, PUSH_LEAD_DAYS).date > deploy.date
