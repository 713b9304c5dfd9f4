"""What the scheduler's outbox rows become in Slack (one renderer per topic, registered in
bot.slack.renderers): load what the builders need, call them. Deploy-day posts render the
requests as they are now; reminders and the digest render the snapshot in their payload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.schedule.deploy_day import deploy_items, records, source_manifest
from bot.schedule.slots import ScheduleTopic
from bot.slack.renderers import Renderer, register
from bot.slack.rendering import NotReady, Outgoing
from bot.slack.schedule import deploy as schedule_deploy
from bot.slack.schedule import digest as schedule_digest
from bot.slack.schedule import reminders as schedule_reminders
from bot.store.models import OutboxMessage, OutboxStatus

# Where the whole is when a manifest page must be shortened to fit Slack (bot.slack.fitting).
MANIFEST_WHOLE = "each item's review card and `launchbot manifest` have the whole"


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _manifest(session: Session, message: OutboxMessage, settings: Settings
              ) -> tuple[str, list[dict]]:
    payload = message.payload
    day = date.fromisoformat(payload["day"])
    items = deploy_items(session, [int(i) for i in payload.get("ids", [])])
    return schedule_deploy.manifest_message(
        day, items, tz=ZoneInfo(settings.timezone), page=int(payload.get("page", 1)),
        pages=int(payload.get("pages", 1)), shifted_from=_date(payload.get("shifted_from")),
        reason=payload.get("reason"))


def manifest_update(session: Session, message: OutboxMessage, settings: Settings
                    ) -> list[Outgoing]:
    """A posted manifest page re-rendered in place (after Mark deployed or Slip)."""
    source = source_manifest(session, str(message.payload.get("source")))
    if source is None:
        return []  # nothing posted to update
    if source.status != OutboxStatus.sent.value or not source.sent_ts:
        if source.status == OutboxStatus.failed.value:
            return []
        raise NotReady(f"{source.dedupe_key} is not posted yet")
    text, blocks = _manifest(session, source, settings)
    return [Outgoing(text=text, blocks=blocks, channel=source.channel,
                     update_ts=source.sent_ts, whole_at=MANIFEST_WHOLE)]


def partner_reminder(session: Session, message: OutboxMessage, settings: Settings
                     ) -> list[Outgoing]:
    if not message.user_id:
        return []
    text, blocks = schedule_reminders.partner_reminder(message.payload)
    return [Outgoing(text=text, blocks=blocks, user_id=message.user_id)]


# A post in the row's channel: (session, row, settings) -> (text, blocks), or None for none.
Post = Callable[[Session, OutboxMessage, Settings], "tuple[str, list[dict]] | None"]


def _in_channel(post: Post, **extra: Any) -> Renderer:
    """`extra`: Outgoing's options (a manifest page is updated in place, never split)."""
    def render(session: Session, message: OutboxMessage, settings: Settings
               ) -> list[Outgoing]:
        if not message.channel:
            return []  # the channel was unset when it was queued
        made = post(session, message, settings)
        if made is None:
            return []
        text, blocks = made
        return [Outgoing(text=text, blocks=blocks, channel=message.channel, **extra)]
    return render


def _shift_notice(session: Session, message: OutboxMessage, settings: Settings
                  ) -> tuple[str, list[dict]]:
    payload = message.payload
    moved_to = _date(payload["moved_to"])
    assert moved_to is not None
    return schedule_deploy.shift_notice(date.fromisoformat(payload["day"]), moved_to,
                                        payload.get("reason"))


def _preview(session: Session, message: OutboxMessage, settings: Settings
             ) -> tuple[str, list[dict]]:
    payload = message.payload
    return schedule_deploy.preview_message(
        date.fromisoformat(payload["day"]),
        records(session, [int(i) for i in payload.get("approved", [])]),
        records(session, [int(i) for i in payload.get("pending", [])]),
        shifted_from=_date(payload.get("shifted_from")), reason=payload.get("reason"))


def _not_deployed(session: Session, message: OutboxMessage, settings: Settings
                  ) -> tuple[str, list[dict]] | None:
    payload = message.payload
    day = date.fromisoformat(payload["day"])
    left = [i for i in deploy_items(session, [int(i) for i in payload.get("ids", [])],
                                    files=False) if i.pending_on(day)]
    if not left:
        return None  # all marked deployed since 17:00: nothing to remind
    next_day, slips_to = _date(payload["next_business_day"]), _date(payload["slips_to"])
    assert next_day is not None and slips_to is not None
    return schedule_deploy.not_deployed_message(day, left, next_business_day=next_day,
                                                slips_to=slips_to)


def _from_payload(build: Callable[[dict[str, Any]], tuple[str, list[dict]]]) -> Post:
    """Reminders and the digest render the snapshot in their payload."""
    return lambda session, message, settings: build(message.payload)


register(ScheduleTopic, {
    ScheduleTopic.manifest: _in_channel(_manifest, in_place=True, whole_at=MANIFEST_WHOLE),
    ScheduleTopic.manifest_update: manifest_update,
    ScheduleTopic.shift_notice: _in_channel(_shift_notice),
    ScheduleTopic.preview: _in_channel(_preview),
    ScheduleTopic.not_deployed: _in_channel(_not_deployed),
    ScheduleTopic.partner_reminder: partner_reminder,
    ScheduleTopic.review_reminder: _in_channel(_from_payload(schedule_reminders.review_reminder)),
    ScheduleTopic.cutoff_notice: _in_channel(_from_payload(schedule_reminders.cutoff_notice)),
    ScheduleTopic.ticket_reminder: _in_channel(
        _from_payload(schedule_reminders.ticket_reminder)),
    ScheduleTopic.digest: _in_channel(_from_payload(schedule_digest.digest_message)),
})
