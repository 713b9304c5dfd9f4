from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.calendar import DeployCalendar, DeployDay, parse_weekdays

# Every Thursday of 2025–2030 that is not a federal business day, derived from 5 U.S.C. 6103
# and the executive orders, and the Monday it moves to: (regular Thursday, deploy day, reason).
SHIFTED_2025_2030 = [
    # EO 14138: day of mourning for President Carter.
    (
        date(2025, 1, 9),
        date(2025, 1, 13),
        "National Day of Mourning for former President Jimmy Carter",
    ),
    # Juneteenth (June 19) on a Thursday.
    (date(2025, 6, 19), date(2025, 6, 23), "Juneteenth National Independence Day"),
    # Thanksgiving: fourth Thursday of November, every year.
    (date(2025, 11, 27), date(2025, 12, 1), "Thanksgiving Day"),
    # Christmas Day on a Thursday (Wed 24 and Fri 26 are EO closures, not deploy days).
    (date(2025, 12, 25), date(2025, 12, 29), "Christmas Day"),
    # New Year's Day 2026 on a Thursday.
    (date(2026, 1, 1), date(2026, 1, 5), "New Year's Day"),
    (date(2026, 11, 26), date(2026, 11, 30), "Thanksgiving Day"),
    # Veterans Day (November 11) on a Thursday.
    (date(2027, 11, 11), date(2027, 11, 15), "Veterans Day"),
    (date(2027, 11, 25), date(2027, 11, 29), "Thanksgiving Day"),
    (date(2028, 11, 23), date(2028, 11, 27), "Thanksgiving Day"),
    (date(2029, 11, 22), date(2029, 11, 26), "Thanksgiving Day"),
    # Independence Day (July 4) on a Thursday.
    (date(2030, 7, 4), date(2030, 7, 8), "Independence Day"),
    (date(2030, 11, 28), date(2030, 12, 2), "Thanksgiving Day"),
]


def test_every_shifted_deploy_2025_2030(cal: DeployCalendar) -> None:
    days = cal.deploy_days(date(2025, 1, 1), until=date(2030, 12, 31))
    shifted = [(d.regular_date, d.date, d.reason) for d in days if d.shifted]
    assert shifted == SHIFTED_2025_2030
    for day in days:
        if day.shifted:
            assert day.date.weekday() == 0 and cal.is_business_day(day.date)
        else:
            assert day.date == day.regular_date and day.reason is None
            assert day.date.weekday() == 3 and cal.is_business_day(day.date)
    # One deploy per Thursday of those six years, in order, no duplicates.
    thursdays = [d for d in _dates(date(2025, 1, 1), date(2030, 12, 31)) if d.weekday() == 3]
    assert [d.regular_date for d in days] == thursdays
    assert [d.date for d in days] == sorted({d.date for d in days})


@pytest.mark.parametrize(("regular", "expected", "reason"), SHIFTED_2025_2030)
def test_deploy_day_lookups_agree(
    cal: DeployCalendar, regular: date, expected: date, reason: str
) -> None:
    deploy = DeployDay(expected, regular, True, reason)
    assert cal.deploy_day_for_regular(regular) == deploy
    assert cal.deploy_day(expected) == deploy
    assert cal.deploy_day(regular) is None
    assert cal.next_deploy_day(regular) == deploy


def test_thanksgiving_2026_in_a_listing(cal: DeployCalendar) -> None:
    days = cal.deploy_days(date(2026, 11, 1), count=6)
    assert [d.date for d in days] == [
        date(2026, 11, 5),
        date(2026, 11, 12),
        date(2026, 11, 19),
        date(2026, 11, 30),
        date(2026, 12, 3),
        date(2026, 12, 10),
    ]
    assert days[3] == DeployDay(date(2026, 11, 30), date(2026, 11, 26), True, "Thanksgiving Day")


def test_holiday_on_the_shifted_monday() -> None:
    cal = DeployCalendar(closures={date(2026, 11, 30): "Office closure"})
    assert cal.deploy_day_for_regular(date(2026, 11, 26)) == DeployDay(
        date(2026, 12, 1), date(2026, 11, 26), True, "Thanksgiving Day"
    )
    assert cal.deploy_day(date(2026, 11, 30)) is None


def test_shift_skips_several_closed_days() -> None:
    closed = {date(2026, 11, 30) + timedelta(days=i): "Closure" for i in range(3)}  # Mon–Wed
    cal = DeployCalendar(closures=closed)
    # Lands on Thursday 2026-12-03, the next regular deploy day: one deploy, the unshifted one.
    assert cal.deploy_day_for_regular(date(2026, 11, 26)).date == date(2026, 12, 3)  # type: ignore[union-attr]
    assert cal.deploy_day(date(2026, 12, 3)) == DeployDay(
        date(2026, 12, 3), date(2026, 12, 3), False, None
    )
    assert [d.date for d in cal.deploy_days(date(2026, 11, 20), count=2)] == [
        date(2026, 12, 3),
        date(2026, 12, 10),
    ]


