"""The request form's fields and metadata: which inputs there are (named for the docs/rules.md
§1 field they fill), when each is shown and required, the choices of its selects, and the
modal's private_metadata.

Input blocks are named for the field they fill, with one element whose action_id is `value` (or
a `pick_*` action for the selects that reshape the form)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic import Field as Limits  # `Field` here is a form field

from bot.rules.help_text import PRESETS
from bot.rules.identity import ATTRIBUTES
from bot.rules.launch import AUDIENCES
from bot.slack.ids import Action

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


def add_block(name: str) -> str:
    return f"add_{name}"


def remove_block(name: str) -> str:
    return f"remove_{name}"


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
