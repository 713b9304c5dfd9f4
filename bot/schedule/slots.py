"""Scheduled work, exactly once: when each job is due, and the claim that makes it happen once.

A job fires at local times of day (`JobSpec.times`, in the calendar's time zone, so 09:00 stays
09:00 across daylight-saving changes). At each firing it may have something to do for one or
more *periods* (a deploy day, an ISO week, ...): that pair is a `Slot`. Whether a slot was done
lives in the `job_claims` table, never in memory:

- `run_slot` claims (job, period) first and writes the slot's outbox rows in the same
  transaction, so of any number of replicas exactly one posts, and a restart does not post again;
- `decide` says what to do with a slot at `now`: run it (due, unclaimed, within its grace
  window), record it as missed (older than that: said in the next digest, never posted late), or
  leave it (claimed already, or from before this database ever ran a job).

APScheduler (bot/scheduler) is only the timer that calls in; `launchbot jobs run` calls in the
same way. Everything here is pure or takes the session explicitly; time is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from bot.calendar import DeployCalendar
from bot.store.claims import claim_job, complete_job
from bot.store.models import JobClaim

BUSINESS_START = time(9)
BUSINESS_END = time(17)
# How far back start-up looks for slots that never ran (a weekly digest's worth and a day).
LOOKBACK = timedelta(days=8)
MAX_ITEMS = 10  # per reminder message: the rest is "and N more"


class ScheduleTopic(StrEnum):
    """Outbox topics of scheduled posts (rendered by bot/slack/schedule/messages.py)."""

    manifest = "deploy_manifest"  # a page of the deploy-day manifest, with buttons
    manifest_update = "deploy_manifest_update"  # re-render a posted page in place
    shift_notice = "deploy_shift_notice"  # "No deploy today (Thanksgiving Day): moved to ..."
    preview = "deploy_preview"  # two business days before a deploy day
    not_deployed = "deploy_not_deployed"  # 17:00 on a deploy day
    partner_reminder = "reminder_partner"  # one DM per partner per business day
    review_reminder = "reminder_review"  # undecided and close to their day
    cutoff_notice = "reminder_cutoff"  # weekly: submit by ... to make ...
    ticket_reminder = "reminder_tickets"  # support tickets unclaimed for 4 business hours
    digest = "weekly_digest"


class ClaimStatus(StrEnum):
    claimed = "claimed"  # taken; its transaction has not finished (or never will: rolled back)
    done = "done"
    missed = "missed"  # not run in its window; reported by the next digest (then completed)


@dataclass(frozen=True)
class Channels:
    manifest: str | None = None
    digest: str | None = None
    review: str | None = None
    support: str | None = None

    @property
    def tickets(self) -> str | None:
        """Where support ticket cards are: SUPPORT_CHANNEL, else REVIEW_CHANNEL."""
        return self.support or self.review


@dataclass(frozen=True)
class ScheduleContext:
    calendar: DeployCalendar
    channels: Channels
    by: str  # who claims: host:pid:random, for the operator reading job_claims
    retention: timedelta = timedelta(days=90)  # RETENTION_DAYS, for the prune job


@dataclass(frozen=True, order=True)
class Slot:
    at: datetime  # the scheduled instant (aware)
    job: str
    period: str


# A job's periods for a firing on local `day` at local `at`: usually none or one.
Periods = Callable[[DeployCalendar, date, time], Sequence[str]]
# A job's work for one claimed slot: writes outbox rows (and state changes) in `session` and
# returns how many posts it queued. `now` is the as-of time: the slot's own or later.
Work = Callable[[Session, "ScheduleContext", Slot, datetime], int]


@dataclass(frozen=True)
class JobSpec:
    name: str
    summary: str
    times: tuple[time, ...]
    periods: Periods
    work: Work
    grace: timedelta
    weekdays: frozenset[int] | None = None  # None: every day (the periods decide)
    business_hours: bool = False  # only run while `in_business_hours`
    # After the grace window: "missed" (recorded, said in the digest), "run" (state
    # housekeeping, done however late) or "skip" (a check the next one covers).
    late: str = "missed"
    # The Channels it posts to (any one of them will do). A run where none is set would
    # claim its period and post nothing.
    channels: tuple[str, ...] = ()

    def when(self) -> str:
        days = ("every day" if self.weekdays is None else
                ",".join(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d]
                         for d in sorted(self.weekdays)))
        hours = ", ".join(f"{t:%H:%M}" for t in self.times)
        return f"{days} {hours}"


def unconfigured(spec: JobSpec, channels: Channels) -> str | None:
    """The setting(s) a job needs and this environment lacks, or None."""
    if not spec.channels or any(getattr(channels, name) for name in spec.channels):
        return None
    return " or ".join(f"{name.upper()}_CHANNEL" for name in spec.channels)


@dataclass(frozen=True)
class Outcome:
    slot: Slot
    status: str  # posted | done | already | missed | busy
    posts: int = 0
    detail: str = ""


# --- time ----------------------------------------------------------------------------------


def local_instant(calendar: DeployCalendar, day: date, at: time) -> datetime:
    """`at` on `day` in the calendar's time zone, as an aware datetime (fold 0: our times are
    in the working day, never in a daylight-saving gap or overlap)."""
    return datetime.combine(day, at, tzinfo=calendar.tz)


def in_business_hours(calendar: DeployCalendar, moment: datetime) -> bool:
    local = moment.astimezone(calendar.tz)
    return (calendar.is_business_day(local.date())
            and BUSINESS_START <= local.time().replace(tzinfo=None) <= BUSINESS_END)


def add_business_hours(calendar: DeployCalendar, start: datetime, hours: float) -> datetime:
    """The instant `hours` working hours (09:00-17:00 on business days) after `start`."""
    left = timedelta(hours=hours)
    local = start.astimezone(calendar.tz)
    while True:
        day = local.date()
        opens = local_instant(calendar, day, BUSINESS_START)
        closes = local_instant(calendar, day, BUSINESS_END)
        if calendar.is_business_day(day) and local < closes:
            begin = max(local, opens)
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
        local = local_instant(calendar, day + timedelta(days=1), time(0))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def slots(spec: JobSpec, calendar: DeployCalendar, start: datetime,
          end: datetime) -> list[Slot]:
    """The job's slots with start < at <= end, in time order."""
    found: list[Slot] = []
    day = start.astimezone(calendar.tz).date() - timedelta(days=1)
    last = end.astimezone(calendar.tz).date() + timedelta(days=1)
    while day <= last:
        if spec.weekdays is None or day.weekday() in spec.weekdays:
            for at in spec.times:
                moment = local_instant(calendar, day, at)
                if start < moment <= end:
                    found.extend(Slot(moment, spec.name, p)
                                 for p in spec.periods(calendar, day, at))
        day += timedelta(days=1)
    return sorted(found)


