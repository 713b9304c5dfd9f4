"""What the scheduler's outbox rows become in Slack (`bot.slack.messages.render_outbox` hands
them here): load what the builders need, call them. Deploy-day posts render the requests as they
are now; reminders and the digest render the snapshot in their payload."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.schedule.deploy_day import deploy_items, records, source_manifest
from bot.schedule.slots import ScheduleTopic
from bot.slack.rendering import NotReady, Outgoing
from bot.slack.schedule import deploy as schedule_deploy
from bot.slack.schedule import digest as schedule_digest
from bot.slack.schedule import reminders as schedule_reminders
from bot.store.models import OutboxMessage, OutboxStatus

TOPICS = frozenset(t.value for t in ScheduleTopic)
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


def render_schedule(session: Session, message: OutboxMessage, settings: Settings
                    ) -> list[Outgoing]:
    topic, payload = message.topic, message.payload
    channel = message.channel
    if topic == ScheduleTopic.manifest_update:
        source = source_manifest(session, str(payload.get("source")))
        if source is None:
            return []  # nothing posted to update
        if source.status != OutboxStatus.sent.value or not source.sent_ts:
            if source.status == OutboxStatus.failed.value:
                return []
            raise NotReady(f"{source.dedupe_key} is not posted yet")
        text, blocks = _manifest(session, source, settings)
        return [Outgoing(text=text, blocks=blocks, channel=source.channel,
                         update_ts=source.sent_ts, whole_at=MANIFEST_WHOLE)]
    if topic == ScheduleTopic.partner_reminder:
        text, blocks = schedule_reminders.partner_reminder(payload)
        return [Outgoing(text=text, blocks=blocks, user_id=message.user_id)] \
            if message.user_id else []
    if not channel:
        return []  # the channel was unset when it was queued
    if topic == ScheduleTopic.manifest:
        text, blocks = _manifest(session, message, settings)
    elif topic == ScheduleTopic.shift_notice:
        moved_to = _date(payload["moved_to"])
        assert moved_to is not None
        text, blocks = schedule_deploy.shift_notice(date.fromisoformat(payload["day"]),
                                                    moved_to, payload.get("reason"))
    elif topic == ScheduleTopic.preview:
        text, blocks = schedule_deploy.preview_message(
            date.fromisoformat(payload["day"]),
            records(session, [int(i) for i in payload.get("approved", [])]),
            records(session, [int(i) for i in payload.get("pending", [])]),
            shifted_from=_date(payload.get("shifted_from")), reason=payload.get("reason"))
    elif topic == ScheduleTopic.not_deployed:
        day = date.fromisoformat(payload["day"])
        left = [i for i in deploy_items(session, [int(i) for i in payload.get("ids", [])],
                                        files=False) if i.pending_on(day)]
        if not left:
            return []  # all marked deployed since 17:00: nothing to remind
        next_day, slips_to = _date(payload["next_business_day"]), _date(payload["slips_to"])
        assert next_day is not None and slips_to is not None
        text, blocks = schedule_deploy.not_deployed_message(
            day, left, next_business_day=next_day, slips_to=slips_to)
    elif topic == ScheduleTopic.review_reminder:
        text, blocks = schedule_reminders.review_reminder(payload)
    elif topic == ScheduleTopic.cutoff_notice:
        text, blocks = schedule_reminders.cutoff_notice(payload)
    elif topic == ScheduleTopic.ticket_reminder:
        text, blocks = schedule_reminders.ticket_reminder(payload)
    elif topic == ScheduleTopic.digest:
        text, blocks = schedule_digest.digest_message(payload)
    else:  # pragma: no cover - TOPICS lists exactly the branches above
        return []
    if topic == ScheduleTopic.manifest:  # its page is updated in place at every click
        return [Outgoing(text=text, blocks=blocks, channel=channel, in_place=True,
                         whole_at=MANIFEST_WHOLE)]
    return [Outgoing(text=text, blocks=blocks, channel=channel)]
