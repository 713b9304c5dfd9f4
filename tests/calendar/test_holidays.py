from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from bot.calendar import DeployCalendar, Holiday

# 2025 as federal employees had it: legal holidays plus three executive-order closures.
HOLIDAYS_2025 = [
    (date(2025, 1, 1), "legal"),  # New Year's Day
    (date(2025, 1, 9), "closure"),  # National Day of Mourning for President Carter
    (date(2025, 1, 20), "legal"),  # Martin Luther King Jr.'s birthday
    (date(2025, 2, 17), "legal"),  # Washington's Birthday
    (date(2025, 5, 26), "legal"),  # Memorial Day
    (date(2025, 6, 19), "legal"),  # Juneteenth
    (date(2025, 7, 4), "legal"),  # Independence Day
    (date(2025, 9, 1), "legal"),  # Labor Day
    (date(2025, 10, 13), "legal"),  # Columbus Day
    (date(2025, 11, 11), "legal"),  # Veterans Day
    (date(2025, 11, 27), "legal"),  # Thanksgiving Day
    (date(2025, 12, 24), "closure"),  # Christmas Eve (EO)
    (date(2025, 12, 25), "legal"),  # Christmas Day
    (date(2025, 12, 26), "closure"),  # Day after Christmas (EO)
]


def test_holidays_2025_kinds(cal: DeployCalendar) -> None:
    assert [(h.date, h.kind) for h in cal.holidays(2025)] == HOLIDAYS_2025


@pytest.mark.parametrize(
    ("day", "name", "kind"),
    [
        (date(2025, 1, 9), "National Day of Mourning for former President Jimmy Carter", "closure"),
        (date(2025, 12, 24), "Christmas Eve", "closure"),
        (date(2025, 12, 25), "Christmas Day", "legal"),
        (date(2025, 12, 26), "Day After Christmas", "closure"),
        (date(2026, 11, 26), "Thanksgiving Day", "legal"),
        # Government-category names, not the public ones ("Martin Luther King Jr. Day").
        (date(2026, 1, 19), "Birthday of Martin Luther King, Jr.", "legal"),
        # Observed: Saturday -> Friday before, Sunday -> Monday after.
        (date(2026, 7, 3), "Independence Day (observed)", "legal"),
        (date(2027, 7, 5), "Independence Day (observed)", "legal"),
        (date(2027, 12, 31), "New Year's Day (observed)", "legal"),
        (date(2028, 11, 10), "Veterans Day (observed)", "legal"),
        (date(2029, 11, 12), "Veterans Day (observed)", "legal"),
    ],
)
def test_holiday(cal: DeployCalendar, day: date, name: str, kind: str) -> None:
    assert cal.holiday(day) == Holiday(day, name, kind)
    assert not cal.is_business_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 7, 4),  # Saturday: observed on Friday 2026-07-03
        date(2028, 1, 1),  # Saturday: observed on Friday 2027-12-31
        date(2029, 11, 11),  # Sunday: observed on Monday 2029-11-12
    ],
)
def test_weekend_holidays_are_not_listed(cal: DeployCalendar, day: date) -> None:
    assert cal.holiday(day) is None
    assert day not in {h.date for h in cal.holidays(day.year)}
    assert not cal.is_business_day(day)


def test_new_year_2028_observed_in_2027(cal: DeployCalendar) -> None:
    assert date(2027, 12, 31) in {h.date for h in cal.holidays(2027)}
    assert cal.holidays(2028)[0].date == date(2028, 1, 17)  # MLK day


@pytest.mark.parametrize("year", range(2020, 2036))
def test_holidays_are_sorted_weekdays_of_their_year(cal: DeployCalendar, year: int) -> None:
    listed = cal.holidays(year)
    assert listed == sorted(listed, key=lambda h: h.date)
    assert all(h.date.year == year and h.date.weekday() < 5 for h in listed)
    assert all(h.kind in {"legal", "closure"} for h in listed)
    # Eleven legal public holidays a year (Juneteenth from 2021); a weekend one shows up as
    # its observed weekday, which can fall in the neighbouring year (New Year's Day).
    assert 10 <= sum(h.kind == "legal" for h in listed) <= 12


def test_holidays_returns_a_fresh_list(cal: DeployCalendar) -> None:
    cal.holidays(2026).clear()
    assert cal.holidays(2026)


def test_configured_closures() -> None:
    cal = DeployCalendar(
        closures={
            date(2026, 12, 24): "Christmas Eve closure",
            date(2026, 12, 26): "Saturday closure",  # weekend: changes nothing, not listed
            date(2026, 12, 25): "Also Christmas",  # legal holiday wins
        }
    )
    assert cal.holiday(date(2026, 12, 24)) == Holiday(
        date(2026, 12, 24), "Christmas Eve closure", "configured"
    )
    assert cal.holiday(date(2026, 12, 25)) == Holiday(date(2026, 12, 25), "Christmas Day", "legal")
    december = [(h.date, h.name, h.kind) for h in cal.holidays(2026) if h.date.month == 12]
    assert december == [
        (date(2026, 12, 24), "Christmas Eve closure", "configured"),
        (date(2026, 12, 25), "Christmas Day", "legal"),
        (date(2026, 12, 25), "Also Christmas", "configured"),
    ]
    assert cal.holidays(2027) == DeployCalendar().holidays(2027)


def test_closures_need_date_keys() -> None:
    with pytest.raises(TypeError, match="dates"):
        DeployCalendar(closures={datetime(2026, 12, 24): "x"})  # type: ignore[dict-item]


class TestInaugurationDay:
    def test_off_by_default(self, cal: DeployCalendar) -> None:
        assert cal.holiday(date(2033, 1, 20)) is None
        assert cal.is_business_day(date(2033, 1, 20))

    @pytest.mark.parametrize(
        ("year", "expected"),
        [
            (2025, date(2025, 1, 20)),  # Monday, same day as MLK day
            (2029, None),  # Saturday: no holiday
            (2033, date(2033, 1, 20)),  # Thursday
            (2037, date(2037, 1, 20)),  # Tuesday
            (2013, date(2013, 1, 21)),  # Sunday: Monday the 21st
            (2026, None),  # not an inauguration year
            (1965, None),  # "every fourth year after 1965"
            (1969, date(1969, 1, 20)),
        ],
    )
    def test_when_on(self, year: int, expected: date | None) -> None:
        cal = DeployCalendar(inauguration_day=True)
        found = [h for h in cal.holidays(year) if h.name == "Inauguration Day"]
        assert found == (
            [] if expected is None else [Holiday(expected, "Inauguration Day", "legal")]
        )

    def test_shared_date_reports_the_package_holiday_first(self) -> None:
        cal = DeployCalendar(inauguration_day=True)
        holiday = cal.holiday(date(2013, 1, 21))
        assert holiday is not None
        assert holiday.name == "Birthday of Martin Luther King, Jr."


def test_holiday_as_json() -> None:
    holiday = Holiday(date(2025, 1, 9), "Day of Mourning", "closure")
    assert holiday.as_json() == {"date": "2025-01-09", "name": "Day of Mourning", "kind": "closure"}
    json.dumps(holiday.as_json())
