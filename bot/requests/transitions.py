"""The one way a request changes state: a conditional UPDATE on the expected state and version,
with its audit event and outbox messages in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.kernel import access
from bot.kernel.actors import Actor
from bot.kernel.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    WorkflowError,
)
from bot.requests import queries
from bot.store.models import (
    AuditEvent,
    Request,
    RequestState,
    Ticket,
    parse_public_id,
    public_id,
)
from bot.store.outbox import enqueue

S = RequestState
# States someone arrived at by deciding: a late or losing click is told who decided.
DECIDED = frozenset({S.approved, S.changes_requested, S.rejected, S.withdrawn, S.deployed})


class Topic(StrEnum):
    """Outbox topics (issue 4's relay renders them; payloads are data, never Block Kit).

    review_card         a new card in REVIEW_CHANNEL (the relay records its channel and ts)
    review_card_update  re-render that card in place (chat.update by the stored ts)
    partner_dm          a DM to the requester: what happened to their request
    """

    review_card = "review_card"
    review_card_update = "review_card_update"
    partner_dm = "partner_dm"


def load(session: Session, request: int | str) -> Request:
    """A request by row id or public ID ('LR-1042'); NotFound otherwise."""
    request_id = request if isinstance(request, int) else parse_public_id(request)
    row = queries.request_by_id(session, request_id) if request_id is not None else None
    if row is None:
        raise NotFound(request if isinstance(request, str) else public_id(request))
    return row


def load_visible(session: Session, request: int | str, actor: Actor) -> Request:
    """As `load`, but a partner only sees their own team's requests (others: NotFound)."""
    row = load(session, request)
    if not access.sees(actor, row.partner_team_id):
        raise NotFound(request if isinstance(request, str) else row.public_id)
    return row


def require_reviewer(actor: Actor, row: Request, action: str) -> None:
    if not actor.is_reviewer:
        raise NotAllowed("not_reviewer", action=action, request=row.public_id)
    if row.requester_user_id == actor.user_id:
        raise NotAllowed("own_request", action=action, request=row.public_id)


def refusal(row: Request, action: str) -> InvalidTransition:
    """The error for `action` on a request in a state it does not apply to."""
    if row.state in DECIDED:
        by = row.deployed_by if row.state == S.deployed else row.decided_by
        return AlreadyDecided(row.public_id, state=row.state, by=by, action=action)
    if row.state == S.in_review and action == "claim":
        return AlreadyClaimed(row.public_id, by=row.reviewer_id)
    return InvalidTransition(row.public_id, state=row.state, action=action)


Row = TypeVar("Row", bound=Request | Ticket)


def guarded_update(session: Session, row: Row, *, expected: Collection[StrEnum], to: StrEnum,
                   now: datetime, values: Mapping[str, Any] | None,
                   refusal: Callable[[Row], WorkflowError]) -> Row:
    """The one conditional UPDATE every lifecycle (requests, tickets) changes state with.

    It names the state and version that were read, so of any number of concurrent callers
    exactly one changes the row; the others re-read it and are told what happened."""
    model = type(row)
    allowed = {s.value for s in expected}
    if row.state not in allowed:
        raise refusal(row)
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.state.in_(allowed), model.version == row.version)
        .values(state=to.value, version=row.version + 1, updated_at=now, **dict(values or {}))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = session.get(model, row.id, populate_existing=True)
        assert current is not None  # rows with a lifecycle are never deleted
        if current.state not in allowed:
            raise refusal(current)
        raise Conflict(row.public_id)
    updated = session.get(model, row.id, populate_existing=True)
    assert updated is not None
    return updated


def transition(session: Session, row: Request, *, action: str, expected: Collection[S],
               to: S, actor: Actor, now: datetime, values: Mapping[str, Any] | None = None,
               detail: Mapping[str, Any] | None = None) -> Request:
    """Move `row` from one of `expected` to `to` with its audit event, or raise the error
    that explains why not."""
    from_state = row.state
    updated = guarded_update(session, row, expected=expected, to=to, now=now, values=values,
                             refusal=lambda current: refusal(current, action))
    session.add(AuditEvent(request_id=row.id, actor=actor.user_id, action=action,
                           from_state=from_state, to_state=to.value, detail=dict(detail or {}),
                           at=now))
    session.flush()
    return updated


def notify(session: Session, row: Request, *, event: str, now: datetime,
           card: Topic | None = Topic.review_card_update, partner: bool = True,
           data: Mapping[str, Any] | None = None) -> None:
    """The outbox messages for `event` on `row`. Keyed by request and version, so a retried
    transaction cannot add them twice."""
    payload = {"request_id": row.id, "public_id": row.public_id, "event": event,
               "state": row.state, "version": row.version, **dict(data or {})}
    if card is not None:
        enqueue(session, topic=card.value, dedupe_key=f"{card.value}:{row.id}:v{row.version}",
                payload=payload, request_id=row.id, now=now)
    if partner:
        enqueue(session, topic=Topic.partner_dm.value,
                dedupe_key=f"{Topic.partner_dm.value}:{row.id}:v{row.version}",
                payload=payload, user_id=row.requester_user_id, request_id=row.id, now=now)
