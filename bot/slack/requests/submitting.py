"""The request form submitted: read what the partner typed and uploaded, file it
(`bot.requests.filing.file_form`) and say what the form shows next: errors on its fields,
the warnings once before the final submit, or the request filed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.kernel.actors import Actor
from bot.kernel.errors import WorkflowError
from bot.models import Severity
from bot.requests import get_request, queries
from bot.requests.filing import Filed, NotFiled, Outcome, Uploads, file_form
from bot.requests.records import RequestRecord
from bot.slack.files import fetch_files, payload_files
from bot.slack.ids import Callback
from bot.slack.listening import FormAnswer, Submitted, form_listener
from bot.slack.refusals import refusal_text
from bot.slack.requests.filing import STORE_FAILED, form_view, team_integrations
from bot.slack.requests.form.fields import PICK_KIND, FormMeta
from bot.slack.requests.form.findings import form_errors
from bot.slack.requests.form.reading import FormInput, apply_list_edits, changed_only, read_state
from bot.slack.requests.form.view import confirmation
from bot.slack.requests.probing import probe_later
from bot.slack.runtime import Runtime
from bot.slack.team_picker import TEAM_BLOCK, team_for
from bot.slack.text import clip

log = logging.getLogger(__name__)
FILE_SECONDS = 1.5  # Slack waits 3 seconds for the answer: the downloads get half of it


def register(app: App, runtime: Runtime) -> None:
    app.view(Callback.request_form.value)(form_listener(runtime, answer))


@dataclass(frozen=True)
class _Request:
    """A form read to the point of filing: the request's values, who files it, its files."""

    values: dict[str, Any]
    who: Actor
    meta: FormMeta
    form: FormInput
    file_ids: dict[str, list[str]]
    uploads: Uploads


def answer(runtime: Runtime, client: WebClient, sent: Submitted) -> FormAnswer:
    """What the request form shows once submitted."""
    try:
        read = _read(runtime, client, sent)  # reads the store too (a change's integration)
        if isinstance(read, FormAnswer):
            return read
        outcome = file_form(runtime.store, read.values, actor=read.who, now=runtime.clock(),
                            calendar=runtime.calendar, uploads=read.uploads, key=read.meta.key,
                            resubmitting=read.meta.request, warned=read.meta.warned)
    except WorkflowError as exc:
        return FormAnswer.errors(_on_first_input(sent.view, refusal_text(exc)))
    except SQLAlchemyError:
        log.exception("could not store a request from %s", sent.who.user_id)
        return FormAnswer.errors(_on_first_input(sent.view, STORE_FAILED))
    return _shown(runtime, sent, read, outcome)


def _read(runtime: Runtime, client: WebClient, sent: Submitted) -> _Request | FormAnswer:
    """The form's request with its files, or what the form shows instead (it needs a kind, a
    team, or its lines to remove are not there)."""
    meta = FormMeta.parse(sent.metadata)
    form = read_state(sent.state)
    values = dict(form.values)
    values["kind"] = meta.kind or values.get("kind")
    if values["kind"] == "sandbox":
        return FormAnswer()  # the modal said what to do instead; closing it is all there is
    if values["kind"] not in ("launch", "change", "staging"):
        return FormAnswer.errors({"kind": PICK_KIND})
    picked = values.pop(TEAM_BLOCK, None)
    who = team_for(sent.who, picked, "request") if not meta.request else sent.who
    if isinstance(who, FormAnswer):
        return who
    if meta.kind is None:  # picked, but the form has not followed yet: show it
        meta = meta.model_copy(update={"kind": values["kind"]})
        return FormAnswer.update(form_view(runtime, who, meta, form.values))
    if meta.issuer:
        values["issuer"] = meta.issuer
    elif values["kind"] == "change" and meta.request is None:
        # The picker's value is the integration's row ID; the request names its issuer.
        values["issuer"] = team_integrations(runtime, who).issuers.get(
            values.get("issuer") or "", values.get("issuer"))
    current = _production(runtime, values)
    values, edit_errors = apply_list_edits(values, _list_base(runtime, meta, values, who,
                                                              current))
    if edit_errors:
        return FormAnswer.errors(edit_errors)
    # Uploads survive the warnings round trip in the metadata (file inputs cannot be refilled).
    file_ids = {**meta.files, **{k: v for k, v in form.file_ids.items() if v}}
    uploads = _uploads(runtime, client, sent, file_ids, values)
    if current is not None:
        values = changed_only(values, current)
    return _Request(values, who, meta, form, file_ids, uploads)


def _production(runtime: Runtime, values: dict[str, Any]) -> dict[str, Any] | None:
    """A change's integration as it is in production, if there is one."""
    if values["kind"] != "change":
        return None
    with runtime.store.reader() as session:
        row = queries.integration_by_issuer(session, values.get("issuer") or "")
        return dict(row.configuration) if row is not None else None


def _list_base(runtime: Runtime, meta: FormMeta, values: dict[str, Any], who: Actor,
               production: dict[str, Any] | None) -> dict[str, Any]:
    """What lines to add and remove apply to: production's configuration on a change, else
    the request being reopened as it is."""
    if not any(k.startswith(("add_", "remove_")) for k in values):
        return {}
    if values.get("kind") == "change":
        return production or {}
    if meta.request:
        try:
            with runtime.store.reader() as session:
                return dict(get_request(session, meta.request, actor=who).submitted)
        except WorkflowError:
            return {}
    return {}


def _uploads(runtime: Runtime, client: WebClient, sent: Submitted,
             file_ids: dict[str, list[str]], values: dict[str, Any]) -> Uploads:
    """The files, downloaded at once; each file input's value in `values` becomes the names
    they got. The submission's own file objects say where to download; IDs kept from a
    warnings round trip ask files.info."""
    fetched = fetch_files(client, [i for ids in file_ids.values() for i in ids],
                          settings=runtime.settings, timeout=FILE_SECONDS,
                          known=payload_files(sent.state))
    for name, ids in file_ids.items():
        names = [fetched.names[i] for i in ids if i in fetched.names]
        if names:
            values[name] = names[0] if name == "logo" else names
    return Uploads(fetched.files, fetched.unreadable, fetched.links)


def _shown(runtime: Runtime, sent: Submitted, read: _Request, outcome: Outcome) -> FormAnswer:
    if isinstance(outcome, Filed):
        if not outcome.now:  # a double submit or a retried delivery: already filed
            return FormAnswer.update(_confirmation(outcome.record))
        record = outcome.record
        runtime.poke_relay()
        # Probes take seconds: after the answer.
        return FormAnswer.update(_confirmation(record), lambda: probe_later(runtime, record))
    if isinstance(outcome, NotFiled):
        return FormAnswer.errors(form_errors(outcome.report, sent.view))
    meta = read.meta.model_copy(update={"warned": outcome.signature, "files": read.file_ids})
    return FormAnswer.update(form_view(runtime, read.who, meta, read.form.values,
                                       warnings=outcome.report.warnings))


def _confirmation(record: RequestRecord) -> dict[str, Any]:
    cutoff = (record.target_deploy_date - timedelta(days=record.lead_time_days)
              if record.target_deploy_date and record.lead_time_days else None)
    return confirmation(record.public_id, record.target_deploy_date, cutoff,
                        [f for f in record.findings if f.severity is Severity.warning])


def _on_first_input(view: dict[str, Any], message: str) -> dict[str, str]:
    first = next((b["block_id"] for b in view.get("blocks", ()) if b.get("type") == "input"),
                 "kind")
    return {first: clip(message, 2000)}  # a refusal may quote what was typed
