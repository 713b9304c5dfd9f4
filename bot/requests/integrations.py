"""The integrations registry: import an identity provider's service-provider configuration
export (YAML keyed by issuer), list what is known, remove one.

The whole export is checked before anything is imported (`check_export`): an entry that is not
an issuer, a field of the wrong type or an unknown protocol is a problem, and one problem
imports nothing. Fields the bot has no place for (agency_id, active, ...) are kept aside in
`extra`, not refused; a re-import updates what changed. A top-level `teams:` list beside the
issuers names the partner teams that own them (bot/teams/imports.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bot.models import ISSUER_MAX, Configuration, Kind, field_path
from bot.requests import queries
from bot.requests.records import IntegrationRecord
from bot.store.models import AuditEvent, Integration
from bot.teams.imports import TEAMS_KEY, Lookup, TeamsImport, check_teams, import_teams

# export field -> Configuration field
FIELD_MAP: dict[str, str] = {
    **{name: name for name in Configuration.model_fields if name != "certificates"},
    "certs": "certificates",
    "certificates": "certificates",
}
# Dashboard spellings of the protocol.
PROTOCOLS = {
    "openid_connect_private_key_jwt": "oidc_private_key_jwt",
    "openid_connect_pkce": "oidc_pkce",
    "oidc_private_key_jwt": "oidc_private_key_jwt",
    "oidc_pkce": "oidc_pkce",
    "saml": "saml",
}
_ENVIRONMENTS = ("production", "prod")


class ExportError(ValueError):
    """The export is not a mapping of issuers to configurations."""


@dataclass(frozen=True)
class ExportProblem:
    issuer: str
    field: str | None
    problem: str

    def __str__(self) -> str:
        return f"{self.issuer}: {self.field + ': ' if self.field else ''}{self.problem}"


# Top-level keys of a request file (`launchbot check`), never issuers: importing one as an
# export would create integrations named help_text, contacts, ...
_REQUEST_KEYS = frozenset({"kind", "help_text", "contacts", "attestations", "issuer"})


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # issuer -> fields updated
    unchanged: list[str] = field(default_factory=list)
    # issuer -> fields kept aside (unknown, or a value the Configuration model refuses)
    set_aside: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # issuer -> why
    teams: TeamsImport | None = None  # the export's `teams:`, when it has them

    def as_json(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "set_aside": self.set_aside, "skipped": self.skipped,
                **({"teams": self.teams.as_json()} if self.teams is not None else {})}


def read_export(text: str) -> dict[str, Any]:
    """YAML text -> {issuer: fields}. Raises ExportError with one readable line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ExportError(f"not valid YAML{where}") from None
    return export_entries(data)


def export_entries(data: Any) -> dict[str, Any]:
    """Parsed YAML -> {issuer: fields}. Raises ExportError with one readable line."""
    if not isinstance(data, dict):
        raise ExportError("expected a mapping of issuers to their configuration")
    for env in _ENVIRONMENTS:  # an export nested under its environment
        if len(data) == 1 and isinstance(data.get(env), dict):
            data = data[env]
    if isinstance(data.get("kind"), str) and data["kind"] in Kind.__members__:
        raise ExportError("this is a request file (it has 'kind'), not an integrations export; "
                          "check it with `launchbot check`")
    return {str(k): v for k, v in data.items()}


def check_export(data: Mapping[str, Any]) -> list[ExportProblem]:
    """Every problem of the export, one per issuer and field; empty when it can be imported."""
    problems: list[ExportProblem] = []
    if TEAMS_KEY in data:
        issuers = {str(k).strip() for k in data if k != TEAMS_KEY}
        problems += [ExportProblem(*p) for p in check_teams(data[TEAMS_KEY], issuers)]
    for key, fields in data.items():
        if key == TEAMS_KEY:
            continue
        issuer = str(key).strip()
        why = _not_an_issuer(issuer)
        if why:
            problems.append(ExportProblem(issuer or repr(key), None, why))
            continue
        if not isinstance(fields, Mapping):
            problems.append(ExportProblem(issuer, None, "its configuration is not a mapping "
                                          f"of fields (found {_kind(fields)})"))
            continue
        problems += _field_problems(issuer, fields)
    return problems


