"""The request form: opening it, reshaping it as the partner picks kind, protocol, IAL or
integration, and filing it (errors on the fields, warnings once before the final submit)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import replace
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
from bot.slack.requests.form import (
    KINDS,
    PICK_KIND,
    PICK_TEAM,
    TEAM_BLOCK,
    FormMeta,
    changed_only,
    confirmation,
    form_errors,
    picked_value,
    read_state,
    request_form,
)
from bot.slack.requests.probing import probe_later
from bot.slack.runtime import Runtime
from bot.teams.manage import teams_by_id

log = logging.getLogger(__name__)
RESHAPERS = (Action.pick_kind, Action.pick_protocol, Action.pick_ial, Action.pick_integration)
STORE_FAILED = ("We could not store your request just now, so nothing was filed. "
                "Please submit again in a moment.")


def _integrations(runtime: Runtime, who: Actor) -> tuple[dict[str, str], dict[str, dict]]:
    """The team's production integrations: labels for the picker, configurations by issuer."""
    with runtime.store.reader() as session:
        rows = access.own(who, queries.integrations(session))
        return ({i.issuer: f"{i.friendly_name or i.issuer} ({i.issuer})" for i in rows},
                {i.issuer: dict(i.configuration) for i in rows})


def team_choices(runtime: Runtime, who: Actor) -> dict[str, str]:
    """The teams someone on several partner teams picks from (team ID -> name); else none."""
    if len(who.teams) < 2:
        return {}
    with runtime.store.reader() as session:
        return {str(t.id): f"{t.name} ({t.slug})" for t in teams_by_id(session, who.teams)}


def picked_team(who: Actor, values: dict[str, Any]) -> Actor | None:
    """`who` acting for the team picked on the form (taken out of `values`): `who` as is when
    on one team, None when on several and none of theirs was picked."""
    picked = values.pop(TEAM_BLOCK, None)
    if len(who.teams) < 2:
        return who
    team = int(picked) if isinstance(picked, str) and picked.isascii() and picked.isdigit() \
        and len(picked) < 12 else None
    return replace(who, acting_for=team) if team in who.teams else None


def _form(runtime: Runtime, who: Actor, meta: FormMeta, values: dict[str, Any],
          **extra: Any) -> dict[str, Any]:
    labels, configs = _integrations(runtime, who) if meta.kind == "change" else ({}, {})
    return request_form(meta, values, integrations=labels,
                        current=configs.get(meta.issuer or ""),
                        teams=team_choices(runtime, who), **extra)


def open_form(runtime: Runtime, client: WebClient, trigger_id: str, who: Actor,
              record: RequestRecord | None = None) -> None:
    """A new form, or (from "Reopen the form") the request prefilled for resubmission."""
    meta, values, notice = FormMeta.new(), {}, None
    if record is not None:
        meta = FormMeta.new(kind=record.kind, request=record.public_id,
                            issuer=record.issuer if record.kind == "change" else None)
        # Uploads cannot be prefilled; left empty, the previous files are kept.
        values = {k: v for k, v in record.submitted.items()
                  if k not in ("logo", "certificates")}
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
            _, configs = _integrations(runtime, who)
            issuer = chosen if chosen in configs else None
            meta = meta.model_copy(update={"issuer": issuer, "warned": None})
            values = {**configs.get(issuer or "", {}), "change_summary":
                      values.get("change_summary")}
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
    acting = picked_team(who, values) if not meta.request else who
    if acting is None:
        ack(response_action="errors", errors={TEAM_BLOCK: PICK_TEAM})
        return
    who = acting
    if meta.kind is None:  # picked, but the form has not followed yet: show it
        meta = meta.model_copy(update={"kind": values["kind"]})
        ack(response_action="update", view=_form(runtime, who, meta, form.values))
        return
    if meta.issuer:
        values["issuer"] = meta.issuer
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
