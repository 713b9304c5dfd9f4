"""The requests' lifecycle on the kernel: how a request is loaded, refused and reported.

State changes go through `REQUESTS.transition` (bot.kernel.lifecycle): a conditional UPDATE on
the expected state and version, with its audit event, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.kernel.access import load_visible as _load_visible
from bot.kernel.access import require_reviewer as _require_reviewer
from bot.kernel.actors import Actor
from bot.kernel.errors import InvalidTransition
from bot.kernel.ids import REQUEST_IDS
from bot.kernel.lifecycle import Lifecycle, Message, refuse
from bot.store.models import AuditEvent, Request, RequestState

if TYPE_CHECKING:
    from bot.requests.records import RequestRecord

S = RequestState
# States someone arrived at by deciding: a late or losing click is told who decided.
DECIDED = frozenset({S.approved, S.changes_requested, S.rejected, S.withdrawn, S.deployed})


class Topic(StrEnum):
    """The requests' outbox topics (payloads are data, never Block Kit).

    review_card         a new card in REVIEW_CHANNEL (the relay records its channel and ts)
    review_card_update  re-render that card in place (chat.update by the stored ts)
    partner_dm          a DM to the requester: what happened to their request
    """

    review_card = "review_card"
    review_card_update = "review_card_update"
    partner_dm = "partner_dm"


def refusal(row: Request, action: str) -> InvalidTransition:
    """The error for `action` on a request in a state it does not apply to."""
    return refuse(row, action, decided=row.state in DECIDED,
                  by=row.deployed_by if row.state == S.deployed else row.decided_by,
                  claimed_by=row.reviewer_id if row.state == S.in_review else None)


REQUESTS: Lifecycle[Request] = Lifecycle(model=Request, ids=REQUEST_IDS, event=AuditEvent,
                                         key="request_id", refusal=refusal)
load = REQUESTS.load
transition = REQUESTS.transition


def load_visible(session: Session, request: int | str, actor: Actor) -> Request:
    """A request as the actor may see it (bot.kernel.access); NotFound otherwise."""
    return _load_visible(session, REQUESTS, request, actor)


def require_reviewer(actor: Actor, row: Request, action: str) -> None:
    """Only reviewers decide, and never on their own request."""
    _require_reviewer(actor, row, action, not_own=row.requester_user_id)


def notify(session: Session, row: Request | RequestRecord, *, event: str, now: datetime,
           card: Topic | None = Topic.review_card_update, partner: bool = True,
           data: Mapping[str, Any] | None = None) -> None:
    """The outbox messages for `event`: the card (new or updated) and the requester's DM."""
    messages: list[Message] = [(card, None)] if card is not None else []
    if partner:
        messages.append((Topic.partner_dm, row.requester_user_id))
    REQUESTS.notify(session, row, event=event, now=now, messages=messages, data=data)
