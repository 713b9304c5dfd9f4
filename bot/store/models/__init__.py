"""The tables (SQLAlchemy 2 typed models), one module per domain: `requests`, `tickets`,
`teams`, and the bot's delivery `bookkeeping` (outbox, job claims, processed Slack events), on
the one `Base` in `base`. Importing this package registers every table on `Base.metadata`
(the migrations' check and `migrations/env.py` compare against all of them), and it is where
the rest of the bot imports the tables from.

Migrations in `migrations/` are the only way the schema is made;
`tests/store/test_migrations.py` checks these models and the migrations agree."""

from bot.store.models.base import Base
from bot.store.models.bookkeeping import JobClaim, OutboxMessage, OutboxStatus, ProcessedEvent
from bot.store.models.requests import (
    OPEN_LAUNCH,
    OPEN_STATES,
    UNDECIDED,
    UNDECIDED_STATES,
    Attachment,
    AuditEvent,
    Integration,
    IntegrationDeploy,
    Request,
    RequestState,
    parse_public_id,
    public_id,
)
from bot.store.models.teams import Team, TeamChannel, TeamEvent, TeamMember, TeamWorkspace
from bot.store.models.tickets import (
    OPEN_TICKET_STATES,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketState,
    parse_ticket_public_id,
    ticket_public_id,
)

__all__ = [
    "OPEN_LAUNCH", "OPEN_STATES", "OPEN_TICKET_STATES", "UNDECIDED", "UNDECIDED_STATES",
    "Attachment", "AuditEvent", "Base", "Integration", "IntegrationDeploy", "JobClaim",
    "OutboxMessage", "OutboxStatus", "ProcessedEvent", "Request", "RequestState", "Team",
    "TeamChannel", "TeamEvent", "TeamMember", "TeamWorkspace", "Ticket", "TicketAttachment",
    "TicketEvent", "TicketMessage", "TicketState", "parse_public_id", "parse_ticket_public_id",
    "public_id", "ticket_public_id",
]
