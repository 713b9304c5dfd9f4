"""The request form: opening it, reshaping it as the partner picks kind, protocol, IAL or
integration, and filing it (errors on the fields, warnings once before the final submit)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.kernel import access
from bot.models import Report, Severity, parse_request
from bot.requests import (
    Actor,
    Judgement,
    RequestRecord,
    ValidationFailed,
    WorkflowError,
    filed_with,
    get_request,
    judge,
    preview,
    queries,
    resubmit,
    submit,
)
from bot.slack.blocks import clip, escape
from bot.slack.files import FetchedFiles, fetch_files, payload_files
from bot.slack.ids import Action, Callback
from bot.slack.listening import (
    actor,
    clicked_value,
    form_button,
    tell,
)
from bot.slack.refusals import refusal_text
from bot.slack.requests.form.fields import (
    KINDS,
    LIST_EDITS,
    PICK_KIND,
    FormMeta,
    add_block,
    remove_block,
)
from bot.slack.requests.form.findings import form_errors
from bot.slack.requests.form.reading import apply_list_edits, changed_only, read_state
from bot.slack.requests.form.view import confirmation, list_fits, request_form
from bot.slack.requests.probing import probe_later
from bot.slack.runtime import Runtime
from bot.slack.team_picker import TEAM_BLOCK, acting_for, pick_team, team_choices
from bot.slack.view_state import picked_value

log = logging.getLogger(__name__)
RESHAPERS = (Action.pick_kind, Action.pick_protocol, Action.pick_ial, Action.pick_integration)
STORE_FAILED = ("We could not store your request just now, so nothing was filed. "
                "Please submit again in a moment.")


@dataclass(frozen=True)
class _TeamIntegrations:
    """The team's production integrations, keyed by row ID (the picker's option values)."""

    labels: dict[str, str]
    issuers: dict[str, str]
    configs: dict[str, dict[str, Any]]

    def id_of(self, issuer: str | None) -> str | None:
        return next((i for i, known in self.issuers.items() if known == issuer), None)


def _integrations(runtime: Runtime, who: Actor) -> _TeamIntegrations:
    with runtime.store.reader() as session:
        rows = access.own(who, queries.integrations(session))
        return _TeamIntegrations(
            labels={str(i.id): f"{i.friendly_name or i.issuer} ({i.issuer})" for i in rows},
            issuers={str(i.id): i.issuer for i in rows},
            configs={str(i.id): dict(i.configuration) for i in rows})


def _form(runtime: Runtime, who: Actor, meta: FormMeta, values: dict[str, Any],
          **extra: Any) -> dict[str, Any]:
    team = _integrations(runtime, who) if meta.kind == "change" else \
        _TeamIntegrations({}, {}, {})
    picked = team.id_of(meta.issuer)
    return request_form(meta, values, integrations=team.labels, picked=picked,
                        current=team.configs.get(picked or ""),
                        teams=team_choices(runtime, who), **extra)


def _reopened_values(runtime: Runtime, record: RequestRecord) -> tuple[dict[str, Any], list[str]]:
    """The request's values to prefill, and the list fields it edits line by line: on a change,
    every list field (as lines to add and remove against production); on a launch or staging
    request, a list too long for its input (against the request as it is)."""
    values = {k: v for k, v in record.submitted.items() if k not in ("logo", "certificates")}
    listed: list[str] = []
    production: dict[str, Any] = {}
    if record.kind == "change":
        with runtime.store.reader() as session:
            row = queries.integration_by_issuer(session, record.issuer or "")
            production = dict(row.configuration) if row is not None else {}
    for name in LIST_EDITS:
        asked = values.get(name)
        if record.kind == "change" and isinstance(asked, list):
            base = [str(v) for v in production.get(name) or []]
            del values[name]
            values[add_block(name)] = [v for v in asked if v not in base]
            values[remove_block(name)] = [v for v in base if v not in asked]
        elif not list_fits(asked):
            del values[name]
            listed.append(name)
    return values, listed


def open_form(runtime: Runtime, client: WebClient, trigger_id: str, who: Actor,
              record: RequestRecord | None = None) -> None:
    """A new form, or (from "Reopen the form") the request prefilled for resubmission."""
    meta, values, notice = FormMeta.new(), {}, None
    if record is not None:
        # Uploads cannot be prefilled; left empty, the previous files are kept.
        values, listed = _reopened_values(runtime, record)
        meta = FormMeta.new(kind=record.kind, request=record.public_id, listed=listed,
                            issuer=record.issuer if record.kind == "change" else None)
        if record.decision_note:
            notice = f":pencil2: *Asked for:* {escape(record.decision_note)}"
    client.views_open(trigger_id=trigger_id,
                      view=_form(runtime, who, meta, values, notice=notice))


def prefilled_form(runtime: Runtime, who: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    """The form filled from a checked configuration (only what the request model reads; a
    value of the wrong shape is left for the partner to type). Uploads cannot be prefilled."""
    request, _ = parse_request(dict(data))
    if request is None or request.kind.value not in ("launch", "change", "staging"):
        meta, values = FormMeta.new(), {}
    else:
        kind = request.kind.value
        meta = FormMeta.new(kind=kind, issuer=request.issuer if kind == "change" else None)
        values = {k: v for k, v in request.model_dump(mode="json", exclude_none=True).items()
                  if k not in ("logo", "certificates", "kind")}
    return _form(runtime, who, meta, values, notice=(
        ":mag: Prefilled from the configuration you checked. Attach the logo and "
        "certificates, review each field, then submit: nothing is filed before that."))


def _signature(report: Report) -> str:
    warnings = sorted(f"{f.rule}:{f.field}" for f in report.warnings)
    return hashlib.sha256("|".join(warnings).encode()).hexdigest()[:16]


def register(app: App, runtime: Runtime) -> None:
    app.action(Action.new_request.value)(form_button(runtime, open_form))

    @app.action(Action.reopen.value)
    def reopen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        try:
            with runtime.store.reader() as session:
                record = get_request(session, clicked_value(body), actor=who)
        except WorkflowError as exc:
            tell(client, body, who.user_id, refusal_text(exc))
            return
        open_form(runtime, client, body["trigger_id"], who, record)

    for action in RESHAPERS:
        app.action(action.value)(_reshape(runtime))

    @app.view(Callback.request_form.value)
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _submit(runtime, ack, body, client)


def _reshape(runtime: Runtime) -> Any:
    def reshape(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A select that changes which inputs the form shows: rebuild it with what was typed."""
        ack()
        view = body.get("view")
        if not isinstance(view, dict):  # a form select clicked outside a form: nothing to do
            return
        who = actor(runtime, body)
        meta = FormMeta.parse(view.get("private_metadata"))
        values = read_state(view.get("state", {}).get("values", {})).values
        picked = body["actions"][0]
        chosen = picked_value(picked)
        # Only an option the form offered is taken: the metadata must stay small and valid.
        if picked["action_id"] == Action.pick_kind:
            meta = meta.model_copy(update={"kind": chosen if chosen in KINDS else None,
                                           "issuer": None, "warned": None})
        elif picked["action_id"] == Action.pick_integration:
            # Production's values are shown above the inputs, never prefilled: what the
            # partner leaves empty stays as it is.
            issuer = _integrations(runtime, who).issuers.get(chosen or "")
            meta = meta.model_copy(update={"issuer": issuer, "warned": None})
            values = {"change_summary": values.get("change_summary")}
        client.views_update(view_id=view["id"], hash=view.get("hash"),
                            view=_form(runtime, who, meta, values))
    return reshape