def next_slot(spec: JobSpec, calendar: DeployCalendar, after: datetime,
              horizon: timedelta = timedelta(days=120)) -> Slot | None:
    """The first slot at or after `after` (within `horizon`): the job's next real run."""
    step = timedelta(days=14)
    start = after - timedelta(microseconds=1)
    while start < after + horizon:
        found = slots(spec, calendar, start, start + step)
        if found:
            return found[0]
        start += step
    return None


# --- claims --------------------------------------------------------------------------------


def claims_of(session: Session, found: Iterable[Slot]) -> dict[tuple[str, str], JobClaim]:
    keys = sorted({(s.job, s.period) for s in found})
    if not keys:
        return {}
    rows = session.scalars(select(JobClaim).where(
        tuple_(JobClaim.job, JobClaim.period).in_(keys))).all()
    return {(r.job, r.period): r for r in rows}


def first_claim_at(session: Session) -> datetime | None:
    """When this database first ran a job: nothing before it counts as missed."""
    return session.scalar(select(func.min(JobClaim.claimed_at)))


@dataclass(frozen=True)
class Decision:
    run: bool = False
    missed: bool = False
    reason: str = ""


def decide(spec: JobSpec, calendar: DeployCalendar, slot: Slot, *, now: datetime,
           claimed: bool, since: datetime | None) -> Decision:
    """What to do with `slot` at `now` (pure). `since`: the first claim ever (None: none)."""
    if claimed:
        return Decision(reason="already")
    if slot.at > now:
        return Decision(reason="not yet")
    in_time = now - slot.at <= spec.grace
    if in_time or spec.late == "run":
        if not spec.business_hours or in_business_hours(calendar, now):
            return Decision(run=True)
        if in_time:
            return Decision(reason="outside business hours")  # a later tick may still run it
    if spec.late == "missed":
        return Decision(missed=since is not None and slot.at >= since, reason="late")
    return Decision(reason="late")


