"""Checking an uploaded configuration without filing it: a request file (YAML or JSON, as
`launchbot check` reads it) or the dashboard's configuration export (YAML keyed by issuer, each
entry checked as the launch it would become). Same parser, same limits, same rules core as the
command line; a file that cannot be read is one line (InputError), never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.calendar import DeployCalendar
from bot.models import Kind, Report
from bot.request_file import MAX_REQUEST_BYTES, InputError, decode, parse_text
from bot.requests.integrations import to_configuration
from bot.rules import Context, validate

MAX_ENTRIES = 5  # integrations of one export checked at once
NOT_ATTACHED = "is named in the file but not attached: add it in the request form"


@dataclass(frozen=True)
class Checked:
    """One request judged: what it would file (`data`, for prefilling the form) and the report."""

    label: str  # the file's name, or the export entry's issuer
    data: dict[str, Any]
    report: Report
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    name: str
    checked: list[Checked]
    left_out: int = 0  # export entries over MAX_ENTRIES


def _named_files(data: Mapping[str, Any]) -> list[str]:
    names: list[Any] = [data.get("logo")]
    certificates = data.get("certificates")
    names += certificates if isinstance(certificates, list) else [certificates]
    return [n.strip() for n in names if isinstance(n, str) and n.strip()]


def _judge(label: str, data: dict[str, Any], files: dict[str, bytes], *, now: datetime,
           calendar: DeployCalendar) -> Checked:
    unreadable = {name: NOT_ATTACHED for name in _named_files(data) if name not in files}
    context = Context(now=now, calendar=calendar, files=files, unreadable=unreadable)
    return Checked(label, data, validate(data, context=context), files)


def _is_export(data: Mapping[str, Any]) -> bool:
    kind = data.get("kind")
    return not (isinstance(kind, str) and kind in Kind.__members__) and bool(data) and all(
        isinstance(v, Mapping) for v in data.values())


def check_upload(raw: bytes, name: str, *, now: datetime,
                 calendar: DeployCalendar) -> CheckResult:
    """Judge an uploaded file as of `now`. InputError (one line) when it cannot be read."""
    if len(raw) > MAX_REQUEST_BYTES:
        raise InputError(f"{name}: is more than 1.0 MB, too large for a request file")
    data = parse_text(decode(raw, name), name)
    if not isinstance(data, dict):
        raise InputError(f"{name}: not a request: expected a mapping of fields (docs/rules.md §1), "
                         f"found {type(data).__name__ if data is not None else 'nothing'}")
    if not _is_export(data):
        return CheckResult(name, [_judge(name, data, {}, now=now, calendar=calendar)])
    entries = dict(data)
    for env in ("production", "prod"):  # an export nested under its environment
        if len(entries) == 1 and isinstance(entries.get(env), Mapping):
            entries = dict(entries[env])
    checked = []
    for issuer, fields in list(entries.items())[:MAX_ENTRIES]:
        if not isinstance(fields, Mapping):
            continue
        configuration, pems, _extra = to_configuration(str(issuer), fields)
        request = {"kind": "launch", **configuration}
        files = {cert_name: pem.encode() for cert_name, pem in pems.items()}
        checked.append(_judge(str(issuer), request, files, now=now, calendar=calendar))
    return CheckResult(name, checked, max(0, len(entries) - MAX_ENTRIES))
