"""Reads of support tickets (the workflow and the Slack surfaces share them)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import OPEN_TICKET_STATES, Ticket, TicketEvent

_OPEN = [s.value for s in OPEN_TICKET_STATES]


def ticket_by_id(session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id, populate_existing=True)


def ticket_by_key(session: Session, idempotency_key: str) -> Ticket | None:
    return session.scalars(
        select(Ticket).where(Ticket.idempotency_key == idempotency_key)).first()


def team_tickets(session: Session, teams: Collection[int], *, open_only: bool = False,
                 limit: int = 50) -> Sequence[Ticket]:
    """A partner team's tickets, newest first."""
    stmt = select(Ticket).where(Ticket.partner_team_id.in_(list(teams)))
    if open_only:
        stmt = stmt.where(Ticket.state.in_(_OPEN))
    return session.scalars(
        stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)).all()


def open_tickets(session: Session, *, limit: int = 50) -> Sequence[Ticket]:
    """Every team's unresolved tickets for support staff: urgent first, then oldest first."""
    return session.scalars(
        select(Ticket).where(Ticket.state.in_(_OPEN))
        .order_by(Ticket.urgent.desc(), Ticket.created_at, Ticket.id).limit(limit)).all()


def ticket_trail(session: Session, ticket_id: int) -> Sequence[TicketEvent]:
    return session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                           .order_by(TicketEvent.at, TicketEvent.id)).all()
