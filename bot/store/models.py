"""The tables (SQLAlchemy 2 typed models). Migrations in `migrations/` are the only way the
schema is made; `tests/store/test_migrations.py` checks these models and the migrations agree."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.kernel.ids import REQUEST_IDS, TICKET_IDS
from bot.store.types import BigId, UTCDateTime

# Stable constraint names, so later migrations can refer to them (and SQLite batch mode works).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class RequestState(StrEnum):
    submitted = "submitted"
    in_review = "in_review"
    changes_requested = "changes_requested"
    approved = "approved"  # also after a slip: still approved, for a later deploy day
    deployed = "deployed"
    rejected = "rejected"
    withdrawn = "withdrawn"


# Requests that still hold their issuer (ISS-UNIQUE) and wait on someone.
OPEN_STATES = frozenset({RequestState.submitted, RequestState.in_review,
                         RequestState.changes_requested, RequestState.approved})
UNDECIDED_STATES = frozenset({RequestState.submitted, RequestState.in_review})
# The rows uq_requests_open_launch_issuer keeps to one per issuer: the launches ISS-UNIQUE reads
# as holding their issuer (migration 0003 spells the same predicate out).
OPEN_LAUNCH = text("kind = 'launch' AND state IN ("
                   + ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATES)) + ")")
# The reviewer queue's rows (migration 0005 spells the same predicate out).
UNDECIDED = text("state IN (" + ", ".join(f"'{s.value}'" for s in sorted(UNDECIDED_STATES))
                 + ")")


class Integration(Base):
    """A production integration the team knows: imported, or created by a deployed launch."""

    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(1024), unique=True)
    agency: Mapped[str | None] = mapped_column(String(255))
    friendly_name: Mapped[str | None] = mapped_column(String(255))
    # The Slack team that owns it, once known (a deployed launch sets it; an import cannot).
    team_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # The partner team that owns it: who may see it and file changes to it.
    partner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    configuration: Mapped[dict[str, Any]]  # a bot.models.Configuration, dumped as JSON
    # Certificate PEM texts by the names `configuration.certificates` uses.
    certificates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Fields of an import that the Configuration model has no place for: kept, not lost.
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    deploys: Mapped[list[IntegrationDeploy]] = relationship(
        back_populates="integration", order_by="IntegrationDeploy.id")


class IntegrationDeploy(Base):
    """One deployed configuration of an integration (its history)."""

    __tablename__ = "integration_deploys"

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(64))
    configuration: Mapped[dict[str, Any]]

    integration: Mapped[Integration] = relationship(back_populates="deploys")


class Request(Base):
    """A launch, change or staging request and where it is in its lifecycle."""

    __tablename__ = "requests"
    __table_args__ = (
        # the manifest: approved for a day
        Index("ix_requests_state_target", "state", "target_deploy_date"),
        # the digest's counts by state
        Index("ix_requests_state_submitted", "state", "submitted_at"),
        # the reviewer queue, oldest first: read in order and stopped at its limit, instead of
        # sorting every undecided request (thousands on a busy week)
        Index("ix_requests_undecided_submitted", "submitted_at", "id",
              sqlite_where=UNDECIDED, postgresql_where=UNDECIDED),
        # a partner's (team's) list, newest first
        Index("ix_requests_team_created", "requester_team_id", "created_at"),
        Index("ix_requests_partner_team_created", "partner_team_id", "created_at"),
        # open issuers (ISS-UNIQUE)
        Index("ix_requests_issuer_state", "issuer", "state"),
        # ISS-UNIQUE as a guarantee: the rule reads, then inserts, so two launches of one
        # issuer filed at the same instant both pass it; this makes the second insert fail.
        # NULL issuers never collide (a launch without one is refused by ISS-FORMAT anyway).
        Index("uq_requests_open_launch_issuer", "issuer", unique=True,
              sqlite_where=OPEN_LAUNCH, postgresql_where=OPEN_LAUNCH),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=1)
    issuer: Mapped[str | None] = mapped_column(String(1024))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id"),
                                                       index=True)
    requester_user_id: Mapped[str] = mapped_column(String(32))
    requester_team_id: Mapped[str] = mapped_column(String(32))  # the requester's workspace
    # The partner team that owns it (bot.kernel.access decides who sees it by this).
    partner_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # The request as validated (bot.models.Request dumped: only the fields given).
    submitted: Mapped[dict[str, Any]]
    findings: Mapped[list[Any]] = mapped_column(default=list)
    # A change: {field: {"old": ..., "new": ...}} against the configuration at submission.
    diff: Mapped[dict[str, Any] | None]
    earliest_deploy_date: Mapped[date | None] = mapped_column(Date)
    target_deploy_date: Mapped[date | None] = mapped_column(Date)
    lead_time_days: Mapped[int | None]
    slip_count: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    reviewer_id: Mapped[str | None] = mapped_column(String(32))  # who claimed it
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)  # comment or reason
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    deployed_at: Mapped[datetime | None]
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="request", order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def public_id(self) -> str:
        return public_id(self.id)


# Shorthands of the one public-ID scheme per kind (bot.kernel.ids).
public_id = REQUEST_IDS.format
parse_public_id = REQUEST_IDS.parse
ticket_public_id = TICKET_IDS.format
parse_ticket_public_id = TICKET_IDS.parse


class Attachment(Base):
    """A logo or certificate exactly as submitted: the manifest carries what was approved."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # logo | certificate
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime]
    # Where the file can be opened in Slack (its permalink), when it was uploaded there.
    link: Mapped[str | None] = mapped_column(String(1024))

    request: Mapped[Request] = relationship(back_populates="attachments")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_request_at", "request_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(index=True)


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