def _not_an_issuer(issuer: str) -> str | None:
    if not issuer:
        return "an entry without an issuer"
    if issuer in _REQUEST_KEYS:
        return "is a field of a request file, not an issuer (is this a request file?)"
    if len(issuer) > ISSUER_MAX:
        return f"an issuer is at most {ISSUER_MAX} characters"
    if any(ch.isspace() for ch in issuer) or ":" not in issuer:
        return ("is not an issuer (a URN such as urn:gov:gsa:openidconnect.profiles:sp:sso:"
                "agency:app, or a URL)")
    return None


def _field_problems(issuer: str, fields: Mapping[str, Any]) -> list[ExportProblem]:
    problems: list[ExportProblem] = []
    mapped: dict[str, Any] = {}
    for key, value in fields.items():
        target = FIELD_MAP.get(str(key))
        if target is None or target == "issuer" or value is None:
            continue
        if target == "certificates":
            items = value if isinstance(value, list) else [value]
            bad = [i for i, item in enumerate(items) if not isinstance(item, str)]
            if bad:
                problems.append(ExportProblem(issuer, str(key), f"item {bad[0]} is "
                                              f"{_kind(items[bad[0]])}, not PEM text or a name"))
            continue
        if target == "protocol":
            if not isinstance(value, str) or value.strip().lower() not in PROTOCOLS:
                problems.append(ExportProblem(issuer, "protocol", f"unknown protocol "
                                              f"{value!r}: one of {', '.join(PROTOCOLS)}"))
            continue
        if target == "help_text" and isinstance(value, Mapping):
            value = {k: _english(v) for k, v in value.items()}
        mapped[target] = value
    try:
        Configuration.model_validate({"issuer": issuer, **mapped})
    except ValidationError as exc:
        for err in exc.errors():
            where = field_path(tuple(err["loc"])) or None
            message = str(err.get("msg", "is not valid")).replace("Input should be", "should be")
            problems.append(ExportProblem(issuer, where, f"{message} (found "
                                          f"{_kind(err.get('input'))})"))
    return problems


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def import_export(session: Session, data: Mapping[str, Any], now: datetime, *,
                  by: str = "import", dry_run: bool = False,
                  lookup: Lookup | None = None) -> ImportResult:
    """Create or update an integration per issuer of the export (check it first with
    `check_export`: entries it refuses are skipped here), then its teams (`lookup` resolves
    members' emails to Slack user IDs). With `dry_run`, only say what would change: nothing
    is written, nothing audited."""
    result = ImportResult()
    for issuer, fields in data.items():
        if issuer == TEAMS_KEY:
            continue
        issuer = str(issuer).strip()
        why = _not_an_issuer(issuer)
        if why or not isinstance(fields, Mapping):
            result.skipped[issuer] = why or "its configuration is not a mapping of fields"
            continue
        configuration, certificates, extra = to_configuration(issuer, fields)
        if extra:
            result.set_aside[issuer] = sorted(extra)
        row = queries.integration_by_issuer(session, issuer)
        if row is None:
            result.created.append(issuer)
            if dry_run:
                continue
            session.add(Integration(
                issuer=issuer, agency=configuration.get("agency"),
                friendly_name=configuration.get("friendly_name"), configuration=configuration,
                certificates=certificates, extra=extra, created_at=now, updated_at=now))
        elif (row.configuration, row.certificates, row.extra) != (
                configuration, certificates, extra):
            result.updated.append(issuer)
            result.changed[issuer] = _changed(row, configuration, certificates, extra)
            if dry_run:
                continue
            row.configuration, row.certificates, row.extra = configuration, certificates, extra
            row.agency = configuration.get("agency")
            row.friendly_name = configuration.get("friendly_name")
            row.updated_at = now
        else:
            result.unchanged.append(issuer)
    if not dry_run:
        session.flush()  # the teams below own the integrations just created
    if isinstance(data.get(TEAMS_KEY), list):
        result.teams = import_teams(session, data[TEAMS_KEY], now, by=by, dry_run=dry_run,
                                    lookup=lookup)
    if dry_run:
        return result
    session.add(AuditEvent(request_id=None, actor=by, action="import_integrations",
                           detail={"created": len(result.created),
                                   "updated": len(result.updated),
                                   "unchanged": len(result.unchanged),
                                   "skipped": len(result.skipped)}, at=now))
    session.flush()
    return result


