"""Submit and resubmit: the rules core judges the request with what the store knows."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.calendar import DeployCalendar
from bot.kernel import access
from bot.kernel.actors import Actor
from bot.kernel.errors import InvalidTransition, NotAllowed, NotARequest, ValidationFailed
from bot.models import Configuration, Kind, Report, parse_request
from bot.models import Request as RequestModel
from bot.requests import queries
from bot.requests.history import submission_changes
from bot.requests.records import RequestRecord
from bot.requests.transitions import S, Topic, load, load_visible, notify, transition
from bot.rules import Context, diff, validate
from bot.rules.urls import normalize
from bot.store.models import Attachment, AuditEvent, Request, RequestState

Data = RequestModel | Mapping[str, Any]


def submit(session: Session, data: Data, *, actor: Actor, now: datetime,
           calendar: DeployCalendar, files: Mapping[str, bytes] | None = None,
           unreadable: Mapping[str, str] | None = None,
           idempotency_key: str | None = None) -> RequestRecord:
    """File a launch, change or staging request.

    Refuses with ValidationFailed(report) when the rules core finds errors (nothing is
    written). With an `idempotency_key`, a repeat (double submit, retried delivery) returns
    the request the first call created.
    """
    if idempotency_key:
        existing = queries.request_by_key(session, idempotency_key)
        if existing is not None:
            return _same_requester(existing, actor)
    team = access.filing_team(actor)
    try:
        request, report, context = _judge(session, data, now=now, calendar=calendar,
                                          files=files or {}, unreadable=unreadable or {})
    except ValidationFailed:
        # A concurrent delivery of the same form may have committed after the lookup above;
        # its request now holds the issuer (ISS-UNIQUE). It is this submission, not a clash.
        existing = queries.request_by_key(session, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _same_requester(existing, actor)
    row = Request(
        kind=request.kind.value, state=RequestState.submitted.value, version=1,
        requester_user_id=actor.user_id, requester_team_id=actor.team_id,
        partner_team_id=team,
        idempotency_key=idempotency_key, slip_count=0, submitted_at=now, created_at=now,
        updated_at=now, **_judged(session, request, report, context, team))
    row.attachments = _attachments(request, context.files, now)
    # A savepoint: on PostgreSQL a failed INSERT aborts the transaction, and this one must go
    # on to read who won. A racer waits on the unique index it clashes with until the winner
    # commits: a delivery of the same form (idempotency key) or another launch of this issuer
    # (uq_requests_open_launch_issuer).
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as clash:
        existing = queries.request_by_key(session, idempotency_key) if idempotency_key else None
        if existing is not None:
            return _same_requester(existing, actor)
        _rejudge(clash, session, data, now=now, calendar=calendar, files=files or {},
                 unreadable=unreadable or {})
    session.add(AuditEvent(request_id=row.id, actor=actor.user_id, action="submit",
                           from_state=None, to_state=row.state,
                           detail={"target_deploy_date": _iso(row.target_deploy_date)},
                           at=now))
    notify(session, row, event="submitted", now=now, card=Topic.review_card,
           data={"target_deploy_date": _iso(row.target_deploy_date)})
    session.flush()
    return RequestRecord.of(row)


def filed_with(session: Session, idempotency_key: str, *, actor: Actor) -> RequestRecord | None:
    """The request a first delivery of this form already filed, if any (a double submit or a
    retried delivery answers with it instead of judging the form again)."""
    existing = queries.request_by_key(session, idempotency_key)
    return _same_requester(existing, actor) if existing is not None else None


def resubmit(session: Session, request_id: int | str, data: Data, *, actor: Actor,
             now: datetime, calendar: DeployCalendar, files: Mapping[str, bytes] | None = None,
             unreadable: Mapping[str, str] | None = None) -> RequestRecord:
    """The requester's team answers "changes requested" (changes_requested → submitted).

    Files not uploaded again are taken from the previous submission by name. The target
    deploy date is recomputed and never earlier than before.
    """
    row = load_visible(session, request_id, actor)
    if not access.on_team(actor, row.partner_team_id):
        raise NotAllowed("other_team", action="resubmit", request=row.public_id)
    if row.state != S.changes_requested:
        raise InvalidTransition(row.public_id, state=row.state, action="resubmit")
    data = _with_previous_files(data, row)
    if isinstance(data, Mapping) and "kind" not in data:
        data = {**data, "kind": row.kind}
    kind = data.kind.value if isinstance(data, RequestModel) else data.get("kind")
    if kind != row.kind:
        raise InvalidTransition(row.public_id, state=row.state, action=f"resubmit as {kind}")
    previous = {a.name: a.content for a in row.attachments}
    request, report, context = _judge(
        session, data, now=now, calendar=calendar, files={**previous, **(files or {})},
        unreadable=unreadable or {}, excluding=row.id)
    judged = _judged(session, request, report, context, row.partner_team_id)
    # The row keeps only the latest submission: the audit event keeps what this one changed.
    changes = submission_changes(row.submitted, judged["submitted"])
    earlier = row.target_deploy_date
    if earlier is not None and (judged["target_deploy_date"] is None
                                or judged["target_deploy_date"] < earlier):
        judged["target_deploy_date"] = earlier
    try:
        # A launch may take a new issuer here, racing a submit of it: see submit's savepoint.
        with session.begin_nested():
            row = transition(
                session, row, action="resubmit", expected=(S.changes_requested,),
                to=S.submitted, actor=actor, now=now,
                values={**judged, "submitted_at": now, "reviewer_id": None, "decided_by": None,
                        "decided_at": None, "decision_note": None},
                detail={"target_deploy_date": _iso(judged["target_deploy_date"]),
                        "changes": changes})
    except IntegrityError as clash:
        _rejudge(clash, session, data, now=now, calendar=calendar,
                 files={**previous, **(files or {})}, unreadable=unreadable or {},
                 excluding=row.id)
    row.attachments = _attachments(request, context.files, now)
    session.flush()
    notify(session, row, event="resubmitted", now=now,
           data={"target_deploy_date": _iso(row.target_deploy_date)})
    return RequestRecord.of(row)


def preview(session: Session, data: Data, *, now: datetime, calendar: DeployCalendar,
            files: Mapping[str, bytes] | None = None,
            unreadable: Mapping[str, str] | None = None,
            resubmitting: int | str | None = None) -> Report:
    """The report `submit` (or `resubmit` of `resubmitting`) would judge by, without filing:
    the form shows its errors on the fields and its warnings before the final submit."""
    excluding = None
    files = dict(files or {})
    if resubmitting is not None:
        row = load(session, resubmitting)
        excluding = row.id
        files = {**{a.name: a.content for a in row.attachments}, **files}
        data = _with_previous_files(data, row)
    request = data if isinstance(data, RequestModel) else parse_request(dict(data))[0]
    context = build_context(session, request, now=now, calendar=calendar, files=files,
                            unreadable=unreadable or {}, excluding=excluding)
    return validate(request if request is not None else data, context=context)


def _with_previous_files(data: Data, row: Request) -> Data:
    """A resubmission that uploads no new logo or certificates keeps the previous ones (a
    form cannot prefill an upload)."""
    if isinstance(data, RequestModel) or not isinstance(data, Mapping):
        return data
    kept = {name: row.submitted[name] for name in ("logo", "certificates")
            if not data.get(name) and row.submitted.get(name)}
    return {**data, **kept}


def build_context(session: Session, request: RequestModel | None, *, now: datetime,
                  calendar: DeployCalendar, files: Mapping[str, bytes],
                  unreadable: Mapping[str, str], excluding: int | None = None) -> Context:
    """What the store knows, for the rules core: production issuers, issuers held by open
    requests of the same kind, and for a change the integration's current configuration
    (and the certificate contents it knows, so they are judged on the target date)."""
    current: Configuration | None = None
    known_files = dict(files)
    kind = request.kind.value if request else Kind.launch.value
    if request is not None and request.kind is Kind.change and request.issuer:
        integration = queries.integration_by_issuer(session, request.issuer)
        if integration is not None:
            current = Configuration.model_validate(integration.configuration)
            for name, pem in (integration.certificates or {}).items():
                known_files.setdefault(name, pem.encode())
    # The rules ask only about this request's issuer: look that one up, not every issuer.
    among = [request.issuer] if request is not None and request.issuer else []
    # Open requests before integrations: a launch deployed in between (deployed and its
    # integration created in one commit) is then seen by the second read, never missed by both.
    held = queries.open_request_issuers(session, kind, excluding=excluding, among=among)
    return Context(
        now=now, calendar=calendar, files=known_files, unreadable=dict(unreadable),
        knows_integrations=True, known_issuers=queries.known_issuers(session, among),
        open_request_issuers=held, current=current)


def _judge(session: Session, data: Data, *, now: datetime, calendar: DeployCalendar,
           files: Mapping[str, bytes], unreadable: Mapping[str, str],
           excluding: int | None = None) -> tuple[RequestModel, Report, Context]:
    if isinstance(data, RequestModel):
        request: RequestModel | None = data
    else:
        request, _ = parse_request(dict(data))
    context = build_context(session, request, now=now, calendar=calendar, files=files,
                            unreadable=unreadable, excluding=excluding)
    # The data as given, not `request`: its shape findings (wrong type, too long) count too.
    report = validate(data, context=context)
    if request is not None and request.kind is Kind.sandbox:
        raise NotARequest(report)
    if request is None or not report.ok:
        raise ValidationFailed(report)
    return request, report, context


def _rejudge(clash: IntegrityError, session: Session, data: Data, *, now: datetime,
             calendar: DeployCalendar, files: Mapping[str, bytes],
             unreadable: Mapping[str, str], excluding: int | None = None) -> NoReturn:
    """After a unique index refused the write: judge again, now that the racer that won has
    committed, so the partner gets the ValidationFailed (ISS-UNIQUE on `issuer`) the rule gives;
    any other clash is re-raised as it is."""
    _judge(session, data, now=now, calendar=calendar, files=files, unreadable=unreadable,
           excluding=excluding)
    raise clash


def _judged(session: Session, request: RequestModel, report: Report, context: Context,
            team: int | None) -> dict[str, Any]:
    """The columns a judged request sets (submit and resubmit alike), for `team`'s request."""
    normalized, _ = normalize(request)
    integration_id = None
    change_diff = None
    if request.kind is Kind.change and request.issuer:
        integration = queries.integration_by_issuer(session, request.issuer)
        if integration is not None:
            access.require_own_integration(team, integration.partner_team_id, request.issuer)
        integration_id = integration.id if integration else None
        change_diff = diff(context.current, normalized)
    return {
        "issuer": request.issuer,
        "integration_id": integration_id,
        "submitted": normalized.model_dump(mode="json", include=request.given() | {"kind"}),
        "findings": [f.model_dump(mode="json") for f in report.findings],
        "diff": change_diff,
        "earliest_deploy_date": report.earliest_deploy_date,
        "target_deploy_date": report.target_deploy_date or report.earliest_deploy_date,
        "lead_time_days": report.lead_time_days,
    }


def _attachments(request: RequestModel, files: Mapping[str, bytes],
                 now: datetime) -> list[Attachment]:
    """The logo and certificates the request names, exactly as received."""
    named = [("logo", request.logo)] if request.logo else []
    named += [("certificate", name) for name in request.certificates or ()]
    rows: list[Attachment] = []
    for role, name in named:
        content = files.get(name)
        if content is None:
            continue  # a change that keeps the current file: nothing new to carry
        content = bytes(content)
        rows.append(Attachment(role=role, name=name, content=content, size=len(content),
                               sha256=hashlib.sha256(content).hexdigest(), created_at=now))
    return rows


def _same_requester(row: Request, actor: Actor) -> RequestRecord:
    if not access.on_team(actor, row.partner_team_id):
        # Someone else's key: say nothing about their request.
        raise NotAllowed("other_team", action="submit with this key")
    return RequestRecord.of(row)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