def run_slot(session: Session, spec: JobSpec, slot: Slot, ctx: ScheduleContext, *,
             now: datetime, wall: datetime | None = None) -> Outcome:
    """Claim the slot and do its work in this transaction: the claim and the outbox rows
    commit together, so only the claimant posts. `wall`: the real time for the claim row."""
    stamp = wall or now
    if not claim_job(session, slot.job, slot.period, by=ctx.by, now=stamp):
        return Outcome(slot, "already")
    posts = spec.work(session, ctx, slot, now)
    complete_job(session, slot.job, slot.period, now=stamp, status=ClaimStatus.done.value)
    return Outcome(slot, "posted" if posts else "done", posts)


def mark_missed(session: Session, slot: Slot, ctx: ScheduleContext, *,
                now: datetime) -> Outcome:
    """Record that `slot` was not run in its window; the next digest says so."""
    if not claim_job(session, slot.job, slot.period, by=ctx.by, now=now,
                     status=ClaimStatus.missed.value):
        return Outcome(slot, "already")
    return Outcome(slot, "missed")


def claim_once(session: Session, job: str, period: str, ctx: ScheduleContext, *,
               now: datetime) -> bool:
    """A sub-claim inside a job's run (a weekly part, one reminder): True the first time."""
    if not claim_job(session, job, period, by=ctx.by, now=now):
        return False
    complete_job(session, job, period, now=now, status=ClaimStatus.done.value)
    return True


@dataclass(frozen=True)
class MissedPost:
    job: str
    period: str
    noticed_at: datetime


def take_missed(session: Session, *, now: datetime) -> list[MissedPost]:
    """Missed slots not yet reported, marked reported (completed) in this transaction."""
    rows = session.scalars(select(JobClaim).where(
        JobClaim.status == ClaimStatus.missed.value, JobClaim.completed_at.is_(None))
        .order_by(JobClaim.claimed_at, JobClaim.id)).all()
    for row in rows:
        row.completed_at = now
    session.flush()
    return [MissedPost(r.job, r.period, r.claimed_at) for r in rows]


@dataclass
class Plan:
    """The slots of a pass, in time order, each with its decision."""

    items: list[tuple[JobSpec, Slot, Decision]] = field(default_factory=list)


def plan(session: Session, specs: Sequence[JobSpec], calendar: DeployCalendar, *,
         now: datetime, lookback: timedelta = LOOKBACK, record_missed: bool = True) -> Plan:
    """Every slot of `specs` from `now - lookback` (or each job's grace window, without
    `record_missed`) up to `now`, oldest first, with what to do about it."""
    candidates: list[tuple[JobSpec, Slot]] = []
    for spec in specs:
        start = now - max(lookback, spec.grace) if record_missed or spec.late == "run" \
            else now - spec.grace - timedelta(microseconds=1)
        candidates += [(spec, s) for s in slots(spec, calendar, start, now)]
    candidates.sort(key=lambda pair: pair[1])
    claimed = claims_of(session, [s for _, s in candidates])
    since = first_claim_at(session)
    result = Plan()
    for spec, s in candidates:
        decision = decide(spec, calendar, s, now=now, claimed=(s.job, s.period) in claimed,
                          since=since)
        if decision.missed and not record_missed:
            decision = Decision(reason=decision.reason)
        result.items.append((spec, s, decision))
    return result
