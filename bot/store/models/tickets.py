"""The support tickets' tables: a ticket, the conversation on it, its attachments and its
audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.kernel.ids import TICKET_IDS
from bot.store.models.base import Base, StoredFileColumns, TransitionTrailColumns, owned


class TicketState(StrEnum):
    open = "open"  # filed, nobody from support has it yet
    in_progress = "in_progress"  # claimed: support is working on it
    waiting_on_partner = "waiting_on_partner"  # support needs an answer from the partner
    resolved = "resolved"


OPEN_TICKET_STATES = frozenset({TicketState.open, TicketState.in_progress,
                                TicketState.waiting_on_partner})


class Ticket(Base):
    """A support ticket and where it stands. The ticket as filed (bot.models.SupportTicket) is
    kept whole in `submitted`; the columns are what lists, cards and queries need."""

    __tablename__ = "tickets"
    __table_args__ = (
        # a partner team's list, newest first
        Index("ix_tickets_team_created", "requester_team_id", "created_at"),
        Index("ix_tickets_partner_team_created", "partner_team_id", "created_at"),
        # the open tickets, oldest first
        Index("ix_tickets_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=1)
    category: Mapped[str] = mapped_column(String(64))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    environment: Mapped[str | None] = mapped_column(String(16))
    issuer: Mapped[str | None] = mapped_column(String(1024))
    summary: Mapped[str | None] = mapped_column(Text)
    submitted: Mapped[dict[str, Any]]
    requester_user_id: Mapped[str] = mapped_column(String(32))
    requester_team_id: Mapped[str] = mapped_column(String(32))  # the requester's workspace
    partner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    assignee_id: Mapped[str | None] = mapped_column(String(32))  # who claimed it
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str | None] = mapped_column(Text)
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    messages: Mapped[list[TicketMessage]] = owned("TicketMessage", "ticket")
    attachments: Mapped[list[TicketAttachment]] = owned("TicketAttachment", "ticket")

    @property
    def public_id(self) -> str:
        return TICKET_IDS.format(self.id)


class TicketMessage(Base):
    """One message of the conversation on a ticket: support's replies, the partner's answers."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))  # support | partner
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="messages")


class TicketAttachment(StoredFileColumns, Base):
    """A screenshot or log the partner attached, exactly as uploaded."""

    __tablename__ = "ticket_attachments"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")


class TicketEvent(TransitionTrailColumns, Base):
    """The ticket's audit trail (requests keep theirs in audit_events)."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_at", "ticket_id", "at"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))


# Shorthands of the tickets' public-ID scheme (bot.kernel.ids).
ticket_public_id = TICKET_IDS.format
parse_ticket_public_id = TICKET_IDS.parse
