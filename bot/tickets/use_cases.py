"""Support tickets: file, claim, reply to the partner, wait on the partner, the partner's
answer, resolve; a team's tickets and the open ones.

Same rules as requests: every change is one conditional UPDATE on the expected state and
version, written with its audit event (`ticket_events`) and outbox messages in the caller's
transaction. Support staff are the reviewers (`Actor.is_reviewer`); a partner sees only their
own team's tickets, and any other ticket is NotFound to them, whatever they try on it (a
refusal such as "only support can claim" would tell them it exists).

    open ──claim or reply──▶ in_progress ──wait──▶ waiting_on_partner ──answer──▶ in_progress
    open ──wait──▶ waiting_on_partner
    open | in_progress | waiting_on_partner ──resolve (with a note)──▶ resolved

Replies and answers are kept on the ticket (`ticket_messages`) in any unresolved state; only
the moves above change the state. A resolved ticket takes nothing more: a new problem is a
new ticket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.kernel import access
from bot.kernel.actors import Actor
from bot.kernel.errors import (
    Conflict,
    InvalidTransition,
    MissingInput,
    NotAllowed,
    ValidationFailed,
)
from bot.kernel.ids import TICKET_IDS
from bot.kernel.lifecycle import Lifecycle, Message, refuse
from bot.models import SupportTicket, parse_ticket
from bot.requests.records import AttachmentFacts
from bot.rules.support import URGENT_CATEGORY, validate_ticket
from bot.store.models import (
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketState,
)
from bot.tickets import queries as ticket_queries

T = TicketState
UNRESOLVED = (T.open, T.in_progress, T.waiting_on_partner)
MESSAGE_ATTEMPTS = 5  # each round one writer wins: enough for a burst of replies and answers


class TicketTopic(StrEnum):
    """Outbox topics of tickets (bot.slack.tickets.messages renders them).

    ticket_card         a new card in SUPPORT_CHANNEL (the relay records its channel and ts)
    ticket_card_update  re-render that card in place
    ticket_partner_dm   a DM to the partner who filed the ticket
    ticket_staff_dm     a DM to the support person who has the ticket (the partner answered)
    """

    card = "ticket_card"
    card_update = "ticket_card_update"
    partner_dm = "ticket_partner_dm"
    staff_dm = "ticket_staff_dm"



# --- records ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TicketMessageRecord:
    author_id: str
    role: str  # support | partner
    body: str
    created_at: datetime


@dataclass(frozen=True)
class TicketRecord:
    """A ticket as stored: a frozen snapshot, safe after the transaction."""

    id: int
    public_id: str
    state: str
    version: int
    category: str
    urgent: bool
    environment: str | None
    issuer: str | None
    summary: str | None
    submitted: dict[str, Any]
    requester_user_id: str
    requester_team_id: str
    assignee_id: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_note: str | None
    card_channel: str | None
    card_ts: str | None
    created_at: datetime
    updated_at: datetime
    messages: tuple[TicketMessageRecord, ...] = field(default=())
    attachments: tuple[AttachmentFacts, ...] = field(default=())

    @property
    def details(self) -> SupportTicket:
        """The ticket as filed."""
        return SupportTicket.model_validate(self.submitted)

    @property
    def is_open(self) -> bool:
        return self.state != T.resolved

    @classmethod
    def of(cls, row: Ticket, *, full: bool = True) -> TicketRecord:
        """`full`: with the conversation and the attachment facts (a card or a status);
        lists leave them out."""
        return cls(
            id=row.id, public_id=row.public_id, state=row.state, version=row.version,
            category=row.category, urgent=row.urgent, environment=row.environment,
            issuer=row.issuer, summary=row.summary, submitted=dict(row.submitted),
            requester_user_id=row.requester_user_id, requester_team_id=row.requester_team_id,
            assignee_id=row.assignee_id, resolved_by=row.resolved_by,
            resolved_at=row.resolved_at, resolution_note=row.resolution_note,
            card_channel=row.card_channel, card_ts=row.card_ts, created_at=row.created_at,
            updated_at=row.updated_at,
            messages=tuple(TicketMessageRecord(m.author_id, m.role, m.body, m.created_at)
                           for m in row.messages) if full else (),
            attachments=tuple(AttachmentFacts(role="attachment", name=a.name, sha256=a.sha256,
                                              size=a.size) for a in row.attachments)
            if full else (),
        )


# --- loading and refusing --------------------------------------------------------------------

def _refusal(row: Ticket, action: str) -> InvalidTransition:
    return refuse(row, action, decided=row.state == T.resolved, by=row.resolved_by,
                  claimed_by=row.assignee_id)


TICKETS: Lifecycle[Ticket] = Lifecycle(model=Ticket, ids=TICKET_IDS, event=TicketEvent,
                                       key="ticket_id", refusal=_refusal)
load = TICKETS.load
_transition = TICKETS.transition


def load_visible(session: Session, ticket: int | str, actor: Actor) -> Ticket:
    """A ticket as the actor may see it (bot.kernel.access); NotFound otherwise."""
    return access.load_visible(session, TICKETS, ticket, actor)


def _notify(session: Session, row: Ticket, *, event: str, now: datetime,
            card: TicketTopic = TicketTopic.card_update, partner: bool = False,
            staff: str | None = None, data: Mapping[str, Any] | None = None) -> None:
    """The outbox messages for `event`: the card, and DMs to the partner and to the support
    person who has the ticket."""
    messages: list[Message] = [(card, None)]
    if partner:
        messages.append((TicketTopic.partner_dm, row.requester_user_id))
    if staff:
        messages.append((TicketTopic.staff_dm, staff))
    TICKETS.notify(session, row, event=event, now=now, messages=messages, data=data)


def _text(value: str | None, name: str) -> str:
    text = (value or "").strip()
    if not text:
        raise MissingInput(name)
    return text


# --- use cases -------------------------------------------------------------------------------

def file_ticket(session: Session, data: SupportTicket | Mapping[str, Any], *, actor: Actor,
                now: datetime, files: Mapping[str, bytes] | None = None,
                idempotency_key: str | None = None) -> TicketRecord:
    """File a ticket (the rules core judges it: ValidationFailed(report) on errors, nothing
    written). `files` are its attachments by name. With an `idempotency_key`, a repeat (double
    submit, retried delivery) returns the ticket the first call filed."""
    if idempotency_key:
        existing = ticket_queries.ticket_by_key(session, idempotency_key)
        if existing is not None:
            return _same_team(existing, actor)
    report = validate_ticket(data)
    if not report.ok:
        raise ValidationFailed(report)
    ticket = data if isinstance(data, SupportTicket) else parse_ticket(dict(data))[0]
    assert ticket.category is not None  # SUP-CATEGORY
    row = Ticket(
        state=T.open.value, version=1, category=ticket.category,
        urgent=ticket.category == URGENT_CATEGORY, environment=ticket.environment,
        issuer=ticket.issuer, summary=ticket.summary,
        submitted=ticket.model_dump(mode="json", exclude_none=True),
        requester_user_id=actor.user_id, requester_team_id=actor.team_id,
        partner_team_id=access.filing_team(actor, "tickets"),
        idempotency_key=idempotency_key, created_at=now, updated_at=now)
    row.attachments = [
        TicketAttachment(name=name, content=bytes(content), size=len(content),
                         sha256=hashlib.sha256(content).hexdigest(), created_at=now)
        for name, content in (files or {}).items()]
    if idempotency_key:
        # Two deliveries racing: the second waits on the unique key, then finds the first.
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            existing = ticket_queries.ticket_by_key(session, idempotency_key)
            if existing is None:
                raise
            return _same_team(existing, actor)
    else:
        session.add(row)
        session.flush()
    TICKETS.record_created(session, row, action="file", actor=actor, now=now,
                           detail={"category": row.category, "urgent": row.urgent,
                                   "attachments": len(row.attachments)})
    _notify(session, row, event="filed", now=now, card=TicketTopic.card, partner=True)
    session.flush()
    return TicketRecord.of(row)


def filed_ticket(session: Session, idempotency_key: str, *, actor: Actor) -> TicketRecord | None:
    """The ticket a first delivery of this form already filed, if any."""
    existing = ticket_queries.ticket_by_key(session, idempotency_key)
    return _same_team(existing, actor) if existing is not None else None


def _same_team(row: Ticket, actor: Actor) -> TicketRecord:
    if not access.on_team(actor, row.partner_team_id):
        raise NotAllowed("other_team", action="file with this key",  # say nothing of it
                         noun="ticket")
    return TicketRecord.of(row)


def claim_ticket(session: Session, ticket: int | str, *, actor: Actor,
                 now: datetime) -> TicketRecord:
    """Support takes an open ticket (open → in_progress); the partner is told who has it."""
    row = load_visible(session, ticket, actor)
    access.require_reviewer(actor, row, "claim")
    row = _transition(session, row, action="claim", expected=(T.open,), to=T.in_progress,
                      actor=actor, now=now, values={"assignee_id": actor.user_id})
    _notify(session, row, event="claimed", now=now, partner=True, data={"by": actor.user_id})
    return TicketRecord.of(row)


def reply_to_partner(session: Session, ticket: int | str, *, actor: Actor, now: datetime,
                     body: str) -> TicketRecord:
    """Support writes to the partner: kept on the ticket and DMed to them. Replying to an
    open ticket claims it."""
    body = _text(body, "reply")
    row = load_visible(session, ticket, actor)
    access.require_reviewer(actor, row, "reply to")
    row = _add_message(session, row, actor=actor, now=now, body=body, role="support",
                       moves={T.open: T.in_progress})
    _notify(session, row, event="replied", now=now, partner=True,
            data={"by": actor.user_id, "body": body})
    return TicketRecord.of(row)


def _add_message(session: Session, row: Ticket, *, actor: Actor, now: datetime, body: str,
                 role: str, moves: Mapping[T, T]) -> Ticket:
    """A message on an unresolved ticket; `moves` says which states it changes. Messages
    never conflict with each other: a ticket that changed meanwhile is read again and the
    message added to what it is now (a resolution in between still refuses)."""
    for _ in range(MESSAGE_ATTEMPTS):
        state = T(row.state)
        try:
            row = _transition(
                session, row, action="reply" if role == "support" else "answer",
                expected=UNRESOLVED, to=moves.get(state, state), actor=actor, now=now,
                values={"assignee_id": row.assignee_id or actor.user_id}
                if role == "support" else None,
                detail={"length": len(body)})
            break
        except Conflict:
            row = load(session, row.id)
    else:
        raise Conflict(row.public_id)
    session.add(TicketMessage(ticket_id=row.id, author_id=actor.user_id, role=role, body=body,
                              created_at=now))
    session.flush()
    return row


def wait_on_partner(session: Session, ticket: int | str, *, actor: Actor,
                    now: datetime) -> TicketRecord:
    """Support needs the partner to act (→ waiting_on_partner); the partner is asked."""
    row = load_visible(session, ticket, actor)
    access.require_reviewer(actor, row, "mark as waiting on the partner")
    row = _transition(session, row, action="wait_on_partner", expected=(T.open, T.in_progress),
                      to=T.waiting_on_partner, actor=actor, now=now,
                      values={"assignee_id": row.assignee_id or actor.user_id})
    _notify(session, row, event="waiting", now=now, partner=True, data={"by": actor.user_id})
    return TicketRecord.of(row)


def answer_ticket(session: Session, ticket: int | str, *, actor: Actor, now: datetime,
                  body: str) -> TicketRecord:
    """The partner's team answers (a ticket waiting on them goes back in progress); the
    support person who has it is told by DM."""
    body = _text(body, "answer")
    row = load_visible(session, ticket, actor)
    access.require_team(actor, row, "answer")
    row = _add_message(session, row, actor=actor, now=now, body=body, role="partner",
                       moves={T.waiting_on_partner: T.in_progress})
    _notify(session, row, event="answered", now=now, staff=row.assignee_id,
            data={"by": actor.user_id, "body": body})
    return TicketRecord.of(row)


def resolve_ticket(session: Session, ticket: int | str, *, actor: Actor, now: datetime,
                   note: str) -> TicketRecord:
    """Support closes the ticket with a resolution note, which the partner gets by DM."""
    note = _text(note, "resolution note")
    row = load_visible(session, ticket, actor)
    access.require_reviewer(actor, row, "resolve")
    row = _transition(session, row, action="resolve", expected=UNRESOLVED, to=T.resolved,
                      actor=actor, now=now,
                      values={"resolved_by": actor.user_id, "resolved_at": now,
                              "resolution_note": note,
                              "assignee_id": row.assignee_id or actor.user_id},
                      detail={"note": note})
    _notify(session, row, event="resolved", now=now, partner=True,
            data={"by": actor.user_id, "note": note})
    return TicketRecord.of(row)


ACTIONS = {"reply": "reply to", "resolve": "resolve", "answer": "answer"}


def may_act(session: Session, ticket: int | str, *, actor: Actor, action: str) -> TicketRecord:
    """Raise what `action` (reply, resolve, answer) would raise, so a surface can refuse
    before asking for text; the ticket otherwise."""
    row = load_visible(session, ticket, actor)
    if action == "answer":
        access.require_team(actor, row, ACTIONS[action])
    else:
        access.require_reviewer(actor, row, ACTIONS[action])
    if row.state == T.resolved:
        raise _refusal(row, ACTIONS[action])
    return TicketRecord.of(row, full=False)


# --- reads -----------------------------------------------------------------------------------

def get_ticket(session: Session, ticket: int | str, *, actor: Actor) -> TicketRecord:
    """A ticket the actor may see (a partner: their team's; support: any), else NotFound."""
    return TicketRecord.of(load_visible(session, ticket, actor))


def team_tickets(session: Session, *, actor: Actor, open_only: bool = False,
                 limit: int = 50) -> list[TicketRecord]:
    """The actor's team's tickets, newest first."""
    return [TicketRecord.of(t, full=False) for t in
            ticket_queries.team_tickets(session, actor.teams, open_only=open_only,
                                        limit=limit)]


def open_tickets(session: Session, *, limit: int = 50) -> list[TicketRecord]:
    """Every unresolved ticket, urgent first then oldest first (support's queue)."""
    return [TicketRecord.of(t, full=False)
            for t in ticket_queries.open_tickets(session, limit=limit)]