class TestYearBoundary:
    def test_listing_across_new_year(self, cal: DeployCalendar) -> None:
        days = cal.deploy_days(date(2025, 12, 15), until=date(2026, 1, 15))
        assert [(d.date, d.regular_date) for d in days] == [
            (date(2025, 12, 18), date(2025, 12, 18)),
            (date(2025, 12, 29), date(2025, 12, 25)),
            (date(2026, 1, 5), date(2026, 1, 1)),
            (date(2026, 1, 8), date(2026, 1, 8)),
            (date(2026, 1, 15), date(2026, 1, 15)),
        ]

    def test_shift_into_the_next_year(self) -> None:
        # Thursday 2026-12-31 closed: its deploy is Monday 2027-01-04, found from either year.
        cal = DeployCalendar(closures={date(2026, 12, 31): "New Year's Eve closure"})
        deploy = DeployDay(date(2027, 1, 4), date(2026, 12, 31), True, "New Year's Eve closure")
        assert cal.deploy_day(date(2027, 1, 4)) == deploy
        assert cal.next_deploy_day(date(2026, 12, 25)) == deploy
        assert cal.previous_deploy_day(date(2027, 1, 5)) == deploy
        assert cal.deploy_days(date(2026, 12, 20), count=2) == [
            DeployDay(date(2026, 12, 24), date(2026, 12, 24), False, None),
            deploy,
        ]
        assert cal.deploy_days(date(2026, 12, 20), until=date(2026, 12, 31)) == [
            DeployDay(date(2026, 12, 24), date(2026, 12, 24), False, None),
        ]


class TestNeighbours:
    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2026, 11, 26), date(2026, 11, 30)),
            (date(2026, 11, 30), date(2026, 11, 30)),
            (date(2026, 12, 1), date(2026, 12, 3)),
            (date(2025, 12, 26), date(2025, 12, 29)),
            (date(2025, 12, 30), date(2026, 1, 5)),
        ],
    )
    def test_next(self, cal: DeployCalendar, day: date, expected: date) -> None:
        assert cal.next_deploy_day(day).date == expected

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (date(2026, 11, 30), date(2026, 11, 19)),
            (date(2026, 12, 1), date(2026, 11, 30)),
            (date(2026, 12, 3), date(2026, 11, 30)),
            (date(2026, 1, 1), date(2025, 12, 29)),
            (date(2026, 1, 5), date(2025, 12, 29)),
            (date(2026, 1, 6), date(2026, 1, 5)),
        ],
    )
    def test_previous(self, cal: DeployCalendar, day: date, expected: date) -> None:
        previous = cal.previous_deploy_day(day)
        assert previous is not None and previous.date == expected

    def test_not_deploy_days(self, cal: DeployCalendar) -> None:
        assert cal.deploy_day(date(2026, 11, 27)) is None  # a Friday
        assert cal.deploy_day_for_regular(date(2026, 11, 27)) is None
        assert cal.deploy_day(date(2026, 12, 3)) == DeployDay(
            date(2026, 12, 3), date(2026, 12, 3), False, None
        )


