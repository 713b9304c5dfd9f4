"""Reads the workflow, the Slack surfaces, the scheduler and the benchmark share."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from bot.requests.records import RECORD_COLUMNS
from bot.store.models import (
    OPEN_STATES,
    UNDECIDED,
    Attachment,
    AuditEvent,
    Integration,
    Request,
    RequestState,
)


def request_by_id(session: Session, request_id: int) -> Request | None:
    return session.get(Request, request_id, populate_existing=True)


def request_by_key(session: Session, idempotency_key: str) -> Request | None:
    return session.scalars(
        select(Request).where(Request.idempotency_key == idempotency_key)).first()


def integration_by_issuer(session: Session, issuer: str) -> Integration | None:
    return session.scalars(select(Integration).where(Integration.issuer == issuer)).first()


def integrations(session: Session) -> Sequence[Integration]:
    return session.scalars(select(Integration).order_by(Integration.issuer)).all()


def known_issuers(session: Session, among: Collection[str] | None = None) -> frozenset[str]:
    """Issuers of production integrations; with `among`, only those of them (an index lookup
    instead of reading every integration)."""
    stmt = select(Integration.issuer)
    if among is not None:
        stmt = stmt.where(Integration.issuer.in_(list(among)))
    return frozenset(session.scalars(stmt))


def open_request_issuers(session: Session, kind: str, *, excluding: int | None = None,
                         among: Collection[str] | None = None) -> frozenset[str]:
    """Issuers held by open requests of `kind` (another launch of the same issuer would clash);
    `excluding` leaves out the request being resubmitted; `among` as in `known_issuers`."""
    stmt = select(Request.issuer).where(
        Request.kind == kind, Request.state.in_([s.value for s in OPEN_STATES]),
        Request.issuer.is_not(None))
    if excluding is not None:
        stmt = stmt.where(Request.id != excluding)
    if among is not None:
        stmt = stmt.where(Request.issuer.in_(list(among)))
    return frozenset(i for i in session.scalars(stmt.distinct()) if i)


def record_rows(session: Session, stmt: Select[Any]) -> list[dict[str, Any]]:
    """The rows of `stmt` as plain dicts (column label -> value). Lists read this way instead of
    as ORM objects: building and then copying an object per row was most of a list's time."""
    result = session.connection().execute(stmt)
    keys = tuple(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def select_records(*columns: Any) -> Select[Any]:
    """SELECT of the request columns a RequestRecord holds (bot.requests.records), plus
    `columns`."""
    return select(*(c for c in Request.__table__.c if c.name in RECORD_COLUMNS), *columns)


def _approved_on(day: date, include_deployed: bool) -> tuple[ColumnElement[bool], ...]:
    states = [RequestState.approved.value]
    if include_deployed:
        states.append(RequestState.deployed.value)
    return Request.state.in_(states), Request.target_deploy_date == day


def approved_for_day(session: Session, day: date, *,
                     include_deployed: bool = False) -> list[dict[str, Any]]:
    """The manifest's rows (record rows): what is approved for deploy day `day`, each with its
    integration's configuration (a change gives only what changes: the rest comes from there)."""
    return record_rows(session, select_records(
        Integration.configuration.label("integration_configuration"))
        .outerjoin(Integration, Integration.id == Request.integration_id)
        .where(*_approved_on(day, include_deployed)).order_by(Request.id))


def approved_attachment_facts(session: Session, day: date, *,
                              include_deployed: bool = False) -> Sequence[Row[Any]]:
    """(request_id, role, name, sha256, size) of the files of what `approved_for_day` finds,
    never their bytes: one join on the same condition rather than a list of IDs to bind."""
    return session.execute(
        select(Attachment.request_id, Attachment.role, Attachment.name, Attachment.sha256,
               Attachment.size)
        .join(Request, Request.id == Attachment.request_id)
        .where(*_approved_on(day, include_deployed))
        .order_by(Attachment.request_id, Attachment.id)).all()


def team_requests(session: Session, teams: Collection[int], *,
                  limit: int = 50) -> list[dict[str, Any]]:
    """A partner team's requests, newest first (record rows)."""
    return record_rows(session, select_records()
                       .where(Request.partner_team_id.in_(list(teams)))
                       .order_by(Request.created_at.desc(), Request.id.desc()).limit(limit))


def review_queue(session: Session, *, limit: int = 50) -> Sequence[Request]:
    """Undecided requests, oldest first."""
    return session.scalars(_review_queue(limit)).all()


def review_queue_rows(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    """`review_queue` as record rows."""
    return record_rows(session, _review_queue(limit, select_records()))


def _review_queue(limit: int, stmt: Select[Any] | None = None) -> Select[Any]:
    return ((stmt if stmt is not None else select(Request))
            # the partial index's own predicate, spelled the same: SQLite uses a partial index
            # only for a condition it can match at prepare time (not bound parameters), and
            # otherwise sorts every undecided request
            .where(UNDECIDED)
            .order_by(Request.submitted_at, Request.id).limit(limit))


def digest_counts(session: Session, since: datetime) -> tuple[dict[str, int], int]:
    """Requests in each state, and created since `since`: one statement. Each state is counted
    on its own (an index range counted, ~30 % less work on PostgreSQL than grouping every
    entry of the index), and a state no request is in counts 0."""
    states = [s.value for s in RequestState]
    counts = [select(func.count()).select_from(Request).where(Request.state == state)
              .scalar_subquery() for state in states]
    new = (select(func.count()).select_from(Request).where(Request.created_at >= since)
           .scalar_subquery())
    *by_state, created = session.execute(select(*counts, new)).one()
    return dict(zip(states, by_state, strict=True)), created


def audit_trail(session: Session, request_id: int) -> Sequence[AuditEvent]:
    return session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)
                           .order_by(AuditEvent.at, AuditEvent.id)).all()
