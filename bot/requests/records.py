"""What use cases return: plain, frozen snapshots of stored rows, safe to use after the
transaction (no lazy loading) and easy to render.

A request has one snapshot, `RequestRecord`: the review card, the partner's DM, the manifest
(text, JSON, CSV) and the deploy-day posts all read it. A new field goes here, once."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Self

from pydantic import TypeAdapter

from bot.models import Finding, Kind, Severity
from bot.store.models import Attachment, Integration, Request, RequestState, public_id

_APPROVED, _DEPLOYED = RequestState.approved.value, RequestState.deployed.value
# A stored list of findings validated in one call (2.4× faster than one model at a time).
_FINDINGS = TypeAdapter(tuple[Finding, ...])


# The order requests are listed in wherever kinds are grouped (manifests, deploy-day posts).
KIND_ORDER: tuple[str, ...] = (Kind.launch.value, Kind.change.value, Kind.staging.value)


def kind_order(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


@dataclass(frozen=True)
class DiffEntry:
    """One field a change request changes: its value in production and the new one."""

    field: str
    old: Any
    new: Any

    @property
    def is_list(self) -> bool:
        """A list field (redirect URIs...): described as the items added and removed."""
        return isinstance(self.old, list) or isinstance(self.new, list)

    @property
    def added(self) -> list[Any]:
        old = _items(self.old)
        return [v for v in _items(self.new) if v not in old]

    @property
    def removed(self) -> list[Any]:
        new = _items(self.new)
        return [v for v in _items(self.old) if v not in new]

    @property
    def reordered(self) -> bool:
        """The same items in another order (nothing added or removed)."""
        return self.is_list and not self.added and not self.removed and self.old != self.new


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


@dataclass(frozen=True)
class AttachmentFacts:
    role: str  # logo | certificate
    name: str
    sha256: str
    size: int

    @classmethod
    def of(cls, row: Attachment) -> AttachmentFacts:
        return cls(role=row.role, name=row.name, sha256=row.sha256, size=row.size)

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "name": self.name, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class RequestRecord:
    id: int
    public_id: str
    kind: str
    state: str
    version: int
    issuer: str | None
    requester_user_id: str
    requester_team_id: str
    submitted: dict[str, Any]
    findings: tuple[Finding, ...]
    diff: dict[str, Any] | None
    earliest_deploy_date: date | None
    target_deploy_date: date | None
    lead_time_days: int | None
    slip_count: int
    reviewer_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    deployed_by: str | None
    deployed_at: datetime | None
    card_channel: str | None
    card_ts: str | None
    submitted_at: datetime
    created_at: datetime
    updated_at: datetime
    attachments: tuple[AttachmentFacts, ...] = field(default=())
    # A change's integration as it is in production, when loaded with it (manifests).
    integration_configuration: dict[str, Any] | None = None

    @property
    def values(self) -> dict[str, Any]:
        """The request's own values first, then (a change) its integration's."""
        return {**(self.integration_configuration or {}), **self.submitted}

    # What a card, a manifest and a deploy-day post show of the request's values.
    friendly_name = property(lambda self: self.values.get("friendly_name"))
    agency = property(lambda self: self.values.get("agency"))
    protocol = property(lambda self: self.values.get("protocol"))
    ial = property(lambda self: self.values.get("ial"))
    change_summary = property(lambda self: self.submitted.get("change_summary"))

    @property
    def expedited(self) -> bool:
        """Accepted inside the cutoff (CAL-EXPEDITE): two reviewers approve it."""
        return any(f.rule == "CAL-EXPEDITE" and f.severity is Severity.warning
                   for f in self.findings)

    @property
    def approved_by(self) -> str | None:
        return self.decided_by if self.approved else None

    @property
    def approved_at(self) -> datetime | None:
        return self.decided_at if self.approved else None

    @property
    def approved(self) -> bool:
        """Approved, and possibly deployed since."""
        return self.state in (_APPROVED, _DEPLOYED)

    @property
    def changes(self) -> tuple[DiffEntry, ...]:
        """The diff of a change, field by field."""
        return tuple(DiffEntry(name, change.get("old"), change.get("new"))
                     for name, change in (self.diff or {}).items())

    @classmethod
    def of_row(cls, row: dict[str, Any], *, attachments: tuple[AttachmentFacts, ...] = (),
               **extra: Any) -> Self:
        """The snapshot of a record row (bot.requests.queries.record_rows: the request's
        columns by name, plus `extra`'s); takes `row` over (its values are the record's)."""
        row["public_id"] = public_id(row["id"])
        row["findings"] = _FINDINGS.validate_python(row["findings"] or ())
        return cls(**row, attachments=attachments, **extra)

    @classmethod
    def of(cls, row: Request, *, with_attachments: bool = True,
           attachments: tuple[AttachmentFacts, ...] | None = None,
           integration_configuration: dict[str, Any] | None = None,
           **extra: Any) -> Self:
        """The snapshot of `row`; `attachments` given (facts read in bulk) are used instead of
        loading the row's; `extra` fills a subclass's fields."""
        if attachments is None:
            attachments = tuple(AttachmentFacts.of(a) for a in row.attachments) \
                if with_attachments else ()
        return cls(
            id=row.id, public_id=row.public_id, kind=row.kind, state=row.state,
            version=row.version, issuer=row.issuer, requester_user_id=row.requester_user_id,
            requester_team_id=row.requester_team_id, submitted=dict(row.submitted),
            findings=_FINDINGS.validate_python(row.findings or ()),
            diff=row.diff, earliest_deploy_date=row.earliest_deploy_date,
            target_deploy_date=row.target_deploy_date, lead_time_days=row.lead_time_days,
            slip_count=row.slip_count, reviewer_id=row.reviewer_id,
            decided_by=row.decided_by, decided_at=row.decided_at,
            decision_note=row.decision_note, deployed_by=row.deployed_by,
            deployed_at=row.deployed_at, card_channel=row.card_channel, card_ts=row.card_ts,
            submitted_at=row.submitted_at, created_at=row.created_at, updated_at=row.updated_at,
            attachments=attachments, integration_configuration=integration_configuration,
            **extra,
        )


# The requests columns a RequestRecord is made of (the other fields are derived or given).
RECORD_COLUMNS = frozenset(Request.__table__.c.keys()) & {
    f.name for f in fields(RequestRecord)}


@dataclass(frozen=True)
class IntegrationRecord:
    id: int
    issuer: str
    agency: str | None
    friendly_name: str | None
    team_id: str | None
    configuration: dict[str, Any]
    extra: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Integration) -> IntegrationRecord:
        return cls(id=row.id, issuer=row.issuer, agency=row.agency,
                   friendly_name=row.friendly_name, team_id=row.team_id,
                   configuration=dict(row.configuration), extra=dict(row.extra or {}),
                   created_at=row.created_at, updated_at=row.updated_at)

    def as_json(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "agency": self.agency,
                "friendly_name": self.friendly_name, "team_id": self.team_id,
                "configuration": self.configuration, "extra": self.extra,
                "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat()}
