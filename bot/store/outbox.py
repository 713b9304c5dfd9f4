"""The outbox: Slack messages written with the change they report, sent later by a relay.

Writers call `enqueue` inside their transaction. The relay (bot/slack/relay.py) takes `due` rows
in id order, posts them and calls `mark_sent` (recording the message ts) or `mark_retry`.
Order within a conversation (`same_conversation`): a row waits (`put_back`) while an
`earlier_pending` one is not done, and its `release_followers` when it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.dialects import insert_ignore, insert_ignore_many
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


def enqueue_many(session: Session, messages: Sequence[Mapping[str, Any]], *,
                 now: datetime) -> None:
    """`enqueue` of several messages in one statement; each names its `topic`, `dedupe_key`
    and any of `payload`, `channel`, `user_id`, `request_id`, `ticket_id`."""
    insert_ignore_many(session, OutboxMessage, [{
        "topic": m["topic"], "dedupe_key": m["dedupe_key"], "payload": dict(m.get("payload") or {}),
        "channel": m.get("channel"), "user_id": m.get("user_id"),
        "request_id": m.get("request_id"), "ticket_id": m.get("ticket_id"),
        "status": OutboxStatus.pending.value, "attempts": 0, "next_attempt_at": now,
        "created_at": now,
    } for m in messages], conflict=["dedupe_key"])


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
               delay: timedelta, give_up: bool = False,
               sent_parts: Sequence[tuple[str, str | None]] | None = None) -> None:
    """A failed attempt: try again after `delay`, or stop (`give_up`) and keep it as failed.
    `sent_parts`: (channel, ts) of the row's messages posted before Slack failed (kept for
    the retry; None leaves what an earlier attempt kept)."""
    status = OutboxStatus.failed if give_up else OutboxStatus.pending
    values: dict[str, Any] = {"status": status.value, "next_attempt_at": now + delay,
                              "last_error": error[:2000],
                              "attempts": OutboxMessage.attempts + 1}
    if sent_parts:
        values["sent_parts"] = [list(part) for part in sent_parts]
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(**values))


CARD_OWNERS: dict[str, type[Request] | type[Ticket]] = {"request": Request, "ticket": Ticket}


def record_card(session: Session, request_id: int, *, channel: str, ts: str,
                kind: str = "request") -> None:
    """Where the card of a request (or of a ticket: `kind="ticket"`) was posted, so later
    updates edit it in place (not a state change: the version is untouched)."""
    owner = CARD_OWNERS[kind]
    session.execute(update(owner).where(owner.id == request_id)
                    .values(card_channel=channel, card_ts=ts))


def same_conversation(row: OutboxMessage) -> list[Any]:
    """Conditions that select the rows whose order matters relative to `row`."""
    if row.request_id is not None:
        return [OutboxMessage.request_id == row.request_id]
    if row.ticket_id is not None:
        return [OutboxMessage.ticket_id == row.ticket_id]
    conditions: list[Any] = [OutboxMessage.request_id.is_(None),
                             OutboxMessage.ticket_id.is_(None)]
    if row.channel is not None:
        return [*conditions, OutboxMessage.channel == row.channel]
    if row.user_id is not None:
        return [*conditions, OutboxMessage.channel.is_(None),
                OutboxMessage.user_id == row.user_id]
    return [*conditions, OutboxMessage.channel.is_(None), OutboxMessage.user_id.is_(None),
            OutboxMessage.topic == row.topic]


def earlier_pending(session: Session, row: OutboxMessage) -> OutboxMessage | None:
    """The oldest pending row written before `row` in its conversation, if any (another
    relay may hold it: it is still pending until that relay marks it)."""
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.pending.value,
                   OutboxMessage.id < row.id, *same_conversation(row))
            .order_by(OutboxMessage.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        # Wait for a relay that is recording it right now, then judge it as committed: else
        # `row` could be put back after that relay released its followers, and sit out the
        # lease. Asked again after the wait, as a row that stopped matching while locked
        # leaves LIMIT 1 empty. (SQLite transactions are serial already.)
        session.scalars(stmt.with_for_update()).first()
    return session.scalars(stmt).first()


def put_back(session: Session, message_id: int, when: datetime) -> None:
    """Put a row back (not an attempt: `attempts` and `last_error` are left alone)."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(next_attempt_at=when))


def release_followers(session: Session, row: OutboxMessage, now: datetime) -> None:
    """`row` is done: the rows that waited behind it may go now."""
    followers = select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.pending.value, OutboxMessage.id > row.id,
        OutboxMessage.next_attempt_at > now, *same_conversation(row))
    if session.get_bind().dialect.name == "postgresql":
        # A follower another relay holds is skipped, not waited for: that relay is waiting in
        # `earlier_pending` for this transaction, and judges the follower once it commits
        # (waiting here too would be a deadlock).
        followers = followers.with_for_update(skip_locked=True)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(followers.scalar_subquery()))
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False))
