"""The request modal: one builder for launch, change and staging, its private_metadata, the
reading of `view.state.values` back into a request, and findings mapped onto its inputs.

Input blocks are named for the docs/rules.md §1 field they fill, with one element whose action_id
is `value` (or a `pick_*` action for the selects that reshape the form)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic import Field as Limits  # `Field` here is a form field

from bot.models import Finding, Report, Severity
from bot.rules.help_text import PRESETS
from bot.rules.identity import ATTRIBUTES
from bot.rules.launch import AUDIENCES
from bot.slack.blocks import clip, context, divider, escape, long_date, plain, section
from bot.slack.ids import Action, Block, Callback
from bot.slack.team_picker import TEAM_BLOCK, team_block

TITLE = "Deployment request"  # Slack allows 24 characters
METADATA_LIMIT = 3000  # characters of private_metadata Slack holds
# What a form adds to its metadata as it goes (the warnings' signature, up to 10 uploads an
# input): metadata read back must leave room for it. The bot's own is a few hundred characters.
METADATA_ROOM = 1000
MAX_FILES = 10  # Slack's most for one file input
MAX_INPUT = 3000  # characters Slack lets a plain_text_input hold (and prefill)
# List fields a form edits line by line (add these, remove those) rather than as a whole, when
# there is a list in place already: the list may not fit one input (200 redirect URIs), and a
# form must never prefill a clipped list that would then be submitted as the new one.
LIST_EDITS = ("redirect_uris",)
SLACK_FILE_ID = re.compile(r"F[0-9A-Z]{1,31}")
FileIds = Annotated[list[str], Limits(max_length=MAX_FILES)]
SANDBOX = ("*Sandbox changes need no request* (ENV-SANDBOX). They take effect immediately: "
           "make them on the partner dashboard.")
PICK_KIND = "Choose what you are requesting."
KINDS = {"launch": "Launch: a new integration to production",
         "change": "Change: an existing production integration",
         "staging": "Staging: the ATO-ed staging environment",
         "sandbox": "Sandbox: no request needed"}
PROTOCOLS = {"oidc_private_key_jwt": "OpenID Connect, private_key_jwt",
             "oidc_pkce": "OpenID Connect, PKCE", "saml": "SAML"}
IALS = {"1": "IAL 1: authentication only", "2": "IAL 2: identity verification"}
AALS = {"1": "AAL 1 (MFA, remember device)", "2": "AAL 2", "3": "AAL 3 (phishing-resistant)"}
ENCRYPTIONS = {"aes256-gcm": "aes256-gcm", "aes256-cbc": "aes256-cbc"}
AUDIENCE_LABELS = {a: a.replace("_", " ").capitalize() for a in AUDIENCES}
ATTESTATIONS = {
    "iaa_lists_integration": "A signed IAA lists this integration",
    "production_app_created": "A separate production configuration app exists on the dashboard",
    "ato_environment": "The URLs point to an ATO-approved environment",
    "logo_approved": "The logo is approved",
    "dedicated_domain": "Any .com host is dedicated to the agency (not a shared platform)",
}
ATTESTATIONS_BY_KIND = {
    "launch": tuple(ATTESTATIONS),
    "staging": ("iaa_lists_integration", "ato_environment", "dedicated_domain"),
    "change": ("iaa_lists_integration", "dedicated_domain"),
}


class FormMeta(BaseModel):
    """The modal's private_metadata (Slack gives it back on every action and submission)."""

    kind: str | None = None
    key: str  # idempotency key: a double submit or a retried delivery files one request
    request: str | None = None  # the public ID being resubmitted
    issuer: str | None = None  # a change's integration
    warned: str | None = None  # the warnings already shown; the same ones again go through
    listed: list[str] = []  # list fields edited line by line against the request reopened
    files: dict[Literal["logo", "certificates"], FileIds] = {}  # uploads already made

    @classmethod
    def new(cls, **values: Any) -> FormMeta:
        return cls(key=uuid.uuid4().hex, **values)

    @classmethod
    def parse(cls, text: str | None) -> FormMeta:
        """The metadata Slack gave back. Anything the bot cannot have written (another shape,
        more than Slack holds) starts a new form rather than being carried on."""
        try:
            meta = cls.model_validate_json(text or "")
        except ValidationError:
            return cls.new()
        return meta if len(meta.dump()) <= METADATA_LIMIT - METADATA_ROOM else cls.new()

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)


