"""The weekly digest (Monday 09:00, DIGEST_CHANNEL): counts by state, new this week, the next
two deploy days and what is on them, the oldest waiting for review, requests at risk of
slipping, open support tickets, and scheduled posts that were missed. A snapshot: the payload
holds the figures as they were at 09:00."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendar import DeployCalendar
from bot.requests import queries
from bot.requests.listing import digest_counts
from bot.schedule.reminders import open_ticket_count
from bot.schedule.slots import (
    MAX_ITEMS,
    ScheduleContext,
    ScheduleTopic,
    Slot,
    iso_week,
    take_missed,
)
from bot.store.models import OPEN_STATES, UNDECIDED_STATES, Request, RequestState
from bot.store.outbox import enqueue

DIGEST_AT = time(9)
DIGEST_WEEKDAY = 0  # Monday
AT_RISK_BUSINESS_DAYS = 5
OLDEST = 3


def digest_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    return [iso_week(day)]


def _name(row: Request) -> str:
    return str((row.submitted or {}).get("friendly_name") or row.issuer or "")


def _brief(row: Request) -> dict[str, Any]:
    return {"public_id": row.public_id, "name": _name(row), "kind": row.kind,
            "state": row.state,
            "target": row.target_deploy_date.isoformat() if row.target_deploy_date else None}


def next_deploys(session: Session, calendar: DeployCalendar, today: date,
                 count: int = 2) -> list[dict[str, Any]]:
    days = []
    for deploy in calendar.deploy_days(today, count=count):
        rows = session.scalars(select(Request).where(
            Request.target_deploy_date == deploy.date,
            Request.state.in_([s.value for s in OPEN_STATES]))
            .order_by(Request.id)).all()
        approved = [_brief(r) for r in rows if r.state == RequestState.approved]
        days.append({"date": deploy.date.isoformat(),
                     "shifted_from": deploy.regular_date.isoformat()
                     if deploy.shifted else None, "reason": deploy.reason,
                     "approved": approved[:MAX_ITEMS], "approved_count": len(approved),
                     "pending_count": len(rows) - len(approved)})
    return days


def at_risk(session: Session, calendar: DeployCalendar, today: date) -> list[dict[str, Any]]:
    """Not yet approved and due within a week, or waiting on the partner past its cutoff."""
    horizon = calendar.add_business_days(today, AT_RISK_BUSINESS_DAYS)
    rows = session.scalars(select(Request).where(
        Request.state.in_([*(s.value for s in UNDECIDED_STATES),
                           RequestState.changes_requested.value]),
        Request.target_deploy_date.is_not(None))
        .order_by(Request.target_deploy_date, Request.id)).all()
    found = []
    for row in rows:
        target = row.target_deploy_date
        assert target is not None
        cutoff = target - timedelta(days=row.lead_time_days or 0)
        if row.state == RequestState.changes_requested and today > cutoff:
            found.append({**_brief(row), "why": "cutoff passed, waiting on the partner"})
        elif target <= horizon:
            why = ("waiting on the partner" if row.state == RequestState.changes_requested
                   else "not yet approved")
            found.append({**_brief(row), "why": why})
    return found


def post_digest(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    if not ctx.channels.digest:
        return 0
    today = ctx.calendar.local_date(now)
    counts = digest_counts(session, now=now)
    oldest = [{**_brief(r), "submitted_at": r.submitted_at.isoformat(),
               "days": (now - r.submitted_at).days}
              for r in queries.review_queue(session, limit=OLDEST)]
    risky = at_risk(session, ctx.calendar, today)
    tickets = open_ticket_count(session)
    missed = [{"job": m.job, "period": m.period} for m in take_missed(session, now=now)]
    open_requests = sum(counts.by_state.get(s.value, 0) for s in OPEN_STATES)
    payload = {
        "week": slot.period, "day": today.isoformat(), "by_state": counts.by_state,
        "new_this_week": counts.new_this_week,
        "deploys": next_deploys(session, ctx.calendar, today),
        "oldest": oldest, "at_risk": risky[:MAX_ITEMS],
        "more_at_risk": max(0, len(risky) - MAX_ITEMS),
        "open_tickets": tickets, "missed": missed,
        "nothing_pending": open_requests == 0 and not tickets and not missed,
    }
    return enqueue(session, topic=ScheduleTopic.digest.value,
                   dedupe_key=f"{ScheduleTopic.digest.value}:{slot.period}",
                   channel=ctx.channels.digest, now=now, payload=payload)
