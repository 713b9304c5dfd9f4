"""Retention: the tables that only grow are pruned by the scheduled job `prune`, through the
same claims as every job (several replicas prune once a day).

Pruned after RETENTION_DAYS: processed Slack event IDs (Slack redelivers an event within
minutes, never after days), outbox messages delivered to Slack (their cards' timestamps live
with the requests and tickets), and job claims (the scheduler looks back 8 days and at most a
36-hour grace window, so a claim weeks old decides nothing; a missed post the digest has not
reported yet is kept). Audit events, requests, tickets, their messages and decisions are never
pruned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, delete, not_
from sqlalchemy.orm import Session

from bot.calendar import DeployCalendar
from bot.store.models import JobClaim, OutboxMessage, OutboxStatus, ProcessedEvent

log = logging.getLogger(__name__)
PRUNE_AT = time(3, 30)  # local: a quiet hour
MIN_RETENTION_DAYS = 14  # beyond the scheduler's look-back (8 days) and grace windows


@dataclass(frozen=True)
class Pruned:
    events: int
    outbox: int
    claims: int


def prune_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    return [day.isoformat()]


def prune(session: Session, *, now: datetime, keep: timedelta) -> Pruned:
    """Delete what is older than `keep` (as of `now`) in the tables that only grow."""
    if keep < timedelta(days=MIN_RETENTION_DAYS):
        raise ValueError(f"retention below {MIN_RETENTION_DAYS} days")
    cutoff = now - keep
    events = session.execute(delete(ProcessedEvent).where(
        ProcessedEvent.received_at < cutoff)).rowcount
    sent = session.execute(delete(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.sent.value,
        OutboxMessage.sent_at < cutoff)).rowcount
    unreported = and_(JobClaim.status == "missed", JobClaim.completed_at.is_(None))
    claims = session.execute(delete(JobClaim).where(
        JobClaim.claimed_at < cutoff, not_(unreported))).rowcount
    pruned = Pruned(events=events or 0, outbox=sent or 0, claims=claims or 0)
    log.info("pruned %d processed Slack events, %d delivered outbox messages and %d job "
             "claims older than %d days", pruned.events, pruned.outbox, pruned.claims,
             keep.days)
    return pruned
