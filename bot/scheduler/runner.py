"""One pass over the jobs at a given time: plan (pure + one read), then each slot in its own
transaction (claim + outbox rows together). The timer, start-up catch-up and `launchbot jobs run`
all come through here."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.calendar import DeployCalendar
from bot.config import Settings
from bot.ops.logs import log_context
from bot.ops.metrics import JOBS
from bot.schedule.slots import (
    Channels,
    Decision,
    JobSpec,
    Outcome,
    ScheduleContext,
    Slot,
    mark_missed,
    plan,
    run_slot,
)
from bot.store.db import Store

log = logging.getLogger(__name__)


def instance_id() -> str:
    """Who claims, as the operator reading job_claims will want to know: host, pid, and a
    random part (two processes in one container can share a pid namespace)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def schedule_context(settings: Settings, *, calendar: DeployCalendar | None = None,
                     by: str | None = None) -> ScheduleContext:
    return ScheduleContext(
        calendar=calendar or settings.calendar(),
        channels=Channels(manifest=settings.manifest_channel, digest=settings.digest_channel,
                          review=settings.review_channel, support=settings.support_channel),
        by=by or instance_id(), retention=timedelta(days=settings.retention_days))


def run_due(store: Store, ctx: ScheduleContext, specs: Sequence[JobSpec], *, now: datetime,
            wall: datetime | None = None, record_missed: bool = True) -> list[Outcome]:
    """Run every slot of `specs` that is due at `now` and unclaimed, oldest first; record the
    ones past their grace window as missed (unless `record_missed` is False). `wall` is the
    real time for the claim rows when `now` is an as-of time (`jobs run --at`)."""
    with store.reader() as session:
        steps = plan(session, specs, ctx.calendar, now=now, record_missed=record_missed).items
    outcomes: list[Outcome] = []
    for spec, slot, decision in steps:
        with log_context(job=f"{slot.job} {slot.period}"):
            outcome = _step(store, ctx, spec, slot, decision, now=now, wall=wall)
        JOBS.labels(slot.job, outcome.status).inc()
        outcomes.append(outcome)
    return outcomes


def _step(store: Store, ctx: ScheduleContext, spec: JobSpec, slot: Slot, decision: Decision, *,
          now: datetime, wall: datetime | None) -> Outcome:
    if decision.run:
        try:
            with store.unit_of_work() as session:
                return run_slot(session, spec, slot, ctx, now=now, wall=wall)
        except Exception as exc:  # a bug or the database: nothing committed, retried
            # at the next tick within the grace window
            log.exception("job %s %s failed", slot.job, slot.period)
            return Outcome(slot, "failed", detail=f"{type(exc).__name__}: {exc}")
    if decision.missed:
        with store.unit_of_work() as session:
            outcome = mark_missed(session, slot, ctx, now=wall or now)
        if outcome.status == "missed":
            log.warning("job %s %s missed (due %s): the next digest says so",
                        slot.job, slot.period, slot.at.isoformat())
        return outcome
    if decision.reason == "already":
        return Outcome(slot, "already")
    return Outcome(slot, "waiting", detail=decision.reason)
