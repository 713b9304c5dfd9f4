"""Parsers for the DEPLOY_WEEKDAYS and EXTRA_CLOSURES settings."""

from __future__ import annotations

import re
from datetime import date

WEEKDAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_FULL_NAMES = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_WEEKDAYS = {name: i for i, name in enumerate(WEEKDAY_NAMES)} | {
    name: i for i, name in enumerate(_FULL_NAMES)
}

DEFAULT_CLOSURE_NAME = "Configured closure"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_weekdays(text: str) -> frozenset[int]:
    """Weekday names (MON..SUN or full names, any case) separated by commas and/or spaces,
    e.g. "THU", "tue,thu", "TUE THU", to weekday numbers (0=Monday .. 6=Sunday)."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if not tokens:
        raise ValueError("no deploy weekdays given: expected e.g. 'THU' or 'TUE,THU'")
    days = set()
    for token in tokens:
        day = _WEEKDAYS.get(token.upper())
        if day is None:
            raise ValueError(
                f"unknown weekday {token!r}: expected names like {', '.join(WEEKDAY_NAMES)} "
                "(e.g. 'TUE,THU')"
            )
        days.add(day)
    return frozenset(days)


def parse_closures(text: str) -> dict[date, str]:
    """Comma-separated ISO dates, each with an optional "=name", e.g.
    "2026-12-24=Christmas Eve closure,2026-12-31". A date without a name gets
    "Configured closure". Names cannot contain commas. Empty text means no closures.
    """
    closures: dict[date, str] = {}
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        day_text, _, name = entry.partition("=")
        day_text = day_text.strip()
        # fromisoformat alone would also take "20261224" or week dates; insist on YYYY-MM-DD.
        if not _DATE.fullmatch(day_text):
            raise ValueError(f"bad closure date {day_text!r}: expected YYYY-MM-DD[=name]")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise ValueError(f"bad closure date {day_text!r}: no such day") from None
        if day in closures:
            raise ValueError(f"closure date {day_text} is listed twice")
        closures[day] = name.strip() or DEFAULT_CLOSURE_NAME
    return closures
