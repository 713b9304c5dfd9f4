"""Live URL probe results (bot/probes) kept with the request they judged, and its card updated.

Probes run after the submission is acknowledged, so a result can arrive after the request was
resubmitted: it is kept only while the submission it probed is the current one. It adds notes
and warnings (never errors) and changes no state, so the version is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from bot.models import Finding
from bot.requests.records import RequestRecord
from bot.requests.transitions import Topic
from bot.store.db import core_connection
from bot.store.models import AuditEvent, Request
from bot.store.outbox import enqueue

PROBE_PREFIX = "PROBE-"

_REQUESTS = Request.__table__
# Built once, values bound (building a statement costs about as much as running it). The
# submission probed is named by its time: a resubmission since changes it, and no row matches.
_KEEP = (update(_REQUESTS)
         .where(_REQUESTS.c.id == bindparam("request"),
                _REQUESTS.c.submitted_at == bindparam("probed_submission"))
         .values(findings=bindparam("kept", type_=_REQUESTS.c.findings.type))
         .returning(_REQUESTS.c.state, _REQUESTS.c.version))
_AUDIT = insert(AuditEvent.__table__)


def record_probe(session: Session, record: RequestRecord, *, findings: Sequence[Finding],
                 now: datetime) -> bool:
    """Replace the probe findings of the submission `record` is (as filed) with `findings`;
    False when the request was resubmitted (or is gone) since.

    Nothing but probes changes a submission's findings, so its own are the record's: one
    UPDATE, with no read of the row first."""
    own = [f.model_dump(mode="json") for f in record.findings
           if not f.rule.startswith(PROBE_PREFIX)]
    connection = core_connection(session)
    row = connection.execute(_KEEP, {
        "request": record.id, "probed_submission": record.submitted_at,
        "kept": own + [f.model_dump(mode="json") for f in findings]}).first()
    if row is None:
        return False
    state, version = row
    warnings = sum(f.severity.value == "warning" for f in findings)
    connection.execute(_AUDIT, {
        "request_id": record.id, "actor": "launchbot", "action": "url_probe",
        "from_state": state, "to_state": state,
        "detail": {"findings": len(findings), "warnings": warnings}, "at": now})
    enqueue(session, topic=Topic.review_card_update.value,
            dedupe_key=f"{Topic.review_card_update.value}:{record.id}:probe:"
                       f"{record.submitted_at.isoformat()}",
            payload={"request_id": record.id, "public_id": record.public_id,
                     "event": "probed", "state": state, "version": version},
            request_id=record.id, now=now)
    return True
