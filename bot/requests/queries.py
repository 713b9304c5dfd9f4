"""Reads the workflow, the Slack surfaces, the scheduler and the benchmark share."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Row,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from bot.requests.records import RECORD_COLUMNS
from bot.store.db import core_connection
from bot.store.models import (
    OPEN_STATES,
    UNDECIDED,
    Attachment,
    AuditEvent,
    Integration,
    Request,
    RequestState,
)
from bot.store.types import UTCDateTime


def request_by_id(session: Session, request_id: int) -> Request | None:
    return session.get(Request, request_id, populate_existing=True)


def request_by_key(session: Session, idempotency_key: str) -> Request | None:
    return session.scalars(
        select(Request).where(Request.idempotency_key == idempotency_key)).first()


def filed_by_key(session: Session, idempotency_key: str) -> bool:
    """Whether a request was filed with this idempotency key (its id read on the unique
    index, no row loaded)."""
    return core_connection(session).execute(_BY_KEY, {"key": idempotency_key}).first() is not None


_BY_KEY = select(Request.__table__.c.id).where(
    Request.__table__.c.idempotency_key == bindparam("key"))


def integration_by_issuer(session: Session, issuer: str) -> Integration | None:
    return session.scalars(select(Integration).where(Integration.issuer == issuer)).first()


def integrations(session: Session) -> Sequence[Integration]:
    return session.scalars(select(Integration).order_by(Integration.issuer)).all()


def issuers_in_use(session: Session, kind: str, among: Collection[str], *,
                   excluding: int | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Of the issuers `among`: those of production integrations, and those held by open
    requests of `kind` (another launch of the same issuer would clash; `excluding` leaves out
    the request being resubmitted). One statement: both read at the same instant, so a launch
    deployed in between (deployed and its integration created in one commit) is never missed
    by both."""
    params = {"kind": kind, "among": list(among)}
    if excluding is not None:
        params["excluding"] = excluding
    rows = core_connection(session).execute(_issuers_in_use(excluding is not None), params).all()
    return (frozenset(i for what, i in rows if what == "known"),
            frozenset(i for what, i in rows if what == "open" and i))


@lru_cache(maxsize=2)
def _issuers_in_use(excluding: bool) -> Any:
    """The statement of `issuers_in_use`, built once (per whether a request is left out)."""
    among = bindparam("among", expanding=True)
    held = select(literal_column("'open'"), Request.issuer).where(
        Request.kind == bindparam("kind"), Request.state.in_([s.value for s in OPEN_STATES]),
        Request.issuer.is_not(None), Request.issuer.in_(among))
    if excluding:
        held = held.where(Request.id != bindparam("excluding", type_=Integer))
    known = select(literal_column("'known'"), Integration.issuer).where(
        Integration.issuer.in_(among))
    return union_all(held, known)


