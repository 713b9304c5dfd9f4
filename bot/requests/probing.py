"""Live URL probe results (bot/probes) kept with the request they judged, and its card updated.

Probes run after the submission is acknowledged, so a result can arrive after the request was
resubmitted: it is kept only while the submission it probed is the current one. It adds notes
and warnings (never errors) and changes no state, so the version is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.models import Finding
from bot.requests.transitions import Topic
from bot.store.models import AuditEvent, Request
from bot.store.outbox import enqueue

PROBE_PREFIX = "PROBE-"


def record_probe(session: Session, request_id: int, *, submitted_at: datetime,
                 findings: Sequence[Finding], now: datetime) -> bool:
    """Replace the request's probe findings with `findings`; False when the request was
    resubmitted (or is gone) since the probed submission."""
    row = session.get(Request, request_id)
    if row is None or row.submitted_at != submitted_at:
        return False
    kept = [f for f in row.findings or () if not str(f.get("rule", "")).startswith(PROBE_PREFIX)]
    result = session.execute(
        update(Request).where(Request.id == request_id, Request.submitted_at == submitted_at)
        .values(findings=kept + [f.model_dump(mode="json") for f in findings])
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    warnings = sum(f.severity.value == "warning" for f in findings)
    session.add(AuditEvent(request_id=request_id, actor="launchbot", action="url_probe",
                           from_state=row.state, to_state=row.state,
                           detail={"findings": len(findings), "warnings": warnings}, at=now))
    enqueue(session, topic=Topic.review_card_update.value,
            dedupe_key=f"{Topic.review_card_update.value}:{request_id}:probe:"
                       f"{submitted_at.isoformat()}",
            payload={"request_id": request_id, "public_id": row.public_id, "event": "probed",
                     "state": row.state, "version": row.version},
            request_id=request_id, now=now)
    session.flush()
    return True
