"""Exactly-once bookkeeping: scheduled-job claims and processed Slack event IDs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.dialects import insert_ignore
from bot.store.models import JobClaim, ProcessedEvent


def claim_job(session: Session, job: str, period: str, *, by: str, now: datetime,
              status: str = "claimed") -> bool:
    """Claim (job, period); True for the one caller that got it, False for everyone else.
    Commit the claim in the same transaction as the outbox rows of the post it makes."""
    return insert_ignore(session, JobClaim, {
        "job": job, "period": period, "claimed_by": by, "claimed_at": now, "status": status,
    }, conflict=["job", "period"])


def complete_job(session: Session, job: str, period: str, *, now: datetime,
                 status: str = "done") -> None:
    session.execute(update(JobClaim).where(JobClaim.job == job, JobClaim.period == period)
                    .values(completed_at=now, status=status))


def job_claim(session: Session, job: str, period: str) -> JobClaim | None:
    return session.scalars(select(JobClaim).where(JobClaim.job == job,
                                                  JobClaim.period == period)).first()


def record_event(session: Session, event_id: str, *, now: datetime) -> bool:
    """True the first time a Slack event_id is seen; False for a redelivery."""
    return insert_ignore(session, ProcessedEvent, {"event_id": event_id, "received_at": now},
                         conflict=["event_id"])
