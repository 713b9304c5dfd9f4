"""The requests' tables: launch, change and staging requests, their attachments and audit
events, and the production integrations they change. Migrations in `migrations/` are the only
way the schema is made; `tests/store/test_migrations.py` checks these models and the migrations
agree."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.kernel.ids import REQUEST_IDS
from bot.store.models.base import Base, StoredFileColumns, TransitionTrailColumns, owned


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

    attachments: Mapped[list[Attachment]] = owned("Attachment", "request")

    @property
    def public_id(self) -> str:
        return public_id(self.id)


# Shorthands of the requests' public-ID scheme (bot.kernel.ids).
public_id = REQUEST_IDS.format
parse_public_id = REQUEST_IDS.parse


class Attachment(StoredFileColumns, Base):
    """A logo or certificate exactly as submitted: the manifest carries what was approved."""

    __tablename__ = "attachments"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # logo | certificate
    # Where the file can be opened in Slack (its permalink), when it was uploaded there.
    link: Mapped[str | None] = mapped_column(String(1024))

    request: Mapped[Request] = relationship(back_populates="attachments")


class AuditEvent(TransitionTrailColumns, Base):
    """A request's audit trail (tickets and teams keep theirs in their own tables)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_request_at", "request_id", "at"),)

    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
