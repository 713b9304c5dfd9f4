"""The outbox: Slack messages written with the change they report, sent later by a relay.

Writers call `enqueue` inside their transaction. The relay (bot/slack/relay.py) takes `due` rows
in id order, posts them and calls `mark_sent` (recording the message ts) or `mark_retry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.dialects import insert_ignore
from bot.store.models import OutboxMessage, OutboxStatus, Request, Ticket


def enqueue(session: Session, *, topic: str, dedupe_key: str, now: datetime,
            payload: Mapping[str, Any] | None = None, channel: str | None = None,
            user_id: str | None = None, request_id: int | None = None,
            ticket_id: int | None = None) -> bool:
    """Add a message unless one with the same `dedupe_key` exists; True when added."""
    return insert_ignore(session, OutboxMessage, {
        "topic": topic, "dedupe_key": dedupe_key, "payload": dict(payload or {}),
        "channel": channel, "user_id": user_id, "request_id": request_id,
        "ticket_id": ticket_id,
        "status": OutboxStatus.pending.value, "attempts": 0, "next_attempt_at": now,
        "created_at": now,
    }, conflict=["dedupe_key"])


def due(session: Session, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
    """Pending messages whose time has come, oldest first (so a card is posted before its
    updates). On PostgreSQL the rows are locked, skipping those another relay holds."""
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.pending.value,
                   OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).all()


def mark_sent(session: Session, message_id: int, *, now: datetime,
              ts: str | None = None) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        status=OutboxStatus.sent.value, sent_ts=ts, sent_at=now,
        attempts=OutboxMessage.attempts + 1, last_error=None))


def mark_retry(session: Session, message_id: int, *, now: datetime, error: str,
               delay: timedelta, give_up: bool = False) -> None:
    """A failed attempt: try again after `delay`, or stop (`give_up`) and keep it as failed."""
    status = OutboxStatus.failed if give_up else OutboxStatus.pending
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        status=status.value, next_attempt_at=now + delay, last_error=error[:2000],
        attempts=OutboxMessage.attempts + 1))


CARD_OWNERS: dict[str, type[Request] | type[Ticket]] = {"request": Request, "ticket": Ticket}


def record_card(session: Session, request_id: int, *, channel: str, ts: str,
                kind: str = "request") -> None:
    """Where the card of a request (or of a ticket: `kind="ticket"`) was posted, so later
    updates edit it in place (not a state change: the version is untouched)."""
    owner = CARD_OWNERS[kind]
    session.execute(update(owner).where(owner.id == request_id)
                    .values(card_channel=channel, card_ts=ts))
