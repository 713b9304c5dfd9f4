"""The bot's delivery bookkeeping: the outbox of Slack messages, the claims of scheduled posts,
and the Slack deliveries already handled."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base
from bot.store.types import BigId


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the relay's retries; kept for an operator


class OutboxMessage(Base):
    """A Slack message to send, written in the same transaction as the change it reports.

    `channel` set: post there. `user_id` set: a DM. Neither: the relay routes by topic (the
    review card goes to REVIEW_CHANNEL, ...). The payload is data; rendering is the relay's.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    # A support ticket's message: ordered per ticket as request rows are per request.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    # [channel, ts] of each message of the row posted so far, when Slack failed before the
    # last: a retry from any process carries on after them.
    sent_parts: Mapped[list[Any] | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class JobClaim(Base):
    """A scheduled post, claimed before it is made: (job, period) is unique, so replicas and
    restarts cannot make it twice."""

    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_claims_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(64))
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed|done|missed


class ProcessedEvent(Base):
    """A Slack Events API delivery already handled (de-duplication by event_id)."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]
