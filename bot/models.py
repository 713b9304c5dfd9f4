"""Pydantic models of the request file (docs/rules.md §1), support tickets, findings and reports.

Enumerated values (protocol, ial, audience, ...) are kept as plain values here so that a bad
value is reported by its own rule (PROTO-ENUM, IAL-ENUM, ...) instead of a generic type error.
`parse_request` turns anything the models refuse into REQ-* findings rather than an exception.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

M = TypeVar("M", bound="BaseModel")


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class Kind(StrEnum):
    launch = "launch"
    change = "change"
    staging = "staging"
    sandbox = "sandbox"  # not a request: answered with ENV-SANDBOX


URL_FIELDS: tuple[str, ...] = (
    "redirect_uris",
    "push_notification_url",
    "failure_to_proof_url",
    "return_to_sp_url",
    "acs_url",
    "assertion_consumer_logout_service_url",
    "sp_initiated_login_url",
    "application_url",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HelpText(_Strict):
    sign_in: str | None = None
    sign_up: str | None = None
    forgot_password: str | None = None


class Contacts(_Strict):
    program: str | None = None
    technical: str | None = None
    billing: str | None = None
    help_desk: str | None = None


class Attestations(_Strict):
    iaa_lists_integration: bool | None = None
    production_app_created: bool | None = None
    ato_environment: bool | None = None
    logo_approved: bool | None = None
    dedicated_domain: bool | None = None


# What the store keeps of these (integrations and requests columns): longer is refused when
# filing, on its field, rather than failing a later step (PostgreSQL enforces the lengths).
NAME_MAX = 255
ISSUER_MAX = 1024


class Configuration(_Strict):
    """The integration's configuration: what a production configuration app holds."""

    app_name: str | None = None
    friendly_name: str | None = Field(None, max_length=NAME_MAX)
    agency: str | None = Field(None, max_length=NAME_MAX)
    description: str | None = None
    protocol: str | None = None
    ial: int | None = None
    default_aal: int | None = None
    attribute_bundle: list[str] | None = None
    issuer: str | None = Field(None, max_length=ISSUER_MAX)
    logo: str | None = None
    certificates: list[str] | None = None
    redirect_uris: list[str] | None = None
    push_notification_url: str | None = None
    failure_to_proof_url: str | None = None
    return_to_sp_url: str | None = None
    acs_url: str | None = None
    assertion_consumer_logout_service_url: str | None = None
    sp_initiated_login_url: str | None = None
    block_encryption: str | None = None
    signed_response_message_requested: bool | None = None
    help_text: HelpText | None = None


CONFIG_FIELDS: tuple[str, ...] = tuple(Configuration.model_fields)


class Request(Configuration):
    """A launch, change or staging request (docs/rules.md §1)."""

    kind: Kind
    iaa_number: str | None = None
    application_url: str | None = None
    audience: str | None = None
    estimated_annual_registrations: int | None = None
    monthly_active_users: int | None = None
    contacts: Contacts | None = None
    desired_deploy_date: date | None = None
    # Asks for desired_deploy_date although it misses the cutoff (CAL-EXPEDITE): why it cannot
    # wait. Two reviewers must approve such a request.
    expedite_justification: str | None = None
    attestations: Attestations | None = None
    change_summary: str | None = None

    def given(self) -> set[str]:
        """The top-level fields the requester actually gave."""
        values = self.__dict__  # the fields' values, without an attribute lookup each
        return {name for name in self.model_fields_set if values[name] is not None}


class SupportTicket(_Strict):
    category: str | None = None
    environment: Literal["sandbox", "staging", "production"] | None = None
    issuer: str | None = Field(None, max_length=ISSUER_MAX)
    summary: str | None = None
    description: str | None = None
    started: str | None = None
    ongoing: bool | None = None
    browser: str | None = None
    steps_to_reproduce: str | None = None
    production_account_email: str | None = None
    technical_contact: str | None = None


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str
    severity: Severity
    field: str | None = None
    message: str


_setattr = object.__setattr__


def trusted(model: type[M], values: dict[str, Any]) -> M:
    """A `model` from values that are already of their fields' types, every field given: what
    `model_construct` makes, without its per-field alias and default lookups (which cost more
    than most rules). Only for models without private attributes or extra fields."""
    made = model.__new__(model)
    _setattr(made, "__dict__", values)
    _setattr(made, "__pydantic_fields_set__", set(values))
    _setattr(made, "__pydantic_extra__", None)
    _setattr(made, "__pydantic_private__", None)
    return made


class Report(BaseModel):
    kind: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    earliest_deploy_date: date | None = None
    target_deploy_date: date | None = None
    lead_time_days: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.warning]

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.model_dump(mode="json")}