def _submit(runtime: Runtime, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    view = body["view"]
    who = actor(runtime, body)
    meta = FormMeta.parse(view.get("private_metadata"))
    form = read_state(view.get("state", {}).get("values", {}))
    values = dict(form.values)
    values["kind"] = meta.kind or values.get("kind")
    if values["kind"] == "sandbox":
        ack()  # the modal said what to do instead; closing it is all there is
        return
    if values["kind"] not in ("launch", "change", "staging"):
        ack(response_action="errors", errors={"kind": PICK_KIND})
        return
    picked = values.pop(TEAM_BLOCK, None)
    acting = acting_for(who, picked) if not meta.request else who
    if acting is None:
        ack(response_action="errors", errors={TEAM_BLOCK: pick_team("request")})
        return
    who = acting
    if meta.kind is None:  # picked, but the form has not followed yet: show it
        meta = meta.model_copy(update={"kind": values["kind"]})
        ack(response_action="update", view=_form(runtime, who, meta, form.values))
        return
    if meta.issuer:
        values["issuer"] = meta.issuer
    elif values["kind"] == "change" and meta.request is None:
        # The picker's value is the integration's row ID; the request names its issuer.
        values["issuer"] = _integrations(runtime, who).issuers.get(values.get("issuer") or "",
                                                                   values.get("issuer"))
    values, edit_errors = apply_list_edits(values, _list_base(runtime, meta, values, who))
    if edit_errors:
        ack(response_action="errors", errors=edit_errors)
        return
    # Uploads survive the warnings round trip in the metadata (file inputs cannot be refilled).
    file_ids = {**meta.files, **{k: v for k, v in form.file_ids.items() if v}}
    # Slack waits 3 seconds for this answer: the downloads get half of it. The submission's
    # own file objects say where to download; IDs kept from a warnings round trip ask files.info.
    fetched = fetch_files(client, [i for ids in file_ids.values() for i in ids],
                          settings=runtime.settings, timeout=1.5,
                          known=payload_files(view.get("state", {}).get("values")))
    for name, ids in file_ids.items():
        names = [fetched.names[i] for i in ids if i in fetched.names]
        if names:
            values[name] = names[0] if name == "logo" else names
    now = runtime.clock()
    judgement: Judgement | None = None
    try:
        # Judging reads only; the write transaction (one writer at a time on SQLite) is
        # taken just to file, with the judgement made here.
        with runtime.store.reader() as session:
            record = filed_with(session, meta.key, actor=who) if not meta.request else None
            if record is None:
                if values["kind"] == "change":
                    current = queries.integration_by_issuer(session, values.get("issuer") or "")
                    if current is not None:
                        values = changed_only(values, current.configuration)
                if meta.request:
                    report = preview(session, values, now=now, calendar=runtime.calendar,
                                     files=fetched.files, unreadable=fetched.unreadable,
                                     resubmitting=meta.request)
                else:
                    judgement = judge(session, values, now=now, calendar=runtime.calendar,
                                      files=fetched.files, unreadable=fetched.unreadable)
                    report = judgement.report
        if record is not None:  # a double submit or a retried delivery: already filed
            ack(response_action="update", view=_confirmation(record))
            return
        if not report.ok:
            with runtime.store.reader() as session:  # a first delivery may have just filed it
                record = filed_with(session, meta.key, actor=who) if not meta.request else None
            if record is not None:
                ack(response_action="update", view=_confirmation(record))
                return
            ack(response_action="errors", errors=form_errors(report, view))
            return
        if report.warnings and meta.warned != _signature(report):
            # Shown once: the same warnings again on the next submit go through.
            meta = meta.model_copy(update={"warned": _signature(report), "files": file_ids})
            ack(response_action="update", view=_form(
                runtime, who, meta, form.values, warnings=report.warnings))
            return
        with runtime.store.unit_of_work() as session:
            record = _file(runtime, session, meta, values, who, fetched, now, judgement)
    except ValidationFailed as exc:  # the store changed between preview and filing
        ack(response_action="errors", errors=form_errors(exc.report, view))
        return
    except WorkflowError as exc:
        ack(response_action="errors", errors=_on_first_input(view, refusal_text(exc)))
        return
    except SQLAlchemyError:
        log.exception("could not store a request from %s", who.user_id)
        ack(response_action="errors", errors=_on_first_input(view, STORE_FAILED))
        return
    runtime.poke_relay()
    ack(response_action="update", view=_confirmation(record))
    probe_later(runtime, record)  # after the answer: probes take seconds


def _list_base(runtime: Runtime, meta: FormMeta, values: dict[str, Any],
               who: Actor) -> dict[str, Any]:
    """What lines to add and remove apply to: production's configuration on a change, else
    the request being reopened as it is."""
    if not any(k.startswith(("add_", "remove_")) for k in values):
        return {}
    with runtime.store.reader() as session:
        if values.get("kind") == "change":
            row = queries.integration_by_issuer(session, values.get("issuer") or "")
            return dict(row.configuration) if row is not None else {}
        if meta.request:
            try:
                return dict(get_request(session, meta.request, actor=who).submitted)
            except WorkflowError:
                return {}
    return {}


def _confirmation(record: RequestRecord) -> dict[str, Any]:
    cutoff = (record.target_deploy_date - timedelta(days=record.lead_time_days)
              if record.target_deploy_date and record.lead_time_days else None)
    return confirmation(record.public_id, record.target_deploy_date, cutoff,
                        [f for f in record.findings if f.severity is Severity.warning])


def _file(runtime: Runtime, session: Session, meta: FormMeta, values: dict[str, Any],
          who: Actor, fetched: FetchedFiles, now: datetime,
          judgement: Judgement | None) -> RequestRecord:
    if meta.request:
        return resubmit(session, meta.request, values, actor=who, now=now,
                        calendar=runtime.calendar, files=fetched.files,
                        unreadable=fetched.unreadable, links=fetched.links)
    return submit(session, values, actor=who, now=now, calendar=runtime.calendar,
                  files=fetched.files, unreadable=fetched.unreadable,
                  idempotency_key=meta.key, judged=judgement, links=fetched.links)


def _on_first_input(view: dict[str, Any], message: str) -> dict[str, str]:
    first = next((b["block_id"] for b in view.get("blocks", ()) if b.get("type") == "input"),
                 "kind")
    return {first: clip(message, 2000)}  # a refusal may quote what was typed