def _changed(row: Integration, configuration: dict[str, Any], certificates: dict[str, str],
             extra: dict[str, Any]) -> list[str]:
    names = {k for k in configuration.keys() | row.configuration.keys()
             if configuration.get(k) != row.configuration.get(k)}
    if certificates != row.certificates:
        names.add("certificates")
    names |= {k for k in extra.keys() | row.extra.keys() if extra.get(k) != row.extra.get(k)}
    return sorted(names)


class IntegrationInUse(ValueError):
    """An integration that requests or deploys refer to: its history keeps it."""


def remove_integration(session: Session, issuer: str, now: datetime, *,
                       by: str = "cli") -> IntegrationRecord | None:
    """Remove an integration nothing refers to (a mistaken import), audited with everything it
    held; None when there is none of that issuer."""
    from sqlalchemy import func, select

    from bot.store.models import Request

    row = queries.integration_by_issuer(session, issuer)
    if row is None:
        return None
    requests = session.scalar(select(func.count()).select_from(Request)
                              .where(Request.integration_id == row.id)) or 0
    if row.deploys or requests:
        raise IntegrationInUse(f"{issuer}: has {len(row.deploys)} deploy(s) and {requests} "
                               "request(s) in its history; it is not removed")
    record = IntegrationRecord.of(row)
    session.add(AuditEvent(request_id=None, actor=by, action="remove_integration",
                           detail={"issuer": issuer, "agency": row.agency,
                                   "friendly_name": row.friendly_name,
                                   "configuration": row.configuration,
                                   "certificates": row.certificates, "extra": row.extra},
                           at=now))
    session.delete(row)
    session.flush()
    return record


def to_configuration(issuer: str, fields: Mapping[str, Any]) -> tuple[
        dict[str, Any], dict[str, str], dict[str, Any]]:
    """An export entry -> (Configuration as JSON, certificate PEMs by name, the rest)."""
    mapped: dict[str, Any] = {"issuer": issuer}
    extra: dict[str, Any] = {}
    certificates: dict[str, str] = {}
    for key, value in fields.items():
        key = str(key)
        target = FIELD_MAP.get(key)
        if target is None or target == "issuer":
            extra[key] = value
        elif target == "certificates":
            mapped["certificates"], certificates = _certificates(value)
        elif target == "help_text" and isinstance(value, Mapping):
            mapped["help_text"] = {k: _english(v) for k, v in value.items()}
        elif target == "protocol" and isinstance(value, str):
            mapped["protocol"] = PROTOCOLS.get(value.strip().lower(), value)
        else:
            mapped[target] = value
    if "protocol" not in mapped:  # older exports have none: SAML entries have an ACS URL
        mapped["protocol"] = "saml" if fields.get("acs_url") else (
            "oidc_private_key_jwt" if certificates else "oidc_pkce")
    for _ in range(len(mapped)):  # set aside whatever the model refuses, field by field
        try:
            model = Configuration.model_validate(mapped)
            break
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                if name in mapped and name != "issuer":
                    extra[name] = mapped.pop(name)
    else:  # pragma: no cover - every pass removes a field
        model = Configuration(issuer=issuer)
    return model.model_dump(mode="json", exclude_none=True), certificates, _plain(extra)


def list_integrations(session: Session) -> list[IntegrationRecord]:
    return [IntegrationRecord.of(row) for row in queries.integrations(session)]


def _certificates(value: Any) -> tuple[list[str], dict[str, str]]:
    """PEM text or a list of them (or of certificate names) -> (names, PEMs by name)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    pems: dict[str, str] = {}
    for i, item in enumerate(items, start=1):
        text = str(item)
        if "-----BEGIN CERTIFICATE-----" in text:
            name = f"imported-{i}.pem"
            pems[name] = text.strip() + "\n"
            names.append(name)
        elif text.strip():
            names.append(text.strip())  # a name without content: nothing to judge
    return names, pems


def _english(value: Any) -> Any:
    if isinstance(value, Mapping):  # localized help text: keep the English
        return value.get("en")
    return value


def _plain(value: Any) -> Any:
    """Make YAML values (dates, ...) JSON-storable."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