def field_path(loc: tuple[int | str, ...]) -> str:
    """('redirect_uris', 1) -> 'redirect_uris[1]'; ('attestations', 'x') -> 'attestations.x'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "model_type": "a mapping of named fields",
    "model_attributes_type": "a mapping of named fields",
    "dict_type": "a mapping of named fields",
}


def _error_finding(err: dict[str, Any]) -> Finding:
    path = field_path(tuple(err["loc"]))
    if err["type"] == "extra_forbidden":
        return Finding(rule="REQ-UNKNOWN", severity=Severity.error, field=path,
                       message=f"unknown field '{path}' (check the spelling against "
                               "docs/rules.md §1)")
    if path == "kind":
        return Finding(rule="REQ-TYPE", severity=Severity.error, field="kind",
                       message="kind must be one of launch, change, staging")
    expected = _TYPE_WORDS.get(err["type"])
    message = f"must be {expected}" if expected else err["msg"]
    if err["type"] == "string_too_long":
        message = f"is too long: at most {err['ctx']['max_length']} characters"
    return Finding(rule="REQ-TYPE", severity=Severity.error, field=path,
                   message=f"{path} {message}")


def _drop(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the value an error points at (the innermost mapping key on its path)."""
    keys = list(loc)
    while keys and isinstance(keys[-1], int):
        keys.pop()  # a bad list item drops the whole list
    if not keys:
        return False
    parent = data
    for key in keys[:-1]:
        found = (key in parent if isinstance(parent, dict) else
                 isinstance(parent, list) and isinstance(key, int) and key < len(parent))
        if found:
            parent = parent[key]
        else:
            return False
    if isinstance(parent, dict) and keys[-1] in parent:
        del parent[keys[-1]]
        return True
    return False


@cache
def _list_fields(model: type[BaseModel]) -> tuple[str, ...]:
    # Once per model: rendering every annotation as text cost more than judging a request.
    return tuple(name for name, info in model.model_fields.items()
                 if "list[" in str(info.annotation))


# A blank redirect URI keeps its dashboard rule's name; every other list says REQ-BLANK.
_BLANK_RULE = {"redirect_uris": "URL-NORM"}


def _clean_lists(model: type[BaseModel], data: dict[str, Any]) -> list[Finding]:
    """Blank entries (empty text, null) are dropped the same way in every list field, with a
    note; an entry that is not text is a finding on that entry (by its index in the file) and
    the rest of the list is still judged."""
    findings: list[Finding] = []
    for name in _list_fields(model):
        items = data.get(name)
        if not isinstance(items, list):
            continue
        kept, blanks = [], 0
        for i, item in enumerate(items):
            if item is None or (isinstance(item, str) and not item.strip()):
                blanks += 1
            elif isinstance(item, str):
                kept.append(item)
            else:
                found = _TYPE_NAMES.get(type(item).__name__, type(item).__name__)
                findings.append(Finding(rule="REQ-TYPE", severity=Severity.error,
                                        field=f"{name}[{i}]",
                                        message=f"{name}[{i}] must be text, not {found}"))
        if blanks:
            rule = _BLANK_RULE.get(name, "REQ-BLANK")
            what = "1 blank entry" if blanks == 1 else f"{blanks} blank entries"
            findings.append(Finding(rule=rule, severity=Severity.info, field=name,
                                    message=f"{what} dropped from {name}"))
        data[name] = kept
    return findings


_TYPE_NAMES = {"int": "a number", "float": "a number", "bool": "true/false",
               "dict": "a mapping", "list": "a list", "date": "a date", "datetime": "a date"}


def _parse_lenient(
    model: type[M], data: dict[str, Any], defaults: dict[str, Any]
) -> tuple[M, list[Finding]]:
    data = dict(data)  # _clean_lists replaces top-level lists only
    findings = _clean_lists(model, data)
    copied = False
    for _ in range(64):  # each pass removes at least one bad value
        try:
            return model.model_validate({**defaults, **data}), findings
        except ValidationError as exc:
            errors = exc.errors()
        if not copied:  # bad values are dropped from a copy; a valid request is not copied
            data, copied = _copy(data), True
        dropped, reported = False, set()
        for err in errors:
            loc = tuple(err["loc"])
            key = tuple(part for part in loc if not isinstance(part, int))
            if key not in reported:  # one finding per field, not one per list item
                reported.add(key)
                findings.append(_error_finding(err))
            dropped = _drop(data, loc) or dropped
        if not dropped:
            break
    return model.model_validate(defaults), findings


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def parse_request(data: Any) -> tuple[Request | None, list[Finding]]:
    """A request file's content -> (Request, findings about its shape). Never raises.

    Returns no request when `kind` is missing or unknown: nothing else can be judged then.
    """
    if not isinstance(data, dict):
        return None, [Finding(rule="REQ-TYPE", severity=Severity.error, field=None,
                              message="a request must be a mapping of fields (docs/rules.md §1)")]
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in Kind.__members__:
        return None, [_error_finding({"loc": ("kind",), "type": "enum", "msg": ""})]
    data = {str(k): v for k, v in data.items()}
    request, findings = _parse_lenient(Request, data, {"kind": kind})
    return request, [f for f in findings if f.field != "kind"]


def parse_ticket(data: Any) -> tuple[SupportTicket, list[Finding]]:
    if not isinstance(data, dict):
        return SupportTicket(), [Finding(rule="REQ-TYPE", severity=Severity.error, field=None,
                                         message="a support ticket must be a mapping of fields")]
    return _parse_lenient(SupportTicket, {str(k): v for k, v in data.items()}, {})
