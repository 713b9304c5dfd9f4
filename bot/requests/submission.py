"""Submit and resubmit: the rules core judges the request with what the store knows.

Judging (parsing, certificates, logo, calendar) is the expensive part and needs only reads,
so a caller can `judge` before its write transaction and hand the `Judgement` to `submit`:
inside the transaction, which on SQLite holds the one write lock, `submit` then only re-reads
the few facts the rules took from the store and, when they are unchanged, inserts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
from bot.requests.rows import attachment_values, insert_request
from bot.requests.transitions import (
    REQUESTS,
    S,
    Topic,
    load,
    load_visible,
    notify,
    transition,
)
from bot.rules import Context, diff, validate
from bot.rules.urls import normalize
from bot.store.models import Attachment, Request, RequestState

Data = RequestModel | Mapping[str, Any]


def submit(session: Session, data: Data, *, actor: Actor, now: datetime,
           calendar: DeployCalendar, files: Mapping[str, bytes] | None = None,
           unreadable: Mapping[str, str] | None = None,
           idempotency_key: str | None = None,
           judged: Judgement | None = None,
           links: Mapping[str, str] | None = None) -> RequestRecord:
    """File a launch, change or staging request.

    Refuses with ValidationFailed(report) when the rules core finds errors (nothing is
    written). With an `idempotency_key`, a repeat (double submit, retried delivery) returns
    the request the first call created. `judged`: what `judge` said of this same data, files
    and time in an earlier read; it is used when the store still says what it said then.
    `links`: where each file (by name) can be opened in Slack, kept with it.
    """
    team = access.filing_team(actor)
    try:
        if judged is not None and judged.holds(session, now=now):
            judgement = judged
        else:
            judgement = _judge(session, data, now=now, calendar=calendar, files=files or {},
                               unreadable=unreadable or {})
    except ValidationFailed:
        # A delivery of the same form (a double submit, a retried delivery) may have filed it
        # already: its request now holds the issuer (ISS-UNIQUE). It is this submission, not
        # a clash.
        existing = _filed(session, idempotency_key)
        if existing is None:
            raise
        return _same_requester(existing, actor)
    assert judgement.request is not None and judgement.columns is not None  # judged ok
    access.require_own_integration(team, judgement.facts.owner_team, judgement.request.issuer)
    values = dict(
        kind=judgement.request.kind.value, state=RequestState.submitted.value, version=1,
        requester_user_id=actor.user_id, requester_team_id=actor.team_id,
        partner_team_id=team,
        idempotency_key=idempotency_key, slip_count=0, submitted_at=now, created_at=now,
        updated_at=now, **judgement.columns)
    kept = attachment_values(judgement.request, judgement.context.files, now, links)
    # Nothing is inserted when a unique index holds the key or the issuer already (see
    # insert_request): a delivery of the same form filed it (answered with its request), or
    # another launch of this issuer did (uq_requests_open_launch_issuer: judged again, now
    # that the racer has committed, for the rule's own refusal).
    row = insert_request(session, values, kept)
    if row is None:
        existing = _filed(session, idempotency_key)
        if existing is not None:
            return _same_requester(existing, actor)
        _rejudge(IntegrityError("INSERT INTO requests ... ON CONFLICT DO NOTHING", None,
                                _Refused("a unique index of requests refused the row")),
                 session, data, now=now, calendar=calendar, files=files or {},
                 unreadable=unreadable or {})
    REQUESTS.record_created(session, row, action="submit", actor=actor, now=now,
                            detail={"target_deploy_date": _iso(row.target_deploy_date)})
    notify(session, row, event="submitted", now=now, card=Topic.review_card,
           data={"target_deploy_date": _iso(row.target_deploy_date)})
    session.flush()
    return row


def filed_with(session: Session, idempotency_key: str, *, actor: Actor) -> RequestRecord | None:
    """The request a first delivery of this form already filed, if any (a double submit or a
    retried delivery answers with it instead of judging the form again)."""
    if not queries.filed_by_key(session, idempotency_key):  # the usual answer: one id read
        return None
    existing = queries.request_by_key(session, idempotency_key)
    return _same_requester(existing, actor) if existing is not None else None


def _filed(session: Session, idempotency_key: str | None) -> Request | None:
    return queries.request_by_key(session, idempotency_key) if idempotency_key else None


class _Refused(Exception):
    """What a unique index said, as the database error of a clash (see `_rejudge`)."""


def resubmit(session: Session, request_id: int | str, data: Data, *, actor: Actor,
             now: datetime, calendar: DeployCalendar, files: Mapping[str, bytes] | None = None,
             unreadable: Mapping[str, str] | None = None,
             links: Mapping[str, str] | None = None) -> RequestRecord:
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
    # A file kept from the previous submission keeps its link.
    links = {**{a.name: a.link for a in row.attachments if a.link}, **(links or {})}
    judgement = _judge(session, data, now=now, calendar=calendar,
                       files={**previous, **(files or {})}, unreadable=unreadable or {},
                       excluding=row.id)
    assert judgement.request is not None and judgement.columns is not None  # judged ok
    access.require_own_integration(row.partner_team_id, judgement.facts.owner_team,
                                   judgement.request.issuer)
    judged = dict(judgement.columns)
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
    row.attachments = _attachments(judgement.request, judgement.context.files, now, links)
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
    return judge(session, data, now=now, calendar=calendar, files=files,
                 unreadable=unreadable, excluding=excluding).report


def _with_previous_files(data: Data, row: Request) -> Data:
    """A resubmission that uploads no new logo or certificates keeps the previous ones (a
    form cannot prefill an upload)."""
    if isinstance(data, RequestModel) or not isinstance(data, Mapping):
        return data
    kept = {name: row.submitted[name] for name in ("logo", "certificates")
            if not data.get(name) and row.submitted.get(name)}
    return {**data, **kept}


@dataclass(frozen=True)
class StoreFacts:
    """All the rules core is told by the store about one request (read in one place, so a
    judgement made in an earlier transaction can be checked with a few indexed reads)."""

    known_issuers: frozenset[str]
    open_request_issuers: frozenset[str]
    integration_id: int | None = None  # a change's integration
    owner_team: int | None = None  # the partner team that owns it
    current: Mapping[str, Any] | None = None  # its configuration as stored
    certificates: Mapping[str, str] | None = None  # the certificate contents it knows


def store_facts(session: Session, request: RequestModel | None, *,
                excluding: int | None = None) -> StoreFacts:
    """Production issuers, issuers held by open requests of the same kind, and for a change
    the integration as it is now."""
    kind = request.kind.value if request else Kind.launch.value
    integration = None
    if request is not None and request.kind is Kind.change and request.issuer:
        integration = queries.integration_by_issuer(session, request.issuer)
    # The rules ask only about this request's issuer: look that one up, not every issuer.
    among = [request.issuer] if request is not None and request.issuer else []
    known, held = queries.issuers_in_use(session, kind, among, excluding=excluding)
    return StoreFacts(
        known_issuers=known, open_request_issuers=held,
        integration_id=integration.id if integration is not None else None,
        owner_team=integration.partner_team_id if integration is not None else None,
        current=dict(integration.configuration) if integration is not None else None,
        certificates=dict(integration.certificates or {}) if integration is not None else None)


def build_context(session: Session, request: RequestModel | None, *, now: datetime,
                  calendar: DeployCalendar, files: Mapping[str, bytes],
                  unreadable: Mapping[str, str], excluding: int | None = None) -> Context:
    """What the store knows, for the rules core (see `store_facts`); a change's certificate
    contents are known files, so they are judged on the target date."""
    return _context(store_facts(session, request, excluding=excluding), now=now,
                    calendar=calendar, files=files, unreadable=unreadable)


def _context(facts: StoreFacts, *, now: datetime, calendar: DeployCalendar,
             files: Mapping[str, bytes], unreadable: Mapping[str, str]) -> Context:
    known_files = dict(files)
    for name, pem in (facts.certificates or {}).items():
        known_files.setdefault(name, pem.encode())
    current = Configuration.model_validate(facts.current) if facts.current is not None else None
    return Context(
        now=now, calendar=calendar, files=known_files, unreadable=dict(unreadable),
        knows_integrations=True, known_issuers=facts.known_issuers,
        open_request_issuers=facts.open_request_issuers, current=current)


@dataclass(frozen=True)
class Judgement:
    """What the rules core said of a request, with the store facts it was told. `columns`
    (what filing it sets) only when it may be filed."""

    request: RequestModel | None
    report: Report
    context: Context
    facts: StoreFacts
    excluding: int | None
    columns: Mapping[str, Any] | None

    def holds(self, session: Session, *, now: datetime) -> bool:
        """Whether filing at `now` in `session` would be judged the same: same time, and the
        store still tells the rules what it told them."""
        return now == self.context.now and self.facts == store_facts(
            session, self.request, excluding=self.excluding)


def judge(session: Session, data: Data, *, now: datetime, calendar: DeployCalendar,
          files: Mapping[str, bytes] | None = None,
          unreadable: Mapping[str, str] | None = None,
          excluding: int | None = None) -> Judgement:
    """Judge `data` with what the store knows now; reads only, files nothing."""
    if isinstance(data, RequestModel):
        request: RequestModel | None = data
    else:
        request, _ = parse_request(dict(data))
    facts = store_facts(session, request, excluding=excluding)
    context = _context(facts, now=now, calendar=calendar, files=files or {},
                       unreadable=unreadable or {})
    # The data as given, not `request`: its shape findings (wrong type, too long) count too.
    report = validate(data, context=context)
    columns = None
    if request is not None and report.ok and request.kind is not Kind.sandbox:
        columns = _judged(request, report, context, facts.integration_id)
    return Judgement(request=request, report=report, context=context, facts=facts,
                     excluding=excluding, columns=columns)


def _judge(session: Session, data: Data, *, now: datetime, calendar: DeployCalendar,
           files: Mapping[str, bytes], unreadable: Mapping[str, str],
           excluding: int | None = None) -> Judgement:
    """`judge`, refusing what may not be filed."""
    judgement = judge(session, data, now=now, calendar=calendar, files=files,
                      unreadable=unreadable, excluding=excluding)
    request, report = judgement.request, judgement.report
    if request is not None and request.kind is Kind.sandbox:
        raise NotARequest(report)
    if request is None or not report.ok:
        raise ValidationFailed(report)
    return judgement


def _rejudge(clash: IntegrityError, session: Session, data: Data, *, now: datetime,
             calendar: DeployCalendar, files: Mapping[str, bytes],
             unreadable: Mapping[str, str], excluding: int | None = None) -> NoReturn:
    """After a unique index refused the write: judge again, now that the racer that won has
    committed, so the partner gets the ValidationFailed (ISS-UNIQUE on `issuer`) the rule gives;
    any other clash is re-raised as it is."""
    _judge(session, data, now=now, calendar=calendar, files=files, unreadable=unreadable,
           excluding=excluding)
    raise clash


def _judged(request: RequestModel, report: Report, context: Context,
            integration_id: int | None) -> dict[str, Any]:
    """The columns a judged request sets (submit and resubmit alike)."""
    normalized, _ = normalize(request)
    change_diff = None
    if request.kind is Kind.change and request.issuer:
        change_diff = diff(context.current, normalized)
    else:
        integration_id = None
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


def _attachments(request: RequestModel, files: Mapping[str, bytes], now: datetime,
                 links: Mapping[str, str] | None = None) -> list[Attachment]:
    """The request's attachment rows (see `attachment_values`)."""
    return [Attachment(**values) for values in attachment_values(request, files, now, links)]


def _same_requester(row: Request, actor: Actor) -> RequestRecord:
    if not access.on_team(actor, row.partner_team_id):
        # Someone else's key: say nothing about their request.
        raise NotAllowed("other_team", action="submit with this key")
    return RequestRecord.of(row)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
