"""Federal holidays and executive-branch closures, from the `holidays` package and 5 U.S.C. 6103."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_pkg

LEGAL = "legal"
CLOSURE = "closure"
CONFIGURED = "configured"

# When several entries share a date, the first kind here is the one `holiday()` reports.
KIND_RANK = {LEGAL: 0, CLOSURE: 1, CONFIGURED: 2}

INAUGURATION_DAY = "Inauguration Day"


@dataclass(frozen=True, slots=True)
class Holiday:
    date: date
    name: str
    kind: str  # "legal" | "closure" | "configured"

    def as_json(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "name": self.name, "kind": self.kind}


@lru_cache(maxsize=512)
def federal_holidays(year: int) -> tuple[Holiday, ...]:
    """Legal holidays as observed by federal employees plus executive-order closures in `year`,
    weekend dates included, in date order.

    Module-level cache: the package data is the same for every calendar instance, and building
    the package objects is the expensive part.
    """
    government = holidays_pkg.country_holidays("US", years=year, categories=("government",))
    public = holidays_pkg.country_holidays("US", years=year, categories=("public",))
    return tuple(
        # A government-category day that is not a public holiday is an executive-order closure.
        Holiday(day, name, LEGAL if day in public else CLOSURE)
        for day, name in sorted(government.items())
        if day.year == year
    )


def inauguration_day(year: int) -> date | None:
    """5 U.S.C. 6103(c): January 20 of every fourth year after 1965; moved to Monday the 21st
    when the 20th is a Sunday, and no holiday at all when it is a Saturday."""
    if year <= 1965 or (year - 1965) % 4:
        return None
    day = date(year, 1, 20)
    if day.weekday() == 5:
        return None
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day
