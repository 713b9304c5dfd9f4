"""The deploy calendar: which days deploys happen on, and the lead time before them.

Pure: no clock, no I/O. Every answer depends only on the arguments and the configuration.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar.closures import often_closed
from bot.calendar.federal import (
    CONFIGURED,
    INAUGURATION_DAY,
    KIND_RANK,
    LEGAL,
    Holiday,
    federal_holidays,
    inauguration_day,
)
from bot.calendar.parsing import WEEKDAY_NAMES

LEAD_DAYS = 14  # CAL-LEAD
PUSH_LEAD_DAYS = 21  # CAL-PUSH

WEEKEND_REASON = "weekend"


@dataclass(frozen=True, slots=True)
class DeployDay:
    date: date  # the day the deploy actually happens
    regular_date: date  # the scheduled weekday it stands for
    shifted: bool
    reason: str | None  # name of the holiday on regular_date (or "weekend") when shifted

    @property
    def cutoff(self) -> date:
        """Last submission date that makes this deploy."""
        return self.date - timedelta(days=LEAD_DAYS)

    @property
    def cutoff_push_notification(self) -> date:
        """Last submission date that makes this deploy when push_notification_url changes."""
        return self.date - timedelta(days=PUSH_LEAD_DAYS)

    @property
    def often_closed(self) -> str | None:
        """Set when the deploy day is one executive orders often close (confirm it)."""
        return often_closed(self.date)

    def as_json(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "regular_date": self.regular_date.isoformat(),
            "shifted": self.shifted,
            "reason": self.reason,
            "cutoff": self.cutoff.isoformat(),
            "cutoff_push_notification": self.cutoff_push_notification.isoformat(),
            "often_closed": self.often_closed,
        }


class DeployCalendar:
    """Deploy days (CAL-DEPLOY-DAY) over federal business days (CAL-HOLIDAYS).

    A regular deploy weekday that is not a business day moves to the first Monday strictly
    after it, or to the next business day after that Monday if the Monday is not one either.
    When several regular days end up on the same date there is one deploy that day: the
    unshifted one if any, otherwise the earliest regular day's.

    Results are cached per year on the instance, so build one calendar and reuse it.
    """

    def __init__(
        self,
        weekdays: Iterable[int] = (3,),
        closures: Mapping[date, str] | None = None,
        inauguration_day: bool = False,
        timezone: str = "America/New_York",
        expedite: bool = True,
    ) -> None:
        days = frozenset(weekdays)
        if not days:
            raise ValueError("at least one deploy weekday is required")
        bad = [d for d in days if not isinstance(d, int) or not 0 <= d <= 6]
        if bad:
            raise ValueError(f"deploy weekdays must be 0 (Monday) to 6 (Sunday), got {bad}")
        closures = dict(closures or {})
        for day in closures:
            # datetime is a date subclass but never equal to one, so it would silently not match.
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"closure keys must be dates, got {day!r}")
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {timezone!r}") from None
        self.weekdays: frozenset[int] = days
        self.closures: Mapping[date, str] = MappingProxyType(closures)
        self.inauguration_day = inauguration_day
        # Whether a request may ask for a deploy day inside the cutoff (CAL-EXPEDITE).
        self.expedite = expedite
        self._holidays: dict[int, tuple[Holiday, ...]] = {}
        self._by_date: dict[int, dict[date, Holiday]] = {}
        self._index: dict[int, tuple[list[date], dict[date, DeployDay]]] = {}

    def __repr__(self) -> str:
        names = ",".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
        return (
            f"DeployCalendar(weekdays={names}, closures={len(self.closures)}, "
            f"inauguration_day={self.inauguration_day}, timezone={self.tz.key!r})"
        )

    # Holidays and business days

    def holidays(self, year: int) -> list[Holiday]:
        """Every holiday of `year` that falls on a weekday (Mon–Fri), sorted by date.

        Weekend dates are left out because they never change a business day (the observed
        Friday or Monday is listed instead). A date can appear more than once when it has
        several reasons (e.g. 2025-01-20, Martin Luther King Jr.'s birthday and Inauguration
        Day); within a date, legal comes before closure before configured.
        """
        return list(self._year_holidays(year))

    def holiday(self, day: date) -> Holiday | None:
        """The holiday on `day`, or None. With several, the first of `holidays()` for that
        date (legal before closure before configured). Always None on weekends."""
        return self._year_by_date(day.year).get(day)

    def is_business_day(self, day: date) -> bool:
        """Monday to Friday and not a holiday."""
        return day.weekday() < 5 and day not in self._year_by_date(day.year)

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day` (n > 0) or before it (n < 0); `day` itself for 0,
        whether or not it is a business day."""
        step = timedelta(days=1 if n > 0 else -1)
        for _ in range(abs(n)):
            day += step
            while not self.is_business_day(day):
                day += step
        return day

    def local_date(self, moment: datetime) -> date:
        """The calendar date of a timezone-aware instant in the calendar's time zone."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"local_date needs a timezone-aware datetime, got naive {moment}")
        return moment.astimezone(self.tz).date()

    # Deploy days

    def deploy_day_for_regular(self, regular: date) -> DeployDay | None:
        """The deploy scheduled for the regular weekday `regular` (None if `regular` is not a
        deploy weekday). This is that regular day's own record: if its deploy is merged with
        another one on the same date, `deploy_day(result.date)` may name a different
        regular_date."""
        if regular.weekday() not in self.weekdays:
            return None
        return self._for_regular(regular)

    def deploy_day(self, day: date) -> DeployDay | None:
        """The deploy happening on `day`, or None if `day` is not a deploy day."""
        return self._year_index(day.year)[1].get(day)

    def deploy_days(
        self, start: date, *, count: int | None = None, until: date | None = None
    ) -> list[DeployDay]:
        """Deploy days with date >= start, in date order: the first `count` of them, those up
        to `until` inclusive, or (with both) whichever limit comes first."""
        if count is None and until is None:
            raise ValueError("deploy_days needs count or until")
        if count is not None and count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        found: list[DeployDay] = []
        year = start.year
        while (count is None or len(found) < count) and year <= MAXYEAR:
            if until is not None and year > until.year:
                break
            dates, by_date = self._year_index(year)
            for day in dates[bisect_left(dates, start) :]:
                if until is not None and day > until:
                    break
                found.append(by_date[day])
                if count is not None and len(found) >= count:
                    break
            year += 1
        return found

    def next_deploy_day(self, day: date) -> DeployDay:
        """The first deploy day on or after `day`."""
        for year in range(day.year, MAXYEAR + 1):
            dates, by_date = self._year_index(year)
            i = bisect_left(dates, day)
            if i < len(dates):
                return by_date[dates[i]]
        raise ValueError(f"no deploy day on or after {day}")  # only near date.max

    def previous_deploy_day(self, day: date) -> DeployDay | None:
        """The last deploy day strictly before `day`, looking back through the previous
        calendar year; None if there is none in that span."""
        for year in (day.year, day.year - 1):
            if year < MINYEAR:
                break
            dates, by_date = self._year_index(year)
            i = bisect_left(dates, day)
            if i > 0:
                return by_date[dates[i - 1]]
        return None

    def earliest_deploy_day(self, submitted: date, lead_days: int = LEAD_DAYS) -> DeployDay:
        """The first deploy day at least `lead_days` calendar days after `submitted`
        (CAL-LEAD / CAL-PUSH). `submitted` is a local date (see `local_date`)."""
        return self.next_deploy_day(submitted + timedelta(days=lead_days))

    # Internals

    def _year_holidays(self, year: int) -> tuple[Holiday, ...]:
        cached = self._holidays.get(year)
        if cached is not None:
            return cached
        entries = list(federal_holidays(year))
        if self.inauguration_day:
            day = inauguration_day(year)
            if day is not None:
                entries.append(Holiday(day, INAUGURATION_DAY, LEGAL))
        entries.extend(
            Holiday(day, name, CONFIGURED)
            for day, name in self.closures.items()
            if day.year == year
        )
        # Stable sort: within a date and kind, the package's order comes first.
        entries.sort(key=lambda h: (h.date, KIND_RANK[h.kind]))
        result = tuple(h for h in entries if h.date.weekday() < 5)
        self._holidays[year] = result
        return result

    def _year_by_date(self, year: int) -> dict[date, Holiday]:
        cached = self._by_date.get(year)
        if cached is not None:
            return cached
        by_date: dict[date, Holiday] = {}
        for h in self._year_holidays(year):
            by_date.setdefault(h.date, h)
        self._by_date[year] = by_date
        return by_date

    def _for_regular(self, regular: date) -> DeployDay:
        if self.is_business_day(regular):
            return DeployDay(regular, regular, False, None)
        found = self.holiday(regular)
        reason = found.name if found is not None else WEEKEND_REASON
        # First Monday strictly after the regular day (a week later if it is itself a Monday).
        target = regular + timedelta(days=7 - regular.weekday())
        if not self.is_business_day(target):
            target = self.next_business_day(target)
        return DeployDay(target, regular, True, reason)

    def _year_index(self, year: int) -> tuple[list[date], dict[date, DeployDay]]:
        """Sorted deploy dates of `year` and the deploy on each."""
        cached = self._index.get(year)
        if cached is not None:
            return cached
        # Regular days of the previous year can shift into this one (e.g. Thu Dec 30 -> Jan 3);
        # a shift longer than a year would need a year of consecutive closures.
        first = date(max(year - 1, MINYEAR), 1, 1)
        regulars = sorted(
            first + timedelta(days=offset)
            for weekday in self.weekdays
            for offset in range((weekday - first.weekday()) % 7, _days_through(first, year), 7)
        )
        by_date: dict[date, DeployDay] = {}
        for regular in regulars:
            deploy = self._for_regular(regular)
            if deploy.date.year != year:
                continue
            current = by_date.get(deploy.date)
            # Earliest regular day wins among shifted ones; an unshifted deploy beats them all.
            if current is None or (current.shifted and not deploy.shifted):
                by_date[deploy.date] = deploy
        result = (sorted(by_date), by_date)
        self._index[year] = result
        return result


def _days_through(first: date, year: int) -> int:
    """Number of days from `first` to December 31 of `year`, inclusive."""
    return (date(year, 12, 31) - first).days + 1