# --- support tickets ---------------------------------------------------------------------------


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

    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", order_by="TicketMessage.id", cascade="all, delete-orphan")
    attachments: Mapped[list[TicketAttachment]] = relationship(
        back_populates="ticket", order_by="TicketAttachment.id", cascade="all, delete-orphan")

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


class TicketAttachment(Base):
    """A screenshot or log the partner attached, exactly as uploaded."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")


class TicketEvent(Base):
    """The ticket's audit trail (requests keep theirs in audit_events)."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_at", "ticket_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(index=True)


# --- partner teams ---------------------------------------------------------------------------

class Team(Base):
    """A partner team (an agency's staff, or a contractor working for it). It owns requests,
    tickets and integrations; bot.teams.membership says who belongs to it."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    agency: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", order_by="TeamMember.id", cascade="all, delete-orphan")
    workspaces: Mapped[list[TeamWorkspace]] = relationship(
        back_populates="team", order_by="TeamWorkspace.id", cascade="all, delete-orphan")
    channels: Mapped[list[TeamChannel]] = relationship(
        back_populates="team", order_by="TeamChannel.id", cascade="all, delete-orphan")


class TeamMember(Base):
    """An explicit member: a Slack user, or an email (an import) until that user turns up."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", name="uq_team_members_team_user"),
        UniqueConstraint("team_id", "email", name="uq_team_members_team_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)  # lower case
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]

    team: Mapped[Team] = relationship(back_populates="members")


class TeamWorkspace(Base):
    """A Slack Connect organisation (an external workspace): all its users are on the team."""

    __tablename__ = "team_workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    slack_team_id: Mapped[str] = mapped_column(String(32), unique=True)
    bound_by: Mapped[str] = mapped_column(String(64))
    bound_at: Mapped[datetime]

    team: Mapped[Team] = relationship(back_populates="workspaces")


class TeamChannel(Base):
    """A shared channel: its members (reviewers excepted) are on the team."""

    __tablename__ = "team_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32), unique=True)
    bound_by: Mapped[str] = mapped_column(String(64))
    bound_at: Mapped[datetime]

    team: Mapped[Team] = relationship(back_populates="channels")


class TeamEvent(Base):
    """The teams' audit trail: who created a team, added or removed whom, bound what."""

    __tablename__ = "team_events"
    __table_args__ = (Index("ix_team_events_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(index=True)
