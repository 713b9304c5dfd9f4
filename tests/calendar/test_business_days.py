from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import DeployCalendar


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 25), True),  # Wednesday before Thanksgiving
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 27), True),  # Friday after: not a federal holiday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2025, 1, 9), False),  # EO closure
        (date(2025, 12, 24), False),  # EO closure
        (date(2026, 12, 24), True),  # no EO known for 2026
        (date(2027, 12, 31), False),  # New Year's Day 2028 observed
        (date(2026, 7, 3), False),  # Independence Day observed
    ],
)
def test_is_business_day(cal: DeployCalendar, day: date, expected: bool) -> None:
    assert cal.is_business_day(day) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 23), date(2025, 12, 29)),  # past 24 (EO), 25, 26 (EO) and the weekend
        (date(2026, 11, 25), date(2026, 11, 27)),
        (date(2026, 11, 27), date(2026, 11, 30)),
        (date(2027, 12, 30), date(2028, 1, 3)),  # past the observed New Year's Day
    ],
)
def test_next_business_day(cal: DeployCalendar, day: date, expected: date) -> None:
    assert cal.next_business_day(day) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 11, 25), 0, date(2026, 11, 25)),
        (date(2026, 11, 26), 0, date(2026, 11, 26)),  # zero: the day itself, holiday or not
        (date(2026, 11, 25), 1, date(2026, 11, 27)),
        (date(2026, 11, 25), 2, date(2026, 11, 30)),
        (date(2025, 12, 22), 2, date(2025, 12, 29)),
        # "Two business days before" a deploy.
        (date(2026, 11, 30), -2, date(2026, 11, 25)),
        (date(2026, 1, 5), -2, date(2025, 12, 31)),
        (date(2025, 12, 29), -1, date(2025, 12, 23)),
    ],
)
def test_add_business_days(cal: DeployCalendar, day: date, n: int, expected: date) -> None:
    assert cal.add_business_days(day, n) == expected
