"""The integrations registry: import an identity provider's service-provider configuration
export (YAML keyed by issuer), list what is known.

The export's fields map onto `bot.models.Configuration`; anything else is kept aside in
`extra` (not fatal); a re-import updates what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bot.models import Configuration
from bot.requests import queries
from bot.requests.records import IntegrationRecord
from bot.store.models import AuditEvent, Integration

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


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # issuer -> fields kept aside (unknown, or a value the Configuration model refuses)
    set_aside: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # issuer -> why

    def as_json(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "set_aside": self.set_aside, "skipped": self.skipped}


def read_export(text: str) -> dict[str, Any]:
    """YAML text -> {issuer: fields}. Raises ExportError with one readable line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ExportError(f"not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise ExportError("expected a mapping of issuers to their configuration")
    for env in _ENVIRONMENTS:  # an export nested under its environment
        if len(data) == 1 and isinstance(data.get(env), dict):
            data = data[env]
    return {str(k): v for k, v in data.items()}


def import_export(session: Session, data: Mapping[str, Any], now: datetime, *,
                  by: str = "import") -> ImportResult:
    """Create or update an integration per issuer of the export."""
    result = ImportResult()
    for issuer, fields in data.items():
        issuer = str(issuer).strip()
        if not isinstance(fields, Mapping):
            result.skipped[issuer] = "its configuration is not a mapping of fields"
            continue
        configuration, certificates, extra = to_configuration(issuer, fields)
        if extra:
            result.set_aside[issuer] = sorted(extra)
        row = queries.integration_by_issuer(session, issuer)
        if row is None:
            session.add(Integration(
                issuer=issuer, agency=configuration.get("agency"),
                friendly_name=configuration.get("friendly_name"), configuration=configuration,
                certificates=certificates, extra=extra, created_at=now, updated_at=now))
            result.created.append(issuer)
        elif (row.configuration, row.certificates, row.extra) != (
                configuration, certificates, extra):
            row.configuration, row.certificates, row.extra = configuration, certificates, extra
            row.agency = configuration.get("agency")
            row.friendly_name = configuration.get("friendly_name")
            row.updated_at = now
            result.updated.append(issuer)
        else:
            result.unchanged.append(issuer)
    session.add(AuditEvent(request_id=None, actor=by, action="import_integrations",
                           detail={"created": len(result.created),
                                   "updated": len(result.updated),
                                   "unchanged": len(result.unchanged),
                                   "skipped": len(result.skipped)}, at=now))
    session.flush()
    return result


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
