"""Generators of what Slack posts to the bot, valid and mutated: the modals' `state.values`,
their `private_metadata`, block actions with any action_id and value, slash command text.

The envelope (type, user, team, trigger) stays what Slack sends, since Bolt only routes
well-formed envelopes; everything a user, an old message or a stale modal can put inside it
is generated."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import strategies as st

from bot.devtools.view_inputs import state_values
from bot.slack.ids import Action, Callback
from bot.slack.notes import NoteMeta
from bot.slack.requests.decision import review_note_modal
from bot.slack.requests.form.fields import FormMeta
from bot.slack.requests.form.view import request_form
from bot.slack.tickets.form import (
    TicketFormMeta,
    ticket_form,
    ticket_note_modal,
)
from tests.fuzz.slack_world import FILES
from tests.fuzz.strategies import json_values, mutated_docs, texts

ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits"
FILE_IDS = st.one_of(st.sampled_from([*FILES, "F0NOPE", ""]), texts(20))
PUBLIC_IDS = st.one_of(st.sampled_from(["LR-1001", "LR-1002", "LR-9999", "ST-1001", "ST-1",
                                        "lr-1001", "LR-", ""]), texts(30))


def as_json(value: Any) -> Any:
    """What survives Slack's JSON: dates as text, keys as strings."""
    return json.loads(json.dumps(value, default=str))


def _file(file_id: str) -> dict[str, Any]:
    return {"id": file_id, "name": FILES.get(file_id, "unknown.bin")}


# --- element states ------------------------------------------------------------------------

ELEMENT_TYPES = ["plain_text_input", "static_select", "multi_static_select", "checkboxes",
                 "radio_buttons", "datepicker", "file_input", "number_input", "url_text_input",
                 "email_text_input", "users_select", "rich_text_input", "timepicker",
                 "external_select", "overflow", "bogus_input"]
options = st.one_of(
    st.builds(lambda v: {"text": {"type": "plain_text", "text": "x"}, "value": v}, texts()),
    st.builds(lambda v: {"value": v}, json_values(3)), json_values(3))
element_states = st.one_of(
    st.builds(lambda v: {"type": "plain_text_input", "value": v},
              st.one_of(st.none(), texts(3100))),
    st.builds(lambda t, o: {"type": t, "selected_option": o},
              st.sampled_from(["static_select", "radio_buttons"]), st.one_of(st.none(), options)),
    st.builds(lambda t, o: {"type": t, "selected_options": o},
              st.sampled_from(["multi_static_select", "checkboxes"]),
              st.one_of(st.lists(options, max_size=5), json_values(3))),
    st.builds(lambda d: {"type": "datepicker", "selected_date": d},
              st.one_of(st.dates().map(date.isoformat), texts(), st.none())),
    st.builds(lambda f: {"type": "file_input", "files": f},
              st.one_of(st.lists(FILE_IDS.map(_file), max_size=6), json_values(3))),
    st.builds(lambda v: {"type": "number_input", "value": v},
              st.one_of(texts(), st.integers().map(str), st.floats().map(str))),
    st.builds(lambda t, k, v: {"type": t, k: v}, st.sampled_from(ELEMENT_TYPES),
              st.sampled_from(["value", "selected_option", "selected_options", "files",
                               "selected_date", "rich_text_value", "selected_user"]),
              json_values(4)),
    json_values(4),
)


@st.composite
def slack_mutated(draw: st.DrawFn, state: dict[str, Any], known: list[str]) -> dict[str, Any]:
    """`state` (block_id -> action_id -> element state) with Slack-shaped mutations: an input
    of the wrong type, an action_id renamed, a block emptied, added or dropped."""
    state = {block: dict(actions) for block, actions in state.items()}
    for _ in range(draw(st.integers(1, 4))):
        block = draw(st.one_of(st.sampled_from(sorted(state) or ["x"]), st.sampled_from(known),
                               texts(20)))
        op = draw(st.sampled_from(["element", "element", "rename", "empty", "drop", "scalar"]))
        actions = state.get(block)
        actions = actions if isinstance(actions, dict) and actions else {"value": {}}
        if op == "element":
            action_id = next(iter(actions), "value")
            state[block] = {action_id: draw(element_states)}
        elif op == "rename":
            state[block] = {draw(texts(20)): next(iter(actions.values()), {})}
        elif op == "empty":
            state[block] = {}
        elif op == "drop":
            state.pop(block, None)
        else:
            state[block] = draw(json_values(3))
    return state


def states(valid: dict[str, Any], known: list[str]) -> st.SearchStrategy[Any]:
    """A modal's state.values: as filled in, mutated (Slack-shaped or structurally), or
    anything at all."""
    return st.one_of(st.just(valid), slack_mutated(valid, known),
                     mutated_docs(valid, 3).map(as_json), json_values(), st.just({}))


# --- the request form ------------------------------------------------------------------------

