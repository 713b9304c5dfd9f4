"""Deploy day, scheduled: the manifest at 09:00 (or the notice on a shifted regular day), the
preview two business days before, the 17:00 "not yet deployed" reminder, the next business
morning's slips; and the manifest's buttons (mark deployed, slip), which re-render the posted
manifest in place through the outbox.

The posts name requests by ID in their payloads and are rendered from the requests as they are
when the relay sends them (and again on every update), like the review card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendar import DeployCalendar
from bot.kernel.actors import Actor
from bot.kernel.errors import WorkflowError
from bot.requests.deployment import mark_deployed, slip
from bot.requests.manifest import manifest_for
from bot.requests.records import RequestRecord
from bot.rules.certificates import CertFacts, certificate_facts
from bot.rules.logo import LogoFacts, logo_facts
from bot.schedule.slots import ScheduleContext, ScheduleTopic, Slot
from bot.store.models import (
    UNDECIDED_STATES,
    Attachment,
    Integration,
    OutboxMessage,
    Request,
    RequestState,
)
from bot.store.outbox import enqueue

PAGE_SIZE = 12  # items per manifest message: 3 blocks each, under Slack's 50 blocks
PREVIEW_BUSINESS_DAYS = 2
MANIFEST_AT = time(9)
PREVIEW_AT = time(9)
CLOSE_OF_BUSINESS = time(17)
SLIP_AT = time(8)  # before the 09:00 manifest: a slipped item is on the next day's manifest

# --- what a deploy-day post shows --------------------------------------------------------------


@dataclass(frozen=True)
class DeployItem(RequestRecord):
    """A request as a deployer sees it: its snapshot, with the facts of its logo and
    certificates read from the files (what to check before deploying)."""

    logo: LogoFacts | None = None
    certificates: tuple[tuple[str, CertFacts | None], ...] = ()

    def pending_on(self, day: date) -> bool:
        """Still to deploy on `day` (approved, and not moved to another day)."""
        return self.state == RequestState.approved and self.target_deploy_date == day


def deploy_items(session: Session, ids: Sequence[int], *, files: bool = True
                 ) -> list[DeployItem]:
    """The requests `ids` as they are now, in the given order (missing ones left out)."""
    if not ids:
        return []
    rows = {r.Request.id: r for r in session.execute(
        select(Request, Integration.configuration.label("integration_configuration"))
        .outerjoin(Integration, Integration.id == Request.integration_id)
        .where(Request.id.in_(list(ids))))}
    logos: dict[int, LogoFacts] = {}
    certs: dict[int, list[tuple[str, CertFacts | None]]] = {}
    if files:
        for a in session.scalars(select(Attachment).where(Attachment.request_id.in_(list(ids)))
                                 .order_by(Attachment.id)):
            if a.role == "logo":
                logos.setdefault(a.request_id, logo_facts(a.name, a.content))
            elif a.role == "certificate":
                certs.setdefault(a.request_id, []).append((a.name, certificate_facts(a.content)))
    return [DeployItem.of(rows[i].Request, with_attachments=False,
                          integration_configuration=rows[i].integration_configuration,
                          logo=logos.get(i), certificates=tuple(certs.get(i, ())))
            for i in ids if i in rows]


def records(session: Session, ids: Sequence[int]) -> list[RequestRecord]:
    """Requests by ID, in the given order, without their files."""
    if not ids:
        return []
    rows = {r.id: r for r in session.scalars(select(Request).where(Request.id.in_(list(ids))))}
    return [RequestRecord.of(rows[i], with_attachments=False) for i in ids if i in rows]


def targeting(session: Session, day: date, states: Sequence[str]) -> list[int]:
    return list(session.scalars(
        select(Request.id).where(Request.state.in_(list(states)),
                                 Request.target_deploy_date == day)
        .order_by(Request.id)))


# --- the 09:00 manifest, or the notice of a shifted day -----------------------------------------


def manifest_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    """A deploy day (the manifest), or a regular deploy weekday moved by a holiday (the notice
    that says where it went)."""
    regular = calendar.deploy_day_for_regular(day)
    if calendar.deploy_day(day) is not None or (regular is not None and regular.shifted):
        return [day.isoformat()]
    return []


def manifest_key(day: date, page: int) -> str:
    return f"{ScheduleTopic.manifest.value}:{day.isoformat()}:p{page}"


def post_manifest(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    day = date.fromisoformat(slot.period)
    if ctx.channels.manifest is None:
        return 0  # nowhere to post: the claim still records that the day was handled
    deploy = ctx.calendar.deploy_day(day)
    if deploy is None:
        regular = ctx.calendar.deploy_day_for_regular(day)
        assert regular is not None and regular.shifted
        enqueue(session, topic=ScheduleTopic.shift_notice.value,
                dedupe_key=f"{ScheduleTopic.shift_notice.value}:{day.isoformat()}",
                channel=ctx.channels.manifest, now=now,
                payload={"day": day.isoformat(), "moved_to": regular.date.isoformat(),
                         "reason": regular.reason})
        return 1
    ids = [i.id for i in manifest_for(session, day)]
    pages = [ids[i:i + PAGE_SIZE] for i in range(0, len(ids), PAGE_SIZE)] or [[]]
    for n, page in enumerate(pages, start=1):
        enqueue(session, topic=ScheduleTopic.manifest.value, dedupe_key=manifest_key(day, n),
                channel=ctx.channels.manifest, now=now,
                payload={"day": day.isoformat(), "ids": page, "page": n, "pages": len(pages),
                         "shifted_from": deploy.regular_date.isoformat()
                         if deploy.shifted else None, "reason": deploy.reason})
    return len(pages)


def manifest_pages(session: Session, day: date) -> list[OutboxMessage]:
    """The manifest messages of `day`, in page order."""
    prefix = f"{ScheduleTopic.manifest.value}:{day.isoformat()}:p"
    rows = session.scalars(select(OutboxMessage).where(
        OutboxMessage.topic == ScheduleTopic.manifest.value,
        OutboxMessage.dedupe_key.startswith(prefix, autoescape=True))).all()
    return sorted(rows, key=lambda r: int(r.payload.get("page", 0)))


def refresh_manifest(session: Session, day: date, *, now: datetime, because: str,
                     request_id: int | None = None) -> int:
    """Queue a re-render (chat.update) of the manifest pages of `day` holding `request_id`
    (every page when None). `because` makes the outbox key unique per change."""
    count = 0
    for row in manifest_pages(session, day):
        if request_id is not None and request_id not in row.payload.get("ids", []):
            continue
        page = int(row.payload.get("page", 1))
        count += enqueue(session, topic=ScheduleTopic.manifest_update.value,
                         dedupe_key=f"{ScheduleTopic.manifest_update.value}:{day.isoformat()}:"
                                    f"p{page}:{because}",
                         channel=row.channel, now=now,
                         payload={"day": day.isoformat(), "page": page,
                                  "source": row.dedupe_key})
    return count


def source_manifest(session: Session, key: str) -> OutboxMessage | None:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).first()


# --- the manifest's buttons ------------------------------------------------------------------


def deploy_from_manifest(session: Session, request: int | str, *, actor: Actor, now: datetime,
                         day: date) -> RequestRecord:
    """Mark deployed from a manifest button, and re-render the manifest that lists it."""
    record = mark_deployed(session, request, actor=actor, now=now)
    refresh_manifest(session, day, now=now, request_id=record.id,
                     because=f"{record.id}:v{record.version}")
    return record


def slip_from_manifest(session: Session, request: int | str, *, actor: Actor, now: datetime,
                       calendar: DeployCalendar, day: date) -> RequestRecord:
    """Slip to the next deploy day from a manifest button (a request no longer on `day` is
    left alone), and re-render the manifest that lists it."""
    record = slip(session, request, actor=actor, now=now, calendar=calendar, from_date=day)
    refresh_manifest(session, day, now=now, request_id=record.id,
                     because=f"{record.id}:v{record.version}")
    return record


# --- the preview, two business days before -----------------------------------------------------


def preview_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    if not calendar.is_business_day(day):
        return []
    ahead = calendar.deploy_days(day + timedelta(days=1), until=day + timedelta(days=21))
    return [d.date.isoformat() for d in ahead
            if calendar.add_business_days(d.date, -PREVIEW_BUSINESS_DAYS) == day]


def post_preview(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    if ctx.channels.manifest is None:
        return 0
    day = date.fromisoformat(slot.period)
    deploy = ctx.calendar.deploy_day(day)
    approved = targeting(session, day, [RequestState.approved.value])
    pending = targeting(session, day, [*(s.value for s in UNDECIDED_STATES),
                                       RequestState.changes_requested.value])
    enqueue(session, topic=ScheduleTopic.preview.value,
            dedupe_key=f"{ScheduleTopic.preview.value}:{day.isoformat()}",
            channel=ctx.channels.manifest, now=now,
            payload={"day": day.isoformat(), "approved": approved, "pending": pending,
                     "shifted_from": deploy.regular_date.isoformat()
                     if deploy and deploy.shifted else None,
                     "reason": deploy.reason if deploy else None})
    return 1


# --- 17:00 on deploy day: what is not marked deployed --------------------------------------------


def deploy_day_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    return [day.isoformat()] if calendar.deploy_day(day) is not None else []


def post_not_deployed(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    day = date.fromisoformat(slot.period)
    left = targeting(session, day, [RequestState.approved.value])
    if not left or ctx.channels.manifest is None:
        return 0  # everything is deployed (or nothing was due): nothing to remind
    # What `slip` will do the next business morning: the first deploy day after that morning.
    morning = ctx.calendar.next_business_day(day)
    slips_to = ctx.calendar.next_deploy_day(morning + timedelta(days=1)).date
    enqueue(session, topic=ScheduleTopic.not_deployed.value,
            dedupe_key=f"{ScheduleTopic.not_deployed.value}:{day.isoformat()}",
            channel=ctx.channels.manifest, now=now,
            payload={"day": day.isoformat(), "ids": left,
                     "next_business_day": morning.isoformat(),
                     "slips_to": slips_to.isoformat()})
    return 1


# --- the next business morning: slips ------------------------------------------------------------


def slip_periods(calendar: DeployCalendar, day: date, at: time) -> list[str]:
    """The deploy days whose next business day is `day`."""
    if not calendar.is_business_day(day):
        return []
    before = calendar.deploy_days(day - timedelta(days=14), until=day - timedelta(days=1))
    return [d.date.isoformat() for d in before if calendar.next_business_day(d.date) == day]


def slip_leftovers(session: Session, ctx: ScheduleContext, slot: Slot, now: datetime) -> int:
    """Slip what is still approved for the deploy day (or any earlier day: a slip run missed
    while down is made up here); each partner is told by the slip itself."""
    day = date.fromisoformat(slot.period)
    stale = session.execute(
        select(Request.id, Request.target_deploy_date)
        .where(Request.state == RequestState.approved.value,
               Request.target_deploy_date <= day)
        .order_by(Request.target_deploy_date, Request.id)).all()
    slipped = 0
    days: set[date] = set()
    for request_id, target in stale:
        try:
            with session.begin_nested():  # one refused slip (deployed meanwhile) spoils none
                slip(session, request_id, actor=Actor.system(), now=now,
                     calendar=ctx.calendar, from_date=target)
        except WorkflowError:
            continue
        slipped += 1
        days.add(target)
    for target in sorted(days):
        refresh_manifest(session, target, now=now, because=f"slipped:{slot.period}")
    return slipped