@dataclass(frozen=True)
class Shape:
    """What decides which inputs the form shows."""

    kind: str | None
    protocol: str | None = None
    ial: int | None = None

    @property
    def saml(self) -> bool:
        return self.protocol == "saml"


@dataclass(frozen=True)
class Field:
    name: str  # the docs/rules.md §1 field and the block_id
    label: str
    element: str  # text | multiline | lines | select | multi | number | date | checks | file
    hint: str | None = None
    options: Mapping[str, str] | None = None
    shown: Callable[[Shape], bool] = lambda shape: True
    required: Callable[[Shape], bool] = lambda shape: False
    action: Action = Action.value
    placeholder: str | None = None
    filetypes: tuple[str, ...] = ()
    max_files: int = 1


def _launch(shape: Shape) -> bool:
    return shape.kind == "launch"


def _new(shape: Shape) -> bool:
    return shape.kind in ("launch", "staging")


def _oidc(shape: Shape) -> bool:
    return not shape.saml


def _saml(shape: Shape) -> bool:
    return shape.saml


# In form order; `nearest_block` also uses this order to place an error with no input.
FIELDS: tuple[Field, ...] = (
    Field("app_name", "App name (as in the IAA)", "text", required=_new,
          hint="Do not use environment names such as Prod or Production."),
    Field("friendly_name", "Friendly name", "text", required=_new,
          hint="The name users see when signing in."),
    Field("agency", "Agency", "text", required=_new),
    Field("description", "Description", "multiline"),
    Field("protocol", "Protocol", "select", options=PROTOCOLS, required=_new,
          action=Action.pick_protocol),
    Field("ial", "Level of service", "select", options=IALS, required=_new,
          action=Action.pick_ial),
    Field("default_aal", "Default AAL", "select", options=AALS),
    Field("attribute_bundle", "Attribute bundle", "multi",
          options={a: a for a in ATTRIBUTES}),
    Field("issuer", "Issuer", "text", shown=_new, required=_new,
          placeholder="urn:gov:gsa:openidconnect.profiles:sp:sso:AGENCY:APP"),
    Field("logo", "Logo (PNG or SVG)", "file", filetypes=("png", "svg"), required=_new,
          hint="At most 50 KB. On a change, leave empty to keep the current logo."),
    Field("certificates", "Public certificates (PEM)", "file", max_files=5,
          filetypes=("pem", "crt", "cer", "txt"),
          hint="Needed for SAML and private_key_jwt. On a change, leave empty to keep them."),
    Field("redirect_uris", "Redirect URIs", "lines", shown=_oidc,
          hint="One per line."),
    Field("push_notification_url", "Push notification URL", "text",
          hint="Optional. A new or changed one needs 21 days' notice."),
    Field("failure_to_proof_url", "Failure to Proof URL", "text",
          shown=lambda s: s.ial == 2, required=lambda s: _new(s) and s.ial == 2,
          hint="Where users go when they cannot finish identity verification."),
    Field("acs_url", "Assertion Consumer Service URL", "text", shown=_saml,
          required=lambda s: _new(s) and s.saml),
    Field("return_to_sp_url", "Return to SP URL", "text", shown=_saml,
          required=lambda s: _new(s) and s.saml),
    Field("assertion_consumer_logout_service_url", "Assertion Consumer Logout Service URL",
          "text", shown=_saml, required=lambda s: _new(s) and s.saml),
    Field("sp_initiated_login_url", "SP-initiated login URL", "text", shown=_saml),
    Field("block_encryption", "SAML assertion encryption", "select", options=ENCRYPTIONS,
          shown=_saml, required=lambda s: _new(s) and s.saml),
    Field("signed_response_message_requested", "Signed response message", "checks",
          options={"true": "Sign the whole SAML response"}, shown=_saml),
    Field("help_text.sign_in", "Sign-in help text", "select",
          options={p: p for p in PRESETS["sign_in"]}),
    Field("help_text.sign_up", "Sign-up help text", "select",
          options={p: p for p in PRESETS["sign_up"]}),
    Field("help_text.forgot_password", "Forgot-password help text", "select",
          options={p: p for p in PRESETS["forgot_password"]}),
    Field("iaa_number", "IAA number (GTC-Order-Mod)", "text", shown=_new, required=_new,
          placeholder="LGABCFY210001-0001-0000"),
    Field("application_url", "Application URL", "text", shown=_launch, required=_launch),
    Field("audience", "Audience", "select", options=AUDIENCE_LABELS, shown=_launch,
          required=_launch),
    Field("estimated_annual_registrations", "Estimated registrations a year", "number",
          shown=_launch, required=_launch),
    Field("monthly_active_users", "Monthly active users", "number", shown=_launch),
    Field("contacts.program", "Program contact", "text", shown=_launch, required=_launch,
          placeholder="First Last - Title - email - phone"),
    Field("contacts.technical", "Technical contact", "text", shown=_launch, required=_launch,
          placeholder="First Last - Title - email - phone"),
    Field("contacts.billing", "Billing contact", "text", shown=_launch),
    Field("contacts.help_desk", "Help desk (URL or contact)", "text", shown=_launch),
    Field("change_summary", "What changes, and why", "multiline",
          shown=lambda s: s.kind == "change", required=lambda s: s.kind == "change"),
    Field("desired_deploy_date", "Desired deploy date", "date",
          hint="Optional: the earliest possible deploy day when empty."),
    Field("expedite_justification", "Expedite: why it cannot wait", "multiline",
          hint="Only to ask for a deploy day before its cutoff (an expiring certificate, a "
               "moved endpoint): why it cannot wait. Two reviewers must approve it."),
    Field("attestations", "I confirm", "checks", options=ATTESTATIONS),
)
BY_NAME = {f.name: f for f in FIELDS}
ORDER = ["kind", *(f.name for f in FIELDS)]
NESTED = ("help_text", "contacts")