LAUNCH = {
    "app_name": "DHS Benefits Portal", "friendly_name": "Benefits Portal",
    "agency": "Department of Examples", "ial": "1", "default_aal": "1",
    "attribute_bundle": ["email", "verified_at"], "issuer": ISSUER,
    "logo": ["F0LOGO"], "certificates": ["F0CERT"],
    "redirect_uris": "https://benefits.example.gov/auth/result",
    "help_text.sign_in": "blank", "help_text.sign_up": "first_time",
    "help_text.forgot_password": "troubleshoot_html", "iaa_number": "LGABCFY210001-0001-0000",
    "application_url": "https://benefits.example.gov/", "audience": "general_public",
    "estimated_annual_registrations": "120000",
    "contacts.program": "Pat Doe - PM - pat.doe@example.gov - 555",
    "contacts.technical": "Sam Roe - Eng - sam.roe@example.gov - 555",
    "attestations": ["iaa_lists_integration", "production_app_created", "ato_environment",
                     "logo_approved"],
}
SAML = {k: v for k, v in LAUNCH.items() if k != "redirect_uris"} | {
    "protocol": "saml", "ial": "2", "default_aal": "2", "logo": ["F0PNG"],
    "certificates": ["F0SAMLCERT"], "attribute_bundle": ["email", "first_name"],
    "issuer": "urn:gov:gsa:SAML:2.0.profiles:sp:sso:ed:grants",
    "failure_to_proof_url": "https://grants.example.gov/help",
    "acs_url": "https://grants.example.gov/saml/acs",
    "return_to_sp_url": "https://grants.example.gov/",
    "assertion_consumer_logout_service_url": "https://grants.example.gov/saml/logout",
    "block_encryption": "aes256-gcm"}
# (FormMeta fields, what the form was built with, what the partner fills in)
SHAPES: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ({"kind": "launch"}, {"protocol": "oidc_private_key_jwt"},
     {**LAUNCH, "protocol": "oidc_private_key_jwt"}),
    ({"kind": "launch"}, {"protocol": "saml", "ial": 2}, SAML),
    ({"kind": "staging"}, {"protocol": "oidc_pkce"},
     {k: v for k, v in LAUNCH.items() if k not in (
         "application_url", "audience", "estimated_annual_registrations", "contacts.program",
         "contacts.technical", "attestations")} | {"protocol": "oidc_pkce"}),
    ({"kind": "change", "issuer": ISSUER}, {},
     {"change_summary": "Add the claims subdomain.", "default_aal": "2",
      "redirect_uris": "https://benefits.example.gov/auth/result\n"
                       "https://claims.benefits.example.gov/auth/result"}),
    ({"kind": "change"}, {}, {"issuer": ISSUER, "change_summary": "x"}),
    ({}, {}, {"kind": "launch"}),
]
FORM_BLOCKS = ["kind", "issuer", *LAUNCH, *SAML, "change_summary", "desired_deploy_date",
               "monthly_active_users", "contacts.billing", "push_notification_url"]


def form_metadata(meta: dict[str, Any], key: str) -> st.SearchStrategy[str]:
    """private_metadata as the bot wrote it (most often), altered, or garbage."""
    fields = st.fixed_dictionaries({"key": st.one_of(st.just(key), texts(40))}, optional={
        "kind": st.one_of(st.sampled_from(["launch", "change", "staging", "sandbox"]), texts()),
        "request": PUBLIC_IDS, "issuer": st.one_of(st.just(ISSUER), texts()),
        "warned": texts(20),
        "files": st.one_of(st.dictionaries(st.sampled_from(["logo", "certificates", "x"]),
                                           st.lists(FILE_IDS, max_size=3)), json_values(3))})
    return st.one_of(
        st.just(FormMeta(key=key, **meta).dump()), st.just(FormMeta(key=key, **meta).dump()),
        fields.map(json.dumps), json_values().map(json.dumps), texts(3100))


@st.composite
def form_submissions(draw: st.DrawFn) -> tuple[dict[str, Any], Any, str]:
    """(the request form as built, state.values, private_metadata)."""
    meta, shape, filled = draw(st.sampled_from(SHAPES))
    key = draw(st.uuids()).hex  # a fresh idempotency key: each case may file a request
    if filled.get("issuer", "").startswith("urn:") and meta.get("kind") != "change":
        filled = {**filled, "issuer": f"{filled['issuer']}:{key[:12]}"}  # not yet filed
    view = request_form(FormMeta(key=key, **meta), shape)
    valid = state_values(view, {k: v for k, v in filled.items() if _has_block(view, k)},
                         file_info=_file)
    return view, draw(states(valid, FORM_BLOCKS)), draw(form_metadata(meta, key))


def _has_block(view: dict[str, Any], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in view["blocks"])


# --- the support ticket form -----------------------------------------------------------------

TICKET = {
    "category": "redirect problem", "environment": "production", "issuer": ISSUER,
    "summary": "Redirect fails after sign-in", "description": "Users land on an error page.",
    "started": "2026-11-24 09:30 ET", "ongoing": ["true"], "browser": "Firefox 132",
    "steps_to_reproduce": "1. Open the app\n2. Sign in",
    "production_account_email": "pat.doe@example.gov",
    "technical_contact": "Sam Roe - Eng - sam.roe@example.gov - 555", "attachments": ["F0PNG"],
}
TICKET_BLOCKS = [*TICKET, "integration"]


