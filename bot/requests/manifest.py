"""The deploy-day manifest: what is approved for a day, the diff of each change and the facts
of the files approved with it; rendered as text, JSON or CSV by pure functions."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.requests import queries
from bot.requests.expedite import is_expedited
from bot.requests.records import AttachmentFacts
from bot.store.models import public_id


@dataclass(frozen=True)
class DiffEntry:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ManifestItem:
    request_id: int
    public_id: str
    kind: str
    state: str
    issuer: str | None
    friendly_name: str | None
    agency: str | None
    protocol: str | None
    ial: int | None
    requester_user_id: str
    target_deploy_date: date | None
    approved_by: str | None
    approved_at: datetime | None
    slip_count: int
    diff: tuple[DiffEntry, ...]
    attachments: tuple[AttachmentFacts, ...]
    card_channel: str | None
    card_ts: str | None
    expedited: bool = False  # approved by two reviewers inside the cutoff (CAL-EXPEDITE)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.public_id, "kind": self.kind, "state": self.state, "issuer": self.issuer,
            "friendly_name": self.friendly_name, "agency": self.agency,
            "protocol": self.protocol, "ial": self.ial, "requester": self.requester_user_id,
            "target_deploy_date": _iso(self.target_deploy_date),
            "approved_by": self.approved_by, "approved_at": _iso(self.approved_at),
            "slip_count": self.slip_count, "expedited": self.expedited,
            "diff": [{"field": d.field, "old": d.old, "new": d.new} for d in self.diff],
            "attachments": [a.as_json() for a in self.attachments],
            "card": {"channel": self.card_channel, "ts": self.card_ts}
            if self.card_ts else None,
        }


def manifest_for(session: Session, day: date, *,
                 include_deployed: bool = False) -> list[ManifestItem]:
    """What is approved for deploy day `day` (launches, changes, staging; then by ID)."""
    rows = queries.approved_for_day(session, day, include_deployed=include_deployed)
    files: dict[int, list[AttachmentFacts]] = {}
    for f in queries.attachment_facts(session, [row.id for row in rows]):
        files.setdefault(f.request_id, []).append(
            AttachmentFacts(role=f.role, name=f.name, sha256=f.sha256, size=f.size))
    items = []
    for row in rows:
        # the request's own values first, then (for a change) its integration's
        submitted = {**(row.integration_configuration or {}), **(row.submitted or {})}
        items.append(ManifestItem(
            request_id=row.id, public_id=public_id(row.id), kind=row.kind, state=row.state,
            issuer=row.issuer, friendly_name=submitted.get("friendly_name"),
            agency=submitted.get("agency"), protocol=submitted.get("protocol"),
            ial=submitted.get("ial"), requester_user_id=row.requester_user_id,
            target_deploy_date=row.target_deploy_date, approved_by=row.decided_by,
            approved_at=row.decided_at, slip_count=row.slip_count,
            diff=tuple(DiffEntry(name, change.get("old"), change.get("new"))
                       for name, change in (row.diff or {}).items()),
            attachments=tuple(files.get(row.id, ())),
            card_channel=row.card_channel, card_ts=row.card_ts,
            expedited=is_expedited(row.findings or ())))
    order = {"launch": 0, "change": 1, "staging": 2}
    return sorted(items, key=lambda i: (order.get(i.kind, 9), i.request_id))


def render_json(day: date, items: list[ManifestItem]) -> str:
    return json.dumps({"date": day.isoformat(), "items": [i.as_json() for i in items]},
                      indent=2, ensure_ascii=False)


CSV_COLUMNS = ("date", "id", "kind", "issuer", "friendly_name", "agency", "protocol", "ial",
               "approved_by", "diff", "attachments")


def render_csv(day: date, items: list[ManifestItem]) -> str:
    """One row per request; the diff and attachments as compact JSON cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in items:
        writer.writerow([
            day.isoformat(), i.public_id, i.kind, i.issuer or "", i.friendly_name or "",
            i.agency or "", i.protocol or "", "" if i.ial is None else i.ial,
            i.approved_by or "",
            json.dumps({d.field: {"old": d.old, "new": d.new} for d in i.diff},
                       ensure_ascii=False) if i.diff else "",
            json.dumps([a.as_json() for a in i.attachments]) if i.attachments else "",
        ])
    return out.getvalue()


def render_text(day: date, items: list[ManifestItem]) -> str:
    lines = [f"Deploy manifest for {day.isoformat()} ({day:%A}): "
             + (f"{len(items)} item(s)" if items else "nothing to deploy")]
    for i in items:
        lines.append("")
        name = i.friendly_name or i.issuer or "(unnamed)"
        lines.append(f"{i.public_id}  {i.kind}  {name}" + (f" ({i.agency})" if i.agency else "")
                     + ("  EXPEDITED" if i.expedited else ""))
        lines.append(f"  issuer: {i.issuer}")
        if i.protocol or i.ial is not None:
            lines.append(f"  protocol: {i.protocol or '-'}  IAL: {i.ial or '-'}")
        if i.approved_by:
            lines.append(f"  approved by {i.approved_by}"
                         + (f" on {i.approved_at:%Y-%m-%d}" if i.approved_at else ""))
        if i.slip_count:
            lines.append(f"  slipped {i.slip_count} time(s)")
        for d in i.diff:
            lines.append(f"  {d.field}: {_short(d.old)} -> {_short(d.new)}")
        for a in i.attachments:
            lines.append(f"  {a.role}: {a.name}  {a.size} bytes  sha256 {a.sha256}")
    return "\n".join(lines) + "\n"


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