# --- building the view ---------------------------------------------------------------------

def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label, 75), "value": value}


def _element(field: Field, value: Any, shape: Shape) -> dict[str, Any]:
    element: dict[str, Any] = {"action_id": field.action.value}
    options = dict(field.options or {})
    if field.name == "attestations":
        options = {k: options[k] for k in ATTESTATIONS_BY_KIND.get(shape.kind or "", options)}
    if field.element in ("text", "multiline", "lines"):
        element["type"] = "plain_text_input"
        element["multiline"] = field.element != "text"
        if field.placeholder:
            element["placeholder"] = plain(field.placeholder, 150)
        text = "\n".join(value) if isinstance(value, list) else value
        # Never clipped: a clipped prefill would be submitted as the new value. Builders
        # only pass what fits (list fields in place are edited line by line instead).
        if text not in (None, "") and len(str(text)) <= MAX_INPUT:
            element["initial_value"] = str(text)
    elif field.element in ("select", "multi"):
        element["type"] = "static_select" if field.element == "select" else \
            "multi_static_select"
        element["options"] = [_option(v, label) for v, label in options.items()]
        chosen = [str(v) for v in (value if isinstance(value, list) else [value])
                  if v is not None and str(v) in options]
        if chosen and field.element == "select":
            element["initial_option"] = _option(chosen[0], options[chosen[0]])
        elif chosen:
            element["initial_options"] = [_option(v, options[v]) for v in chosen]
    elif field.element == "number":
        element.update(type="number_input", is_decimal_allowed=False, min_value="0")
        if isinstance(value, int) and not isinstance(value, bool):
            element["initial_value"] = str(value)
    elif field.element == "date":
        element["type"] = "datepicker"
        if value:
            element["initial_date"] = str(value)
    elif field.element == "checks":
        element["type"] = "checkboxes"
        element["options"] = [_option(v, label) for v, label in options.items()]
        selected = _checked(field, value)
        if selected:
            element["initial_options"] = [_option(v, options[v]) for v in selected
                                          if v in options]
    elif field.element == "file":
        element.update(type="file_input", filetypes=list(field.filetypes),
                       max_files=field.max_files)
    return element


def _checked(field: Field, value: Any) -> list[str]:
    if field.name == "attestations" and isinstance(value, Mapping):
        return [k for k, v in value.items() if v is True]
    return ["true"] if value is True else []


def _input(field: Field, value: Any, shape: Shape) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input", "block_id": field.name, "label": plain(field.label, 2000),
        "element": _element(field, value, shape),
        "optional": not field.required(shape) or field.element == "checks",
    }
    if field.hint:
        block["hint"] = plain(field.hint, 2000)
    if field.action is not Action.value:
        block["dispatch_action"] = True
    return block


