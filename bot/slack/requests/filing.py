"""The request form: opening it (new, reopened for resubmission, or prefilled from a checked
configuration) and reshaping it as the partner picks kind, protocol, IAL or integration.
Filing it is `bot.slack.requests.submitting`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.kernel import access
from bot.models import parse_request
from bot.requests import (
    Actor,
    RequestRecord,
    WorkflowError,
    get_request,
    queries,
)
from bot.slack.ids import Action
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
    FormMeta,
    add_block,
    remove_block,
)
from bot.slack.requests.form.reading import read_state
from bot.slack.requests.form.view import list_fits, request_form
from bot.slack.runtime import Runtime
from bot.slack.team_picker import team_choices
from bot.slack.text import escape
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


def team_integrations(runtime: Runtime, who: Actor) -> _TeamIntegrations:
    """The integrations `who`'s team has in production."""
    with runtime.store.reader() as session:
        rows = access.own(who, queries.integrations(session))
        return _TeamIntegrations(
            labels={str(i.id): f"{i.friendly_name or i.issuer} ({i.issuer})" for i in rows},
            issuers={str(i.id): i.issuer for i in rows},
            configs={str(i.id): dict(i.configuration) for i in rows})


def form_view(runtime: Runtime, who: Actor, meta: FormMeta, values: dict[str, Any],
              **extra: Any) -> dict[str, Any]:
    """The form as `meta` shapes it, with `values` in its inputs."""
    team = team_integrations(runtime, who) if meta.kind == "change" else \
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
                      view=form_view(runtime, who, meta, values, notice=notice))


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
    return form_view(runtime, who, meta, values, notice=(
        ":mag: Prefilled from the configuration you checked. Attach the logo and "
        "certificates, review each field, then submit: nothing is filed before that."))


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
            issuer = team_integrations(runtime, who).issuers.get(chosen or "")
            meta = meta.model_copy(update={"issuer": issuer, "warned": None})
            values = {"change_summary": values.get("change_summary")}
        client.views_update(view_id=view["id"], hash=view.get("hash"),
                            view=form_view(runtime, who, meta, values))
    return reshape