@st.composite
def ticket_submissions(draw: st.DrawFn) -> tuple[dict[str, Any], Any, str]:
    key = draw(st.uuids()).hex
    integrations = draw(st.sampled_from([{}, {ISSUER: "Benefits Portal"}]))
    view = ticket_form(TicketFormMeta(key=key), integrations=integrations)
    valid = state_values(view, TICKET, file_info=_file)
    metadata = draw(st.one_of(st.just(TicketFormMeta(key=key).dump()), texts(200),
                              json_values().map(json.dumps)))
    return view, draw(states(valid, TICKET_BLOCKS)), metadata


# --- the note modals (reviewer's comment or reason, support's reply, the partner's answer) ---

NOTE_CALLBACKS = [Callback.changes_comment, Callback.reject_reason, Callback.ticket_reply,
                  Callback.ticket_resolve, Callback.ticket_answer]


@st.composite
def note_submissions(draw: st.DrawFn) -> tuple[dict[str, Any], Any, str, str]:
    """(the modal as built, state.values, private_metadata, who submits it)."""
    callback = draw(st.sampled_from(NOTE_CALLBACKS))
    target = draw(PUBLIC_IDS)
    channel = draw(st.one_of(st.none(), st.sampled_from(["C0REVIEW", "C0SUPPORT", "CNOPE"])))
    if callback in (Callback.changes_comment, Callback.reject_reason):
        meta = NoteMeta(record=target, channel=channel)
        view = review_note_modal(callback, meta)
    else:
        meta = NoteMeta(record=target, channel=channel)
        view = ticket_note_modal(callback, meta, draw(st.one_of(st.none(), texts())))
    valid = state_values(view, {"note": draw(texts(2100))})
    metadata = draw(st.one_of(st.just(meta.model_dump_json()), st.just(meta.model_dump_json()),
                              texts(200), json_values().map(json.dumps),
                              st.fixed_dictionaries({}, optional={
                                  "record": json_values(2), "ticket": json_values(2),
                                  "channel": json_values(2)}).map(json.dumps)))
    user = draw(st.sampled_from(["U0REVIEW", "U0PARTNER", "U0OTHER", "U0NOBODY"]))
    return view, draw(states(valid, ["note"])), metadata, user


# --- block actions -----------------------------------------------------------------------------

ACTION_IDS = st.one_of(st.sampled_from([a.value for a in Action]), texts(30))
button_values = st.one_of(
    PUBLIC_IDS, texts(),
    st.fixed_dictionaries({"request": PUBLIC_IDS, "day": st.one_of(
        st.dates().map(date.isoformat), texts())}).map(json.dumps),  # a manifest button's value
    json_values(3).map(json.dumps))


@st.composite
def actions(draw: st.DrawFn, action_ids: st.SearchStrategy[str] = ACTION_IDS
            ) -> list[dict[str, Any]]:
    """The `actions` list of a block_actions payload: one click (mostly), with any value."""
    def one(action_id: str) -> dict[str, Any]:
        action: dict[str, Any] = {"action_id": action_id, "block_id": draw(texts(20)),
                                  "action_ts": "1764082800.000000"}
        kind = draw(st.sampled_from(["button", "button", "select", "other", "bare"]))
        if kind == "button":
            action.update(type="button", text={"type": "plain_text", "text": "Go"})
            if draw(st.integers(0, 5)):  # a button without a value has no `value` key
                action["value"] = draw(st.one_of(button_values, button_values, json_values(2)))
        elif kind == "select":
            action.update(type="static_select", selected_option=draw(st.one_of(
                st.none(), options)))
        elif kind == "other":
            action["type"] = draw(st.sampled_from(ELEMENT_TYPES))
            action.update(draw(st.dictionaries(st.sampled_from(
                ["value", "selected_option", "selected_options", "selected_date"]),
                json_values(3), max_size=2)))
        return action
    return draw(st.one_of(
        st.lists(action_ids, min_size=1, max_size=1).map(lambda ids: [one(i) for i in ids]),
        st.lists(action_ids, min_size=2, max_size=3).map(lambda ids: [one(i) for i in ids]),
    ))


RESHAPES = st.sampled_from([Action.pick_kind.value, Action.pick_protocol.value,
                            Action.pick_ial.value, Action.pick_integration.value])

# --- slash commands ----------------------------------------------------------------------------

VERBS = ["", "new", "status", "list", "withdraw", "help", "STATUS", "Withdraw", "bogus"]
command_texts = st.one_of(
    texts(300),
    st.tuples(st.sampled_from(VERBS), st.lists(st.one_of(PUBLIC_IDS, texts(40)), max_size=4))
    .map(lambda t: " ".join([t[0], *t[1]])),
)