def _kind_block(kind: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select", "action_id": Action.pick_kind.value,
        "placeholder": plain("Choose what to request"),
        "options": [_option(k, label) for k, label in KINDS.items()]}
    if kind in KINDS:
        element["initial_option"] = _option(kind, KINDS[kind])
    return {"type": "input", "block_id": "kind", "dispatch_action": True,
            "label": plain("Request"), "element": element}


def _integration_block(integrations: Mapping[str, str], picked: str | None,
                       issuer: str | None) -> dict[str, Any]:
    """The picker of the team's integrations, keyed by their row IDs: an issuer may be longer
    than the 150 characters Slack allows an option's value."""
    if not integrations:  # nothing known for this team: name the issuer
        return _input(Field("issuer", "Issuer of the production integration", "text",
                            required=lambda s: True), issuer, Shape("change"))
    element: dict[str, Any] = {
        "type": "static_select", "action_id": Action.pick_integration.value,
        "placeholder": plain("Choose your integration"),
        "options": [_option(i, clip(label, 75)) for i, label in integrations.items()][:100]}
    if picked in integrations:
        element["initial_option"] = _option(picked, clip(integrations[picked], 75))
    return {"type": "input", "block_id": "issuer", "dispatch_action": True,
            "label": plain("Integration to change"), "element": element}


def nested_value(values: Mapping[str, Any], name: str) -> Any:
    """`values['help_text']['sign_in']` for 'help_text.sign_in'."""
    if "." in name:
        outer, inner = name.split(".", 1)
        parent = values.get(outer)
        return parent.get(inner) if isinstance(parent, Mapping) else None
    return values.get(name)


