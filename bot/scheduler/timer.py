"""APScheduler as a timer only: a cron trigger per job in the calendar's time zone (so 09:00
stays 09:00 local across daylight-saving changes) that calls `run_due` for that job; at start,
one catch-up pass over every job."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.calendar import DeployCalendar
from bot.config import Settings
from bot.schedule.jobs import JOBS
from bot.schedule.slots import JobSpec, Outcome, Slot, next_slot
from bot.scheduler.runner import run_due, schedule_context
from bot.store.db import Store

log = logging.getLogger(__name__)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def trigger_for(spec: JobSpec, calendar: DeployCalendar) -> BaseTrigger:
    """The job's firing times as an APScheduler trigger (one cron per minute-of-hour)."""
    days = "*" if spec.weekdays is None else ",".join(WEEKDAYS[d] for d in
                                                      sorted(spec.weekdays))
    by_minute: dict[int, list[int]] = {}
    for at in spec.times:
        by_minute.setdefault(at.minute, []).append(at.hour)
    crons: list[BaseTrigger] = [
        CronTrigger(day_of_week=days, hour=",".join(str(h) for h in sorted(hours)),
                    minute=minute, timezone=calendar.tz)
        for minute, hours in sorted(by_minute.items())]
    return crons[0] if len(crons) == 1 else OrTrigger(crons)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """The jobs of `bot.schedule.jobs` on a BackgroundScheduler. `tick(name)` and `catch_up()`
    are what the timer calls; tests call them with an injected clock."""

    def __init__(self, store: Store, settings: Settings, *,
                 calendar: DeployCalendar | None = None,
                 clock: Callable[[], datetime] = _utc_now, jobs: Sequence[JobSpec] = JOBS,
                 by: str | None = None, on_posted: Callable[[], None] = lambda: None,
                 sweep_seconds: float = 300) -> None:
        self.store = store
        self.ctx = schedule_context(settings, calendar=calendar, by=by)
        self.clock = clock
        self.jobs = {spec.name: spec for spec in jobs}
        self.on_posted = on_posted  # the relay's poke: send what was just queued
        self.sweep_seconds = sweep_seconds
        self._aps: BackgroundScheduler | None = None

    @property
    def calendar(self) -> DeployCalendar:
        return self.ctx.calendar

    def tick(self, name: str) -> list[Outcome]:
        """What the timer does when job `name` fires: run it (and anything of it still due)."""
        return self._run([self.jobs[name]])

    def catch_up(self) -> list[Outcome]:
        """Start-up: every job's slots that are due and unclaimed run, oldest first; older
        ones are recorded as missed."""
        return self._run(list(self.jobs.values()))

    def _run(self, specs: list[JobSpec]) -> list[Outcome]:
        outcomes = run_due(self.store, self.ctx, specs, now=self.clock())
        if any(o.posts for o in outcomes):
            self.on_posted()
        return outcomes

    def _fire(self, name: str) -> None:
        try:
            self.tick(name)
        except Exception:  # the database is down: the next tick (or restart) catches up
            log.exception("scheduled job %s could not run", name)

    def _catch_up(self) -> None:
        try:
            done = [o for o in self.catch_up() if o.status in ("posted", "done", "missed")]
            if done:
                log.info("scheduler catch-up: %s", ", ".join(
                    f"{o.slot.job} {o.slot.period} {o.status}" for o in done))
        except Exception:
            log.exception("scheduler catch-up failed; the timers still run")

    def next_runs(self, after: datetime | None = None) -> dict[str, Slot | None]:
        """Each job's next slot (its next firing with something to do)."""
        moment = after or self.clock()
        return {name: next_slot(spec, self.calendar, moment)
                for name, spec in self.jobs.items()}

    def start(self) -> None:
        """Start the timer thread; the catch-up pass runs in it at once."""
        if self._aps is not None:
            return
        aps = BackgroundScheduler(timezone=self.calendar.tz, daemon=True)
        for name, spec in self.jobs.items():
            # A firing delayed by a busy process still runs (the claims decide); several
            # delayed firings of one job run once.
            aps.add_job(self._fire, trigger_for(spec, self.calendar), args=[name], id=name,
                        name=name, coalesce=True, max_instances=1, misfire_grace_time=None)
        aps.add_job(self._catch_up, id="catch_up", name="catch_up",
                    misfire_grace_time=None)
        # And again every few minutes: a firing that failed (the database was restarting) or
        # an instance killed mid-post is made up within the job's grace window, once.
        aps.add_job(self._catch_up, IntervalTrigger(seconds=self.sweep_seconds), id="sweep",
                    name="sweep", coalesce=True, max_instances=1)
        aps.start()
        self._aps = aps

    @property
    def running(self) -> bool:
        return self._aps is not None and self._aps.running

    def scheduled(self) -> dict[str, datetime | None]:
        """APScheduler's own next fire time of each job (while started)."""
        if self._aps is None:
            return {}
        return {job.id: job.next_run_time for job in self._aps.get_jobs()}

    def stop(self, wait: bool = True) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=wait)
            self._aps = None
