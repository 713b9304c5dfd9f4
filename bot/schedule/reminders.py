"""Deadline reminders, in business hours: batched per recipient, capped, never repeated for the
same thing on the same day.

One run per business day (`reminders`, claimed per date) writes:
- to each partner, one DM: their requests waiting on them (changes requested), each with the
  date it slips to if not resubmitted by its cutoff; and, at the week's first run, their
  integrations' production certificates that expire within 60 days;
- to the review channel, one message: undecided requests whose deploy day is within three
  business days;
- at the week's first run, the cutoff notice in the digest channel: "submit by <date> to
  make the <date> deploy" (and the 21-day push notification URL cutoff).
The weekly parts are claimed per ISO week, so a missed Monday run sends them on Tuesday.

Support tickets unclaimed after four business hours are checked hourly (`tickets`), each ticket
reminded at most once a day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.calendar import LEAD_DAYS, PUSH_LEAD_DAYS, DeployCalendar
from bot.rules.certificates import EXPIRING_DAYS, certificate_facts
from bot.schedule.slots import (
    MAX_ITEMS,
    ScheduleContext,
    ScheduleTopic,
    Slot,
    add_business_hours,
    claim_once,
    iso_week,
)
from bot.store.models import (
    UNDECIDED_STATES,
    Integration,
    Request,
    RequestState,
    Ticket,
    TicketState,
)
from bot.store.outbox import enqueue

REMINDERS_AT = time(10)
REVIEW_WITHIN_BUSINESS_DAYS = 3
TICKET_BUSINESS_HOURS = 4
TICKET_CHECKS = tuple(time(h) for h in range(9, 18))  # hourly through the working day


def business_day_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    return [day.isoformat()] if calendar.is_business_day(day) else []


def _name(row: Request) -> str:
    return str((row.submitted or {}).get("friendly_name") or row.issuer or "")


def _capped(items: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    return list(items[:MAX_ITEMS]), max(0, len(items) - MAX_ITEMS)


# --- partners -----------------------------------------------------------------------------------


def waiting_on_partner(session: Session, calendar: DeployCalendar,
                       today: date) -> dict[str, list[dict[str, Any]]]:
    """Requests with changes requested, per requester: when to resubmit, and what happens
    after. A resubmission keeps the target if it still has the lead time, else moves it."""
    rows = session.scalars(select(Request).where(
        Request.state == RequestState.changes_requested.value)
        .order_by(Request.target_deploy_date, Request.id)).all()
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        lead = row.lead_time_days or LEAD_DAYS
        target = row.target_deploy_date
        item: dict[str, Any] = {"public_id": row.public_id, "name": _name(row),
                                "asked": row.decision_note or "",
                                "target": target.isoformat() if target else None}
        cutoff = target - timedelta(days=lead) if target else None
        if cutoff is not None and today <= cutoff:
            item["cutoff"] = cutoff.isoformat()
            item["slips_to"] = calendar.earliest_deploy_day(
                cutoff + timedelta(days=1), lead).date.isoformat()
        else:
            item["cutoff"] = None
            item["slips_to"] = calendar.earliest_deploy_day(today, lead).date.isoformat()
        found[row.requester_user_id].append(item)
    return found


def expiring_certificates(session: Session, *, now: datetime,
                          within: timedelta = timedelta(days=EXPIRING_DAYS)
                          ) -> dict[str, list[dict[str, Any]]]:
    """Production certificates expiring within `within` (or expired), per requester of the
    integration (whoever filed a request for it that was not rejected or withdrawn)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for integration in session.scalars(select(Integration).order_by(Integration.issuer)):
        expiring = []
        for name, pem in sorted((integration.certificates or {}).items()):
            facts = certificate_facts(str(pem).encode())
            if facts is not None and facts.not_after <= now + within:
                expiring.append((name, facts.not_after))
        if not expiring:
            continue
        requesters = session.scalars(
            select(Request.requester_user_id).distinct().where(
                or_(Request.integration_id == integration.id,
                    Request.issuer == integration.issuer),
                Request.state.not_in([RequestState.rejected.value,
                                      RequestState.withdrawn.value]))).all()
        for user in sorted(requesters):
            for name, not_after in expiring:
                found[user].append({
                    "issuer": integration.issuer,
                    "name": integration.friendly_name or integration.issuer,
                    "certificate": name, "expires": not_after.isoformat()})
    return found


# --- reviewers ----------------------------------------------------------------------------------


def undecided_near(session: Session, calendar: DeployCalendar,
                   today: date) -> list[dict[str, Any]]:
    horizon = calendar.add_business_days(today, REVIEW_WITHIN_BUSINESS_DAYS)
    rows = session.scalars(select(Request).where(
        Request.state.in_([s.value for s in UNDECIDED_STATES]),
        Request.target_deploy_date <= horizon)
        .order_by(Request.target_deploy_date, Request.submitted_at, Request.id)).all()
    return [{"public_id": r.public_id, "name": _name(r), "kind": r.kind, "state": r.state,
             "target": r.target_deploy_date.isoformat() if r.target_deploy_date else None,
             "reviewer": r.reviewer_id, "card_channel": r.card_channel, "card_ts": r.card_ts}
            for r in rows]


