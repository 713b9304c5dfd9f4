"""The deploy-day manifest: what is approved for a day, the diff of each change and the facts
of the files approved with it; rendered as text, JSON or CSV by pure functions."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.requests import queries
from bot.requests.diffs import plain_lines
from bot.requests.records import AttachmentFacts, RequestRecord, kind_order


def manifest_for(session: Session, day: date, *,
                 include_deployed: bool = False) -> list[RequestRecord]:
    """What is approved for deploy day `day`, with each change's integration values and the
    facts of the files (launches, changes, staging; then by ID)."""
    found = queries.approved_for_day(session, day, include_deployed=include_deployed)
    files: dict[int, list[AttachmentFacts]] = {}
    for request_id, role, name, sha256, size in queries.approved_attachment_facts(
            session, day, include_deployed=include_deployed):
        files.setdefault(request_id, []).append(
            AttachmentFacts(role=role, name=name, sha256=sha256, size=size))
    items = [RequestRecord.of_row(row, attachments=tuple(files.get(row["id"], ())))
             for row in found]
    return sorted(items, key=lambda i: (kind_order(i.kind), i.id))


def item_json(i: RequestRecord) -> dict[str, Any]:
    """One request of a manifest as JSON (documented in the README's manifest section)."""
    return {
        "id": i.public_id, "kind": i.kind, "state": i.state, "issuer": i.issuer,
        "friendly_name": i.friendly_name, "agency": i.agency, "protocol": i.protocol,
        "ial": i.ial, "requester": i.requester_user_id,
        "target_deploy_date": _iso(i.target_deploy_date), "approved_by": i.approved_by,
        "approved_at": _iso(i.approved_at), "slip_count": i.slip_count,
        "expedited": i.expedited,
        "diff": [{"field": d.field, "old": d.old, "new": d.new} for d in i.changes],
        "attachments": [a.as_json() for a in i.attachments],
        "card": {"channel": i.card_channel, "ts": i.card_ts} if i.card_ts else None,
    }


def render_json(day: date, items: list[RequestRecord]) -> str:
    return json.dumps({"date": day.isoformat(), "items": [item_json(i) for i in items]},
                      indent=2, ensure_ascii=False)


CSV_COLUMNS = ("date", "id", "kind", "issuer", "friendly_name", "agency", "protocol", "ial",
               "approved_by", "diff", "attachments")


def render_csv(day: date, items: list[RequestRecord]) -> str:
    """One row per request; the diff and attachments as compact JSON cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in items:
        writer.writerow([
            day.isoformat(), i.public_id, i.kind, i.issuer or "", i.friendly_name or "",
            i.agency or "", i.protocol or "", "" if i.ial is None else i.ial,
            i.approved_by or "",
            json.dumps({d.field: {"old": d.old, "new": d.new} for d in i.changes},
                       ensure_ascii=False) if i.changes else "",
            json.dumps([a.as_json() for a in i.attachments]) if i.attachments else "",
        ])
    return out.getvalue()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def render_text(day: date, items: list[RequestRecord],
                names: Mapping[str, str] | None = None) -> str:
    """The manifest for a terminal or an email; `names` gives people's Slack display names
    (a user ID is shown where none is known)."""
    names = names or {}

    def who(user_id: str) -> str:
        return f"{names[user_id]} ({user_id})" if user_id in names else user_id

    kinds = ", ".join(_count(n, one, many) for n, one, many in (
        (sum(i.kind == "launch" for i in items), "launch", "launches"),
        (sum(i.kind == "change" for i in items), "change", "changes"),
        (sum(i.kind == "staging" for i in items), "staging request", "staging requests")) if n)
    lines = [f"Deploy manifest for {day.isoformat()} ({day:%A}): "
             + (f"{_count(len(items), 'item', 'items')} ({kinds})" if items
                else "nothing to deploy")]
    for i in items:
        lines.append("")
        name = i.friendly_name or i.issuer or "(unnamed)"
        lines.append(f"{i.public_id}  {i.kind}  {name}" + (f" ({i.agency})" if i.agency else "")
                     + ("  EXPEDITED" if i.expedited else ""))
        lines.append(f"  issuer: {i.issuer}")
        if i.protocol or i.ial is not None:
            lines.append(f"  protocol: {i.protocol or '-'}  IAL: {i.ial or '-'}")
        lines.append(f"  requested by {who(i.requester_user_id)}")
        if i.approved_by:
            lines.append(f"  approved by {who(i.approved_by)}"
                         + (f" on {i.approved_at:%Y-%m-%d}" if i.approved_at else ""))
        if i.slip_count:
            lines.append(f"  slipped {_count(i.slip_count, 'time', 'times')}")
        for d in i.changes:
            lines += [f"  {line}" for line in plain_lines(d)]
        for a in i.attachments:
            lines.append(f"  {a.role}: {a.name}  {a.size} bytes  sha256 {a.sha256}")
    return "\n".join(lines) + "\n"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