def record_rows(session: Session, stmt: Select[Any],
                params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of `stmt` as plain dicts (column label -> value). Lists read this way instead of
    as ORM objects: building and then copying an object per row was most of a list's time."""
    # on the connection: the session would hand each row through its ORM loading
    result = core_connection(session).execute(stmt, params)
    keys = tuple(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def select_records(*columns: Any) -> Select[Any]:
    """SELECT of the request columns a RequestRecord holds (bot.requests.records), plus
    `columns`."""
    return select(*(c for c in Request.__table__.c if c.name in RECORD_COLUMNS), *columns)


# The statements below are built once (building one costs about as much as running it) and
# take their values as bound parameters.

def _approved_on(include_deployed: bool) -> tuple[ColumnElement[bool], ...]:
    states = [RequestState.approved.value]
    if include_deployed:
        states.append(RequestState.deployed.value)
    return Request.state.in_(states), Request.target_deploy_date == bindparam("day", type_=Date)


@lru_cache(maxsize=2)
def _approved_for_day(include_deployed: bool) -> Select[Any]:
    return (select_records(Integration.configuration.label("integration_configuration"))
            .outerjoin(Integration, Integration.id == Request.integration_id)
            .where(*_approved_on(include_deployed)).order_by(Request.id))


@lru_cache(maxsize=2)
def _approved_files(include_deployed: bool) -> Select[Any]:
    return (select(Attachment.request_id, Attachment.role, Attachment.name, Attachment.sha256,
                   Attachment.size)
            .join(Request, Request.id == Attachment.request_id)
            .where(*_approved_on(include_deployed))
            .order_by(Attachment.request_id, Attachment.id))


def approved_for_day(session: Session, day: date, *,
                     include_deployed: bool = False) -> list[dict[str, Any]]:
    """The manifest's rows (record rows): what is approved for deploy day `day`, each with its
    integration's configuration (a change gives only what changes: the rest comes from there)."""
    return record_rows(session, _approved_for_day(include_deployed), {"day": day})


def approved_attachment_facts(session: Session, day: date, *,
                              include_deployed: bool = False) -> Sequence[Row[Any]]:
    """(request_id, role, name, sha256, size) of the files of what `approved_for_day` finds,
    never their bytes: one join on the same condition rather than a list of IDs to bind."""
    return session.execute(_approved_files(include_deployed), {"day": day}).all()


def team_requests(session: Session, teams: Collection[int], *,
                  limit: int = 50) -> list[dict[str, Any]]:
    """The requests of the given partner teams, newest first (record rows). Each team's newest
    are read on its own index range and then merged: with one IN over several teams,
    PostgreSQL walks every request newest first until it has `limit` of theirs, which for
    teams with few requests is the whole table."""
    if not teams:
        return []
    params = {f"team_{i}": team for i, team in enumerate(sorted(teams))}
    return record_rows(session, _newest_of_teams(len(teams)), {**params, "limit": limit})


@lru_cache(maxsize=16)
def _newest_of_teams(count: int) -> Select[Any]:
    """The statement of `team_requests` for `count` teams, built once per count (its
    subqueries cost more to build than the statement takes to run)."""
    newest = (Request.created_at.desc(), Request.id.desc())
    limit = bindparam("limit", type_=Integer)
    per_team = [select_records().where(Request.partner_team_id == bindparam(f"team_{i}"))
                .order_by(*newest).limit(limit) for i in range(count)]
    if count == 1:
        return per_team[0]
    # SQLite allows no ORDER BY or LIMIT in a member of a UNION: each is a subquery
    merged = union_all(*(select(*part.c) for part in (s.subquery() for s in per_team)))
    each = merged.subquery()
    return (select(*each.c).order_by(each.c.created_at.desc(), each.c.id.desc())
            .limit(limit))


def review_queue(session: Session, *, limit: int = 50) -> Sequence[Request]:
    """Undecided requests, oldest first."""
    return session.scalars(_review_queue(limit)).all()


def review_queue_rows(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    """`review_queue` as record rows."""
    return record_rows(session, _review_queue_rows(), {"limit": limit})


@lru_cache(maxsize=1)
def _review_queue_rows() -> Select[Any]:
    return _review_queue(bindparam("limit", type_=Integer), select_records())


def _review_queue(limit: Any, stmt: Select[Any] | None = None) -> Select[Any]:
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
    *by_state, created = session.execute(_digest_counts(), {"since": since}).one()
    return dict(zip(_STATES, by_state, strict=True)), created


_STATES = tuple(s.value for s in RequestState)


@lru_cache(maxsize=1)
def _digest_counts() -> Select[Any]:
    counts = [select(func.count()).select_from(Request).where(Request.state == state)
              .scalar_subquery() for state in _STATES]
    new = (select(func.count()).select_from(Request)
           .where(Request.created_at >= bindparam("since", type_=UTCDateTime()))
           .scalar_subquery())
    return select(*counts, new)


def audit_trail(session: Session, request_id: int) -> Sequence[AuditEvent]:
    return session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)
                           .order_by(AuditEvent.at, AuditEvent.id)).all()
