"""Reviewer decisions: claim, approve, request changes, reject.

Requests are loaded as the actor may see them: a partner of another team is told NotFound,
never "only reviewers can ..." (which would tell them the request exists)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.kernel.errors import MissingInput
from bot.requests.expedite import (
    APPROVALS_NEEDED,
    FIRST_APPROVAL,
    SecondReviewerNeeded,
    first_approvals,
    is_expedited,
)
from bot.requests.records import RequestRecord
from bot.requests.transitions import (
    S,
    load_visible,
    notify,
    refusal,
    require_reviewer,
    transition,
)

UNDECIDED = (S.submitted, S.in_review)


def claim(session: Session, request: int | str, *, actor: Actor,
          now: datetime) -> RequestRecord:
    """A reviewer takes a submitted request (submitted → in_review)."""
    row = load_visible(session, request, actor)
    require_reviewer(actor, row, "claim")
    row = transition(session, row, action="claim", expected=(S.submitted,), to=S.in_review,
                     actor=actor, now=now, values={"reviewer_id": actor.user_id})
    notify(session, row, event="claimed", now=now, partner=False,
           data={"by": actor.user_id})
    return RequestRecord.of(row)


def may_decide(session: Session, request: int | str, *, actor: Actor,
               action: str) -> RequestRecord:
    """Raise what deciding would raise (not a reviewer, own request, already decided), so a
    surface can refuse before asking the reviewer for a comment or a reason; else the
    request."""
    row = load_visible(session, request, actor)
    require_reviewer(actor, row, action)
    if row.state not in {s.value for s in UNDECIDED}:
        raise refusal(row, action)
    return RequestRecord.of(row, with_attachments=False)


def approve(session: Session, request: int | str, *, actor: Actor,
            now: datetime) -> RequestRecord:
    """Approve (undecided → approved). An expedited request needs two different reviewers:
    the first approval keeps it in review ("1 of 2") and the card says so."""
    row = load_visible(session, request, actor)
    require_reviewer(actor, row, "approve")
    detail: dict[str, object] = {}
    if is_expedited(row.findings or ()):
        earlier = first_approvals(session, row.id)
        if actor.user_id in earlier:
            raise SecondReviewerNeeded(row.public_id, earlier)
        if len(earlier) + 1 < APPROVALS_NEEDED:
            row = transition(session, row, action=FIRST_APPROVAL, expected=UNDECIDED,
                             to=S.in_review, actor=actor, now=now,
                             values={"reviewer_id": row.reviewer_id or actor.user_id},
                             detail={"approvals": len(earlier) + 1,
                                     "needed": APPROVALS_NEEDED})
            notify(session, row, event="approved_first", now=now, partner=False,
                   data={"by": actor.user_id})
            return RequestRecord.of(row)
        detail = {"approvals": [*earlier, actor.user_id]}
    row = transition(session, row, action="approve", expected=UNDECIDED, to=S.approved,
                     actor=actor, now=now, values=_decided(actor, now), detail=detail)
    notify(session, row, event="approved", now=now, data={
        "by": actor.user_id, "target_deploy_date": _iso(row.target_deploy_date)})
    return RequestRecord.of(row)


def request_changes(session: Session, request: int | str, *, actor: Actor, now: datetime,
                    comment: str) -> RequestRecord:
    return _decide_with_note(session, request, actor=actor, now=now, note="comment",
                             text=comment, action="request_changes", verb="request changes to",
                             to=S.changes_requested)


def reject(session: Session, request: int | str, *, actor: Actor, now: datetime,
           reason: str) -> RequestRecord:
    return _decide_with_note(session, request, actor=actor, now=now, note="reason",
                             text=reason, action="reject", verb="reject", to=S.rejected)


def _decide_with_note(session: Session, request: int | str, *, actor: Actor, now: datetime,
                      note: str, text: str, action: str, verb: str, to: S) -> RequestRecord:
    """A decision the partner is told why of: the note goes on the request, into its audit
    event and into the partner's DM."""
    text = text.strip()
    if not text:
        raise MissingInput(note)
    row = load_visible(session, request, actor)
    require_reviewer(actor, row, verb)
    row = transition(session, row, action=action, expected=UNDECIDED, to=to, actor=actor,
                     now=now, values=_decided(actor, now, text), detail={note: text})
    notify(session, row, event=str(to), now=now, data={"by": actor.user_id, note: text})
    return RequestRecord.of(row)


def _decided(actor: Actor, now: datetime, note: str | None = None) -> dict[str, object]:
    return {"decided_by": actor.user_id, "decided_at": now, "decision_note": note}


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]
