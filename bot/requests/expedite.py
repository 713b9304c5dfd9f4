"""Expedited requests: a deploy day inside the cutoff, accepted by the rules core as a CAL-EXPEDITE
warning, needs the approvals of two different reviewers. The first approval is a guarded
transition to in_review (its audit event names the reviewer); the second is the approval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kernel.errors import NotAllowed
from bot.models import Finding, Severity
from bot.store.models import AuditEvent, Request

RULE = "CAL-EXPEDITE"
APPROVALS_NEEDED = 2
FIRST_APPROVAL = "approve_first"  # the audit action of an approval that is not yet enough
_RESTARTS = ("submit", "resubmit")  # a (re)submission starts the count again


def is_expedited(findings: Iterable[Finding | Mapping[str, Any]]) -> bool:
    """Whether the rules core accepted the request as expedited."""
    for f in findings:
        rule, severity = ((f.rule, f.severity.value) if isinstance(f, Finding)
                          else (f.get("rule"), f.get("severity")))
        if rule == RULE and severity == Severity.warning.value:
            return True
    return False


def first_approvals(session: Session, request_id: int) -> list[str]:
    """Who approved the current submission so far (oldest first)."""
    events = session.execute(
        select(AuditEvent.action, AuditEvent.actor)
        .where(AuditEvent.request_id == request_id,
               AuditEvent.action.in_((FIRST_APPROVAL, *_RESTARTS)))
        .order_by(AuditEvent.id.desc())).all()
    found: list[str] = []
    for action, actor in events:
        if action in _RESTARTS:
            break
        found.append(actor)
    return found[::-1]


def notice_days(row: Request | Any, local_submitted: date) -> int | None:
    target = row.target_deploy_date
    return (target - local_submitted).days if target else None


def cutoff(target: date, lead_days: int | None) -> date | None:
    return target - timedelta(days=lead_days) if lead_days else None


class SecondReviewerNeeded(NotAllowed):
    """The reviewer who gave the first approval of an expedited request clicked again."""

    def __init__(self, request: str, approvals: Sequence[str]) -> None:
        super().__init__("second_approval", action="approve", request=request)
        self.approvals = list(approvals)
        self.args = ("an expedited request needs two different reviewers: you approved it "
                     "already, so another reviewer must approve it",)