class TestConfiguredWeekdays:
    def test_tuesday_and_thursday(self) -> None:
        cal = DeployCalendar(weekdays=parse_weekdays("TUE,THU"))
        days = cal.deploy_days(date(2026, 3, 2), until=date(2026, 3, 15))
        assert [d.date for d in days] == [
            date(2026, 3, 3),
            date(2026, 3, 5),
            date(2026, 3, 10),
            date(2026, 3, 12),
        ]

    def test_shifted_tuesday_lands_after_thursday(self) -> None:
        # Veterans Day 2025 is a Tuesday: the rule sends it to the following Monday, so it
        # comes after that week's Thursday deploy; listings stay in date order.
        cal = DeployCalendar(weekdays={1, 3})
        days = cal.deploy_days(date(2025, 11, 10), count=3)
        assert [(d.date, d.regular_date, d.reason) for d in days] == [
            (date(2025, 11, 13), date(2025, 11, 13), None),
            (date(2025, 11, 17), date(2025, 11, 11), "Veterans Day"),
            (date(2025, 11, 18), date(2025, 11, 18), None),
        ]

    def test_monday_holiday_goes_to_the_next_monday(self) -> None:
        cal = DeployCalendar(weekdays={0})
        assert cal.deploy_day_for_regular(date(2026, 1, 19)) == DeployDay(
            date(2026, 1, 26), date(2026, 1, 19), True, "Birthday of Martin Luther King, Jr."
        )
        # The 26th is also a regular Monday: one deploy, the unshifted record.
        assert cal.deploy_day(date(2026, 1, 26)) == DeployDay(
            date(2026, 1, 26), date(2026, 1, 26), False, None
        )

    def test_shift_onto_a_regular_day_is_one_deploy(self) -> None:
        cal = DeployCalendar(weekdays={0, 3})
        assert cal.deploy_day(date(2026, 11, 30)) == DeployDay(
            date(2026, 11, 30), date(2026, 11, 30), False, None
        )
        assert cal.deploy_day_for_regular(date(2026, 11, 26)) == DeployDay(
            date(2026, 11, 30), date(2026, 11, 26), True, "Thanksgiving Day"
        )
        dates = [d.date for d in cal.deploy_days(date(2026, 11, 23), count=4)]
        assert dates == [
            date(2026, 11, 23),
            date(2026, 11, 30),
            date(2026, 12, 3),
            date(2026, 12, 7),
        ]

    def test_several_shifts_onto_one_day_keep_the_earliest(self) -> None:
        # Wed 24 (closure), Thu 25 (Christmas) and Fri 26 (closure) all move to Mon 29.
        cal = DeployCalendar(weekdays=parse_weekdays("WED THU FRI"))
        assert cal.deploy_day(date(2025, 12, 29)) == DeployDay(
            date(2025, 12, 29), date(2025, 12, 24), True, "Christmas Eve"
        )
        days = cal.deploy_days(date(2025, 12, 22), until=date(2026, 1, 4))
        assert [d.date for d in days] == [date(2025, 12, 29), date(2025, 12, 31), date(2026, 1, 2)]

    @pytest.mark.parametrize("weekday", ["SAT", "SUN"])
    def test_weekend_weekday_shifts_to_monday(self, weekday: str) -> None:
        cal = DeployCalendar(weekdays=parse_weekdays(weekday))
        days = cal.deploy_days(date(2026, 11, 24), count=2)
        assert [(d.date, d.shifted, d.reason) for d in days] == [
            (date(2026, 11, 30), True, "weekend"),
            (date(2026, 12, 7), True, "weekend"),
        ]

    def test_tue_thu_2025_2030_is_ordered_and_unique(self) -> None:
        cal = DeployCalendar(weekdays={1, 3})
        days = cal.deploy_days(date(2025, 1, 1), until=date(2030, 12, 31))
        dates = [d.date for d in days]
        assert dates == sorted(set(dates))
        assert all(cal.is_business_day(d) for d in dates)

    @pytest.mark.parametrize("weekdays", [(), (7,), (-1,)])
    def test_bad_weekdays(self, weekdays: tuple[int, ...]) -> None:
        with pytest.raises(ValueError, match="weekday"):
            DeployCalendar(weekdays=weekdays)


class TestDeployDaysArguments:
    def test_needs_a_limit(self, cal: DeployCalendar) -> None:
        with pytest.raises(ValueError, match="count or until"):
            cal.deploy_days(date(2026, 1, 1))

    def test_count_zero_and_negative(self, cal: DeployCalendar) -> None:
        assert cal.deploy_days(date(2026, 1, 1), count=0) == []
        with pytest.raises(ValueError, match="count"):
            cal.deploy_days(date(2026, 1, 1), count=-1)

    def test_both_limits(self, cal: DeployCalendar) -> None:
        start = date(2026, 1, 1)
        assert len(cal.deploy_days(start, count=3, until=date(2026, 12, 31))) == 3
        assert (
            len(cal.deploy_days(start, count=30, until=date(2026, 1, 31))) == 5
        )  # 5, 8, 15, 22, 29

    def test_until_before_start(self, cal: DeployCalendar) -> None:
        assert cal.deploy_days(date(2026, 6, 1), until=date(2026, 1, 1)) == []

    def test_start_and_until_inclusive(self, cal: DeployCalendar) -> None:
        days = cal.deploy_days(date(2026, 11, 30), until=date(2026, 12, 3))
        assert [d.date for d in days] == [date(2026, 11, 30), date(2026, 12, 3)]


def test_deploy_day_as_json() -> None:
    deploy = DeployDay(date(2026, 11, 30), date(2026, 11, 26), True, "Thanksgiving Day")
    assert deploy.as_json() == {
        "date": "2026-11-30",
        "regular_date": "2026-11-26",
        "shifted": True,
        "reason": "Thanksgiving Day",
        "cutoff": "2026-11-16",
        "cutoff_push_notification": "2026-11-09",
        "often_closed": None,
    }
    json.dumps(deploy.as_json())


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
