"""A request's timeline, read from its audit events: filed, each resubmission with what changed
since the previous one, each decision with its comment, slips, deployed.

A resubmission's audit event carries the changes (`submission_changes` of the previous and the
new submission), because the request row keeps only the latest version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.requests import queries
from bot.requests.records import RequestRecord
from bot.requests.transitions import load_visible

Changes = dict[str, dict[str, Any]]  # {field: {"old": ..., "new": ...}}


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a request's (or a ticket's) life, as the audit trail recorded it."""

    at: datetime
    actor: str
    action: str  # submit, claim, approve, request_changes, reject, withdraw, resubmit, slip, ...
    from_state: str | None
    to_state: str | None
    note: str | None = None  # the decision's comment or reason, a resolution note
    changes: Changes = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


def _flat(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings (contacts, help_text, attestations) as dotted fields, so a change names
    the one contact that moved."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            flat.update(_flat(item, f"{name}."))
        else:
            flat[name] = item
    return flat


def submission_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Changes:
    """What a resubmission changed, field by field (dotted for nested ones), in field order."""
    before, after = _flat(old), _flat(new)
    names = list(before) + [n for n in after if n not in before]
    return {name: {"old": before.get(name), "new": after.get(name)}
            for name in names if before.get(name) != after.get(name)}


def list_changes(old: Any, new: Any) -> tuple[list[Any], list[Any]] | None:
    """(added, removed) items when both sides are lists (or absent), in their order; None for
    a single value."""
    if not isinstance(old, list | type(None)) or not isinstance(new, list | type(None)):
        return None
    if old is None and new is None:
        return None
    old, new = old or [], new or []
    return [x for x in new if x not in old], [x for x in old if x not in new]


_NOTE_KEYS = ("comment", "reason", "note")


def entry_of(event: Any) -> HistoryEntry:
    """An AuditEvent or TicketEvent row as a history entry."""
    detail = dict(event.detail or {})
    note = next((str(detail[k]) for k in _NOTE_KEYS if detail.get(k)), None)
    changes = detail.get("changes") if isinstance(detail.get("changes"), dict) else {}
    return HistoryEntry(at=event.at, actor=event.actor, action=event.action,
                        from_state=event.from_state, to_state=event.to_state, note=note,
                        changes=dict(changes or {}), detail=detail)


def request_history(session: Session, request: int | str, *,
                    actor: Actor) -> tuple[RequestRecord, list[HistoryEntry]]:
    """The request as the actor may see it (else NotFound) and its timeline, oldest first."""
    row = load_visible(session, request, actor)
    return RequestRecord.of(row), [entry_of(e) for e in queries.audit_trail(session, row.id)]


def decisions(entries: Sequence[HistoryEntry]) -> list[HistoryEntry]:
    return [e for e in entries if e.action in DECISION_ACTIONS]


DECISION_ACTIONS = frozenset({"approve", "request_changes", "reject", "withdraw"})
