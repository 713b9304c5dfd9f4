"""A partner withdraws their team's request before it is approved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel import access
from bot.kernel.actors import Actor
from bot.kernel.errors import NotAllowed
from bot.requests.records import RequestRecord
from bot.requests.transitions import S, load_visible, notify, transition

WITHDRAWABLE = (S.submitted, S.in_review, S.changes_requested)


def withdraw(session: Session, request: int | str, *, actor: Actor, now: datetime,
             reason: str | None = None) -> RequestRecord:
    row = load_visible(session, request, actor)
    if not access.on_team(actor, row.partner_team_id):
        raise NotAllowed("other_team", action="withdraw", request=row.public_id)
    note = (reason or "").strip() or None
    row = transition(session, row, action="withdraw", expected=WITHDRAWABLE, to=S.withdrawn,
                     actor=actor, now=now,
                     values={"decided_by": actor.user_id, "decided_at": now,
                             "decision_note": note},
                     detail={"reason": note} if note else None)
    notify(session, row, event="withdrawn", now=now, partner=False,
           data={"by": actor.user_id})
    return RequestRecord.of(row)