# --- the weekly cutoff notice -------------------------------------------------------------------


def cutoffs(calendar: DeployCalendar, today: date) -> dict[str, Any]:
    """The next deploy a submission made today can make, with 14 and with 21 days' notice."""
    regular = calendar.earliest_deploy_day(today, LEAD_DAYS)
    push = calendar.earliest_deploy_day(today, PUSH_LEAD_DAYS)
    following = calendar.next_deploy_day(regular.date + timedelta(days=1))
    return {
        "deploy": regular.date.isoformat(), "cutoff": regular.cutoff.isoformat(),
        "push_deploy": push.date.isoformat(),
        "push_cutoff": push.cutoff_push_notification.isoformat(),
        "following_deploy": following.date.isoformat(),
        "following_cutoff": following.cutoff.isoformat(),
        "often_closed": {d.date.isoformat(): d.often_closed
                         for d in (regular, following, push) if d.often_closed},
    }


# --- the daily run ------------------------------------------------------------------------------


def send_reminders(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    today = date.fromisoformat(slot.period)
    week = iso_week(today)
    posts = 0
    batches: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: {"waiting": [], "certificates": []})
    for user, items in waiting_on_partner(session, ctx.calendar, today).items():
        batches[user]["waiting"] = items
    if claim_once(session, "certificates", week, ctx, now=now):
        for user, items in expiring_certificates(session, now=now).items():
            batches[user]["certificates"] = items
    for user, batch in sorted(batches.items()):
        waiting, more_waiting = _capped(batch["waiting"])
        certs, more_certs = _capped(batch["certificates"])
        posts += enqueue(session, topic=ScheduleTopic.partner_reminder.value,
                         dedupe_key=f"{ScheduleTopic.partner_reminder.value}:{user}:{today}",
                         user_id=user, now=now,
                         payload={"day": today.isoformat(), "waiting": waiting,
                                  "more_waiting": more_waiting, "certificates": certs,
                                  "more_certificates": more_certs})
    near = undecided_near(session, ctx.calendar, today)
    if near and ctx.channels.review:
        items, more = _capped(near)
        posts += enqueue(session, topic=ScheduleTopic.review_reminder.value,
                         dedupe_key=f"{ScheduleTopic.review_reminder.value}:{today}",
                         channel=ctx.channels.review, now=now,
                         payload={"day": today.isoformat(), "items": items, "more": more,
                                  "within": REVIEW_WITHIN_BUSINESS_DAYS})
    channel = ctx.channels.digest
    if channel and claim_once(session, "cutoff_notice", week, ctx, now=now):
        posts += enqueue(session, topic=ScheduleTopic.cutoff_notice.value,
                         dedupe_key=f"{ScheduleTopic.cutoff_notice.value}:{week}",
                         channel=channel, now=now,
                         payload={"day": today.isoformat(), "week": week,
                                  **cutoffs(ctx.calendar, today)})
    return posts


# --- support tickets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFacts:
    id: int
    public_id: str
    summary: str
    category: str | None
    urgent: bool
    created_at: datetime
    card_channel: str | None
    card_ts: str | None


def unclaimed_tickets(session: Session) -> list[TicketFacts]:
    """Open support tickets nobody claimed, oldest first."""
    rows = session.scalars(select(Ticket).where(
        Ticket.state == TicketState.open.value, Ticket.assignee_id.is_(None))
        .order_by(Ticket.created_at, Ticket.id)).all()
    return [TicketFacts(id=row.id, public_id=row.public_id, summary=row.summary or "",
                        category=row.category, urgent=bool(row.urgent),
                        created_at=row.created_at, card_channel=row.card_channel,
                        card_ts=row.card_ts) for row in rows]


def hourly_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    return [f"{day.isoformat()}T{at:%H}"] if calendar.is_business_day(day) else []


def remind_tickets(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    channel = ctx.channels.tickets
    tickets = unclaimed_tickets(session)
    if not channel or not tickets:
        return 0
    today = ctx.calendar.local_date(now)
    overdue = [t for t in tickets
               if add_business_hours(ctx.calendar, t.created_at, TICKET_BUSINESS_HOURS) <= now
               and claim_once(session, "ticket_reminder", f"{t.id}:{today}", ctx, now=now)]
    if not overdue:
        return 0
    items, more = _capped([{
        "public_id": t.public_id, "summary": t.summary, "category": t.category,
        "urgent": t.urgent, "created_at": t.created_at.isoformat(),
        "card_channel": t.card_channel, "card_ts": t.card_ts} for t in overdue])
    return enqueue(session, topic=ScheduleTopic.ticket_reminder.value,
                   dedupe_key=f"{ScheduleTopic.ticket_reminder.value}:{slot.period}",
                   channel=channel, now=now,
                   payload={"items": items, "more": more, "hours": TICKET_BUSINESS_HOURS})


def open_ticket_count(session: Session) -> int:
    """Support tickets not resolved (for the digest)."""
    return session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.state != TicketState.resolved.value)) or 0
