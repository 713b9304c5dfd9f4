"""Exports of what the team has done: requests, decisions, tickets and the audit trail, one row
per record, as CSV or JSON (docs/exports.md lists the columns; their names and order are a
contract: add columns at the end, never rename).

Rows are streamed from the database to the output as they are read (`yield_per`), so a year of
records never sits in memory. Times are ISO 8601 in the deploy calendar's time zone (with the
offset), dates are ISO dates; --since and --until are calendar days in that zone, both
included."""

from __future__ import annotations

import csv
import heapq
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Text, cast, or_, select
from sqlalchemy.orm import Session

from bot.store.models import (
    AuditEvent,
    Integration,
    Request,
    Team,
    Ticket,
    TicketEvent,
    public_id,
    ticket_public_id,
)

BATCH = 1000  # rows fetched at a time
FORMATS = ("csv", "json")
DECISION_ACTIONS = ("approve", "request_changes", "reject", "withdraw")


@dataclass(frozen=True)
class Scope:
    """Which records: created (or, for events, happened) on calendar days since..until, both
    included, of one partner team (its slug, or the Slack workspace ID filed from) or all."""

    tz: ZoneInfo
    since: date | None = None
    until: date | None = None
    team: str | None = None

    def start(self) -> datetime | None:
        return datetime.combine(self.since, time(), tzinfo=self.tz) if self.since else None

    def end(self) -> datetime | None:
        """The first instant after `until` (exclusive bound)."""
        return (datetime.combine(self.until + timedelta(days=1), time(), tzinfo=self.tz)
                if self.until else None)


Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[Session, Scope], Iterator[Row]]


def _within(stmt: Select[Any], column: Any, scope: Scope) -> Select[Any]:
    start, end = scope.start(), scope.end()
    if start is not None:
        stmt = stmt.where(column >= start)
    if end is not None:
        stmt = stmt.where(column < end)
    return stmt


def _of_team(workspace: Any, team: str) -> Any:
    """A partner team by its slug, or (records filed before teams existed) the Slack
    workspace ID the requester filed from."""
    return or_(Team.slug == team, workspace == team)


def _stream(session: Session, stmt: Select[Any]) -> Iterator[Row]:
    """Rows as the database sends them, BATCH at a time (a server-side cursor on PostgreSQL),
    on the session's connection and transaction, without the ORM's per-row work."""
    connection = session.connection().execution_options(stream_results=True,
                                                        max_row_buffer=BATCH)
    for row in connection.execute(stmt):
        yield tuple(row)


# --- requests ----------------------------------------------------------------------------------

REQUEST_COLUMNS = (
    "id", "kind", "state", "issuer", "friendly_name", "agency", "iaa_number", "team_id",
    "requested_by", "submitted_at", "earliest_deploy_date", "target_deploy_date",
    "lead_time_days", "slip_count", "reviewer", "decision", "decided_by", "decided_at",
    "decision_note", "deployed_by", "deployed_at", "created_at", "updated_at", "team",
)
# The state a decision left a request in, for its `decision` column (deployed: it was approved).
_DECISION_OF_STATE = {"approved": "approved", "deployed": "approved",
                      "changes_requested": "changes_requested", "rejected": "rejected",
                      "withdrawn": "withdrawn"}


def _request_rows(session: Session, scope: Scope) -> Iterator[Row]:
    stmt = (select(Request.id, Request.kind, Request.state, Request.issuer, Request.submitted,
                   Integration.friendly_name, Integration.agency, Request.requester_team_id,
                   Request.requester_user_id, Request.submitted_at,
                   Request.earliest_deploy_date, Request.target_deploy_date,
                   Request.lead_time_days, Request.slip_count, Request.reviewer_id,
                   Request.decided_by, Request.decided_at, Request.decision_note,
                   Request.deployed_by, Request.deployed_at, Request.created_at,
                   Request.updated_at, Team.slug)
            .outerjoin(Integration, Integration.id == Request.integration_id)
            .outerjoin(Team, Team.id == Request.partner_team_id)
            .order_by(Request.id))
    stmt = _within(stmt, Request.created_at, scope)
    if scope.team:
        stmt = stmt.where(_of_team(Request.requester_team_id, scope.team))
    for (rid, kind, state, issuer, submitted, int_name, int_agency, team, user, submitted_at,
         earliest, target, lead, slips, reviewer, decided_by, decided_at, note, deployed_by,
         deployed_at, created, updated, slug) in _stream(session, stmt):
        submitted = submitted or {}
        # a change gives only what changes: the name and agency come from its integration
        yield (public_id(rid), kind, state, issuer, submitted.get("friendly_name") or int_name,
               submitted.get("agency") or int_agency, submitted.get("iaa_number"), team, user,
               submitted_at, earliest, target, lead, slips, reviewer,
               _DECISION_OF_STATE.get(state) if decided_by else None, decided_by, decided_at,
               note, deployed_by, deployed_at, created, updated, slug)


# --- decisions -----------------------------------------------------------------------------------

DECISION_COLUMNS = (
    "request_id", "kind", "issuer", "team_id", "decision", "decided_by", "decided_at",
    "from_state", "to_state", "note", "team",
)


