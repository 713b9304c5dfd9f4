from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import WEEKDAY_NAMES, parse_closures, parse_weekdays


def test_weekday_names_are_monday_first() -> None:
    assert WEEKDAY_NAMES == ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("THU", {3}),
        ("thu", {3}),
        ("tue,thu", {1, 3}),
        ("TUE THU", {1, 3}),
        (" Tue , Thu ", {1, 3}),
        ("TUE;THU", {1, 3}),
        ("Thursday", {3}),
        ("THU,THU", {3}),
        ("MON TUE WED THU FRI SAT SUN", set(range(7))),
    ],
)
def test_parse_weekdays(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no deploy weekdays"),
        ("  , ", "no deploy weekdays"),
        ("THX", "unknown weekday 'THX'"),
        ("TUE,3", "unknown weekday '3'"),
        ("TU", "unknown weekday 'TU'"),
    ],
)
def test_parse_weekdays_rejects_junk_with_one_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        parse_weekdays(text)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("   ", {}),
        (
            "2026-12-24,2026-12-31",
            {date(2026, 12, 24): "Configured closure", date(2026, 12, 31): "Configured closure"},
        ),
        (
            "2026-12-24=Christmas Eve closure, 2026-12-31 = New Year's Eve ,",
            {date(2026, 12, 24): "Christmas Eve closure", date(2026, 12, 31): "New Year's Eve"},
        ),
        ("2026-12-24=", {date(2026, 12, 24): "Configured closure"}),
    ],
)
def test_parse_closures(text: str, expected: dict[date, str]) -> None:
    assert parse_closures(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13-01", "bad closure date '2026-13-01': no such day"),
        ("2026-02-30=Leap", "no such day"),
        ("12/24/2026", "bad closure date '12/24/2026': expected YYYY-MM-DD"),
        ("20261224", "expected YYYY-MM-DD"),
        ("2026-12-24,tomorrow", "bad closure date 'tomorrow'"),
        ("2026-12-24=a,2026-12-24=b", "listed twice"),
    ],
)
def test_parse_closures_rejects_bad_dates(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        parse_closures(text)
    assert "\n" not in str(raised.value)