def request_form(meta: FormMeta, values: Mapping[str, Any], *,
                 integrations: Mapping[str, str] | None = None, picked: str | None = None,
                 current: Mapping[str, Any] | None = None,
                 warnings: Iterable[Finding] = (), notice: str | None = None,
                 teams: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The modal for `meta.kind` with `values` filled in. For a change, `integrations` are the
    team's (row ID -> label), `picked` the chosen one's ID and `current` its configuration.
    `teams`: the partner teams to pick from (someone on several), shown on a new request.

    Nothing from production is prefilled on a change (what is left empty stays as it is), and
    list fields in place (production's, or `meta.listed` of the request reopened) are edited
    line by line: lines to add, lines to remove."""
    kind = meta.kind
    shape = Shape(kind, protocol=values.get("protocol"), ial=_int(values.get("ial")))
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(section(notice, block_id=Block.notice.value))
    warnings = list(warnings)
    if warnings:
        blocks.append(section(warnings_text(warnings), block_id=Block.warnings.value))
    if meta.request is None:
        blocks.append(_kind_block(kind))
        if teams and len(teams) > 1:
            blocks.append(team_block(teams, values.get(TEAM_BLOCK), "request"))
    view: dict[str, Any] = {"type": "modal", "callback_id": Callback.request_form.value,
                            "title": plain(TITLE, 24), "close": plain("Cancel", 24),
                            "private_metadata": meta.dump(), "blocks": blocks}
    if kind == "sandbox":
        blocks.append(section(SANDBOX))
        view["submit"] = plain("OK", 24)
        return view
    if kind not in ("launch", "change", "staging"):
        blocks.append(context("Pick what you are requesting; the form follows."))
        view["submit"] = plain("Continue", 24)
        return view
    if kind == "change":
        if meta.request is None:
            blocks.append(_integration_block(integrations or {}, picked, meta.issuer))
        if meta.issuer is None and integrations:
            view["submit"] = plain("Continue", 24)  # ISS-FORMAT asks for the integration
            return view
        if current:
            blocks.append(section(current_text(current), block_id=Block.current.value))
        blocks.append(context("Change only what must change; every other value stays as it "
                              "is in production."))
    blocks.append(divider())
    for f in FIELDS:
        if not f.shown(shape):
            continue
        if f.name in LIST_EDITS and (kind == "change" or f.name in meta.listed):
            base = (current or {}).get(f.name) if kind == "change" else None
            blocks += _list_edit_blocks(f, values, base, shape)
        else:
            blocks.append(_input(f, nested_value(values, f.name), shape))
    view["submit"] = plain("Submit anyway" if warnings else
                           "Resubmit" if meta.request else "Submit", 24)
    return view


def add_block(name: str) -> str:
    return f"add_{name}"


def remove_block(name: str) -> str:
    return f"remove_{name}"


def _list_edit_blocks(field: Field, values: Mapping[str, Any], base: Sequence[Any] | None,
                      shape: Shape) -> list[dict[str, Any]]:
    label = field.label.lower()
    now = f"the {len(base)} in place" if base else "those in place"
    add = Field(add_block(field.name), f"{field.label}: add", "lines",
                hint=f"One per line. Only these are added; {now} stay as they are.")
    remove = Field(remove_block(field.name), f"{field.label}: remove", "lines",
                   hint=f"One per line, exactly as it is now. Leave empty to remove no {label}.")
    return [_input(add, values.get(add.name), shape),
            _input(remove, values.get(remove.name), shape)]


def apply_list_edits(values: Mapping[str, Any], base: Mapping[str, Any]
                     ) -> tuple[dict[str, Any], dict[str, str]]:
    """`values` with each list field's lines to add and remove applied to its list in `base`
    (production's, or the request reopened): what the partner left alone stays exactly as it
    is, in its order. Errors (block -> message) for lines to remove that are not there."""
    out = dict(values)
    errors: dict[str, str] = {}
    for name in LIST_EDITS:
        add = _lines(out.pop(add_block(name), None))
        remove = _lines(out.pop(remove_block(name), None))
        if not add and not remove:
            continue
        current = [str(v) for v in base.get(name) or []]
        missing = [line for line in remove if line not in current]
        if missing:
            errors[remove_block(name)] = clip(
                f"Not among the {len(current)} in place, so they cannot be removed (copy them "
                "exactly): " + ", ".join(missing), 2000)
            continue
        kept = [v for v in current if v not in remove]
        out[name] = kept + [line for line in dict.fromkeys(add) if line not in kept]
    return out, errors


def _lines(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def list_fits(value: Any) -> bool:
    """Whether a list prefills its input whole (one per line)."""
    return not isinstance(value, list) or len("\n".join(map(str, value))) <= MAX_INPUT


def warnings_text(warnings: Iterable[Finding],
                  heading: str = "*Please look at these before you submit* (you can still "
                                 "submit):") -> str:
    lines = [f"• `{f.rule}` {escape(f.message)}" for f in warnings]
    return clip(f":warning: {heading}\n" + "\n".join(lines), 3000)


def current_text(current: Mapping[str, Any]) -> str:
    shown = ["protocol", "ial", "default_aal", "redirect_uris", "acs_url",
             "push_notification_url", "failure_to_proof_url", "block_encryption"]
    lines = [f"*{name}*" + (f" ({len(current[name])})" if isinstance(current[name], list)
                            else "") + f": {escape(_show(current[name]))}"
             for name in shown if current.get(name) not in (None, [], "")]
    return clip("*In production now*\n" + "\n".join(lines), 3000,
                note=" (shortened here; everything you do not change stays as it is)")


def _show(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- reading a submission ------------------------------------------------------------------

@dataclass(frozen=True)
class FormInput:
    values: dict[str, Any]  # the request as typed, docs/rules.md §1 shape (files as names later)
    file_ids: dict[str, list[str]]  # logo / certificates -> uploaded Slack file IDs


def listed(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list Slack sends (selected_options, files); anything else is none."""
    return [item for item in value if isinstance(item, Mapping)] \
        if isinstance(value, list) else []


def picked_value(state: Mapping[str, Any]) -> str | None:
    """The value of a select's chosen option (in a submission or in the action that picked
    it), when it is text."""
    option = state.get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


def _element_value(state: Mapping[str, Any]) -> Any:
    kind = state.get("type")
    if kind in ("static_select", "radio_buttons"):
        return picked_value(state)
    if kind in ("multi_static_select", "checkboxes"):
        return [o.get("value") for o in listed(state.get("selected_options"))]
    if kind == "datepicker":
        return state.get("selected_date")
    if kind == "file_input":
        return [f.get("id") for f in listed(state.get("files"))]
    return state.get("value")


def read_state(state_values: Any) -> FormInput:
    """`view.state.values` -> the request values and the uploaded file IDs. Tolerant: a block
    it does not know or a value of the wrong shape is left out, never an exception."""
    values: dict[str, Any] = {}
    file_ids: dict[str, list[str]] = {}
    if not isinstance(state_values, Mapping):
        return FormInput(values=values, file_ids=file_ids)
    for block_id, actions in state_values.items():
        if not isinstance(actions, Mapping) or not actions:
            continue
        state = next(iter(actions.values()))
        if not isinstance(state, Mapping):
            continue
        raw = _element_value(state)
        field = BY_NAME.get(block_id) or _EDIT_FIELDS.get(block_id)
        if block_id == "kind" or field is None:
            if block_id in ("kind", "issuer", TEAM_BLOCK) and isinstance(raw, str):
                values[block_id] = raw
            continue
        if field.element == "file":
            ids = [i for i in _texts(raw) if SLACK_FILE_ID.fullmatch(i)]
            file_ids[block_id] = ids[:MAX_FILES]
            continue
        value = _convert(field, raw)
        if value is None:
            continue
        if "." in block_id:
            outer, inner = block_id.split(".", 1)
            values.setdefault(outer, {})[inner] = value
        else:
            values[block_id] = value
    return FormInput(values=values, file_ids=file_ids)


_EDIT_FIELDS = {b: Field(b, b, "lines") for name in LIST_EDITS
                for b in (add_block(name), remove_block(name))}


def _texts(raw: Any) -> list[str]:
    return [item for item in raw if isinstance(item, str)] if isinstance(raw, list) else []


def _convert(field: Field, raw: Any) -> Any:
    """One input's value as the request holds it. What no such input sends (a list from a
    text input, a number from a select) is left out, as if nothing had been entered."""
    if field.element == "checks":
        return _checks(field, _texts(raw))
    if field.element == "multi":
        return _texts(raw) or None
    if not isinstance(raw, str) or raw == "":
        return None
    if field.element == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if field.name in ("ial", "default_aal") or field.element == "number":
        number = _int(raw)
        return number if number is not None else str(raw)  # the rules core says what's wrong
    if field.element == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return raw
    return raw.strip()


def _checks(field: Field, selected: list[Any]) -> Any:
    if field.name == "attestations":
        return {k: k in selected for k in ATTESTATIONS}
    return "true" in selected


def changed_only(values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """A change records only what changes: drop every value equal to production's."""
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if name in NESTED and isinstance(value, Mapping):
            base = current.get(name) or {}
            inner = {k: v for k, v in value.items() if base.get(k) != v}
            if inner:
                kept[name] = inner
        elif name in ("kind", "issuer", "change_summary", "attestations",
                      "desired_deploy_date") or current.get(name) != value:
            kept[name] = value
    return kept


# --- findings on the inputs ----------------------------------------------------------------

def block_of(field: str | None) -> str | None:
    """The input block a finding's field belongs to: 'redirect_uris[1]' -> 'redirect_uris',
    'attestations.dedicated_domain' -> 'attestations'; 'help_text.sign_in' keeps its own."""
    if not field:
        return None
    name = field.split("[", 1)[0]
    if name in BY_NAME:
        return name
    return name.split(".", 1)[0]


def nearest_block(field: str | None, blocks: list[str]) -> str:
    """The input the error shows on: its own, else the nearest one in form order (a field
    with no input of its own is never lost)."""
    name = block_of(field)
    if name in blocks:
        return name
    position = ORDER.index(name) if name in ORDER else 0
    return min(blocks, key=lambda b: (abs(ORDER.index(b) - position) if b in ORDER
                                      else len(ORDER), ORDER.index(b) if b in ORDER else 0))


def form_errors(report: Report, view: Mapping[str, Any]) -> dict[str, str]:
    """`response_action: errors` for a report's errors, on the view's input blocks."""
    blocks = [b["block_id"] for b in view.get("blocks", ())
              if b.get("type") == "input" and "block_id" in b]
    errors: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.severity is Severity.error and blocks:
            errors.setdefault(nearest_block(finding.field, blocks), []).append(
                f"{finding.message} ({finding.rule})")
    return {block: clip(" · ".join(messages), 2000) for block, messages in errors.items()}


def confirmation(record_id: str, target: date | None, cutoff: date | None,
                 warnings: Iterable[Finding]) -> dict[str, Any]:
    """What the modal turns into once the request is filed."""
    lines = [f"*{record_id}* is filed. Reviewers will look at it; you will get a DM at each "
             "step.", f"*Target deploy date:* {long_date(target)}"]
    if cutoff:
        lines.append(f"It made the cutoff of {long_date(cutoff)} for that deploy.")
    blocks = [section("\n".join(lines))]
    warnings = list(warnings)
    if warnings:
        blocks.append(section(warnings_text(warnings, "*Warnings on this request:*")))
    return {"type": "modal", "title": plain("Request filed", 24), "close": plain("Done", 24),
            "blocks": blocks}