def _decision_rows(session: Session, scope: Scope) -> Iterator[Row]:
    stmt = (select(AuditEvent.request_id, Request.kind, Request.issuer,
                   Request.requester_team_id, AuditEvent.action, AuditEvent.actor,
                   AuditEvent.at, AuditEvent.from_state, AuditEvent.to_state, AuditEvent.detail,
                   Team.slug)
            .join(Request, Request.id == AuditEvent.request_id)
            .outerjoin(Team, Team.id == Request.partner_team_id)
            .where(AuditEvent.action.in_(DECISION_ACTIONS))
            .order_by(AuditEvent.at, AuditEvent.id))
    stmt = _within(stmt, AuditEvent.at, scope)
    if scope.team:
        stmt = stmt.where(_of_team(Request.requester_team_id, scope.team))
    for (rid, kind, issuer, team, action, actor, at, from_state, to_state, detail,
         slug) in _stream(session, stmt):
        detail = detail or {}
        yield (public_id(rid), kind, issuer, team, action, actor, at, from_state, to_state,
               detail.get("comment") or detail.get("reason"), slug)


# --- tickets -------------------------------------------------------------------------------------

TICKET_COLUMNS = (
    "id", "category", "urgent", "environment", "issuer", "summary", "state", "team_id",
    "requested_by", "assignee", "created_at", "resolved_by", "resolved_at", "resolution_note",
    "updated_at", "team",
)


def _ticket_rows(session: Session, scope: Scope) -> Iterator[Row]:
    stmt = (select(Ticket.id, Ticket.category, Ticket.urgent, Ticket.environment,
                   Ticket.issuer, Ticket.summary, Ticket.state, Ticket.requester_team_id,
                   Ticket.requester_user_id, Ticket.assignee_id, Ticket.created_at,
                   Ticket.resolved_by, Ticket.resolved_at, Ticket.resolution_note,
                   Ticket.updated_at, Team.slug)
            .outerjoin(Team, Team.id == Ticket.partner_team_id)
            .order_by(Ticket.id))
    stmt = _within(stmt, Ticket.created_at, scope)
    if scope.team:
        stmt = stmt.where(_of_team(Ticket.requester_team_id, scope.team))
    for row in _stream(session, stmt):
        yield (ticket_public_id(row[0]), *row[1:])


# --- audit ---------------------------------------------------------------------------------------

AUDIT_COLUMNS = ("at", "record", "action", "actor", "from_state", "to_state", "detail")


def _audit_rows(session: Session, scope: Scope) -> Iterator[Row]:
    """Requests' and tickets' events in one timeline (two ordered streams, merged)."""
    # `detail` as the JSON text it is stored as: no decoding and encoding again per row.
    requests = (select(AuditEvent.at, AuditEvent.id, AuditEvent.request_id, AuditEvent.action,
                       AuditEvent.actor, AuditEvent.from_state, AuditEvent.to_state,
                       cast(AuditEvent.detail, Text))
                .order_by(AuditEvent.at, AuditEvent.id))
    tickets = (select(TicketEvent.at, TicketEvent.id, TicketEvent.ticket_id,
                      TicketEvent.action, TicketEvent.actor, TicketEvent.from_state,
                      TicketEvent.to_state, cast(TicketEvent.detail, Text))
               .order_by(TicketEvent.at, TicketEvent.id))
    requests = _within(requests, AuditEvent.at, scope)
    tickets = _within(tickets, TicketEvent.at, scope)
    if scope.team:
        requests = (requests.join(Request, Request.id == AuditEvent.request_id)
                    .outerjoin(Team, Team.id == Request.partner_team_id)
                    .where(_of_team(Request.requester_team_id, scope.team)))
        tickets = (tickets.join(Ticket, Ticket.id == TicketEvent.ticket_id)
                   .outerjoin(Team, Team.id == Ticket.partner_team_id)
                   .where(_of_team(Ticket.requester_team_id, scope.team)))
    # Two cursors open at once on the session's connection (SQLite and PostgreSQL's
    # server-side cursors both allow it), each read as far as the merge needs.
    request_rows = ((at, 0, eid, public_id(rid) if rid is not None else None, *rest)
                    for at, eid, rid, *rest in _stream(session, requests))
    ticket_rows = ((at, 1, eid, ticket_public_id(tid), *rest)
                   for at, eid, tid, *rest in _stream(session, tickets))
    for at, _, _, record, action, actor, from_state, to_state, detail in heapq.merge(
            request_rows, ticket_rows, key=lambda r: (_utc(r[0]), r[1], r[2])):
        yield (at, record, action, actor, from_state, to_state, detail or "{}")


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


TABLES: dict[str, Table] = {
    "requests": Table("requests", REQUEST_COLUMNS, _request_rows),
    "decisions": Table("decisions", DECISION_COLUMNS, _decision_rows),
    "tickets": Table("tickets", TICKET_COLUMNS, _ticket_rows),
    "audit": Table("audit", AUDIT_COLUMNS, _audit_rows),
}


# --- writing -------------------------------------------------------------------------------------

def _value(value: Any, tz: ZoneInfo) -> Any:
    """A cell as JSON has it: times in the calendar's zone, dates ISO, the rest as is."""
    if isinstance(value, datetime):
        return _utc(value).astimezone(tz).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write(out: TextIO, table: Table, rows: Iterable[Row], *, fmt: str, tz: ZoneInfo) -> int:
    """Write `rows` of `table` to `out` as `fmt` as they come; the number written. No rows:
    the CSV header alone, or an empty JSON list."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        for row in rows:
            writer.writerow([_cell(_value(v, tz)) for v in row])
            count += 1
        return count
    out.write("[")
    for row in rows:
        record = dict(zip(table.columns, (_value(v, tz) for v in row), strict=True))
        out.write(("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def export(session: Session, out: TextIO, what: str, *, fmt: str, scope: Scope) -> int:
    """Export `what` (a name of TABLES) in `scope` to `out`; the number of records written."""
    table = TABLES[what]
    return write(out, table, table.rows(session, scope), fmt=fmt, tz=scope.tz)


def columns(what: str) -> Sequence[str]:
    return TABLES[what].columns
