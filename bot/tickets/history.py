"""A support ticket's timeline, from its events (filed, claimed, replies and answers, waiting on
the partner, resolved with its note)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.requests.history import HistoryEntry, entry_of
from bot.tickets import queries
from bot.tickets.use_cases import TicketRecord, load_visible


def ticket_history(session: Session, ticket: int | str, *,
                   actor: Actor) -> tuple[TicketRecord, list[HistoryEntry]]:
    """The ticket as the actor may see it (else NotFound) and its timeline, oldest first."""
    row = load_visible(session, ticket, actor)
    return TicketRecord.of(row), [entry_of(e) for e in queries.ticket_trail(session, row.id)]
