"""What the requests' outbox rows become in Slack (one renderer per topic, registered in
bot.slack.renderers): load what the builders need, call them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.requests import queries
from bot.requests.expedite import first_approvals, is_expedited
from bot.requests.records import RequestRecord
from bot.requests.transitions import Topic
from bot.rules.certificates import certificate_facts
from bot.rules.logo import logo_facts
from bot.slack.renderers import register
from bot.slack.rendering import NotReady, Outgoing
from bot.slack.requests.card import card_text, review_card
from bot.slack.requests.dm import partner_dm
from bot.store.models import UNDECIDED_STATES, Attachment, OutboxMessage, RequestState


def _card(session: Session, record: RequestRecord) -> list[dict]:
    rows = session.scalars(select(Attachment).where(Attachment.request_id == record.id)
                           .order_by(Attachment.id)).all()
    logo = next((logo_facts(a.name, a.content) for a in rows if a.role == "logo"), None)
    certificates = [(a.name, certificate_facts(a.content)) for a in rows
                    if a.role == "certificate"]
    undecided = RequestState(record.state) in UNDECIDED_STATES
    approvals = (first_approvals(session, record.id)
                 if undecided and is_expedited(record.findings) else [])
    return review_card(record, logo=logo, certificates=certificates, approvals=approvals)


def _record(session: Session, message: OutboxMessage) -> RequestRecord | None:
    row = queries.request_by_id(session, message.request_id) if message.request_id else None
    return RequestRecord.of(row, with_attachments=False) if row is not None else None


def review_card_post(session: Session, message: OutboxMessage, settings: Settings
                     ) -> list[Outgoing]:
    """A new card in REVIEW_CHANNEL; the relay records where it went."""
    record = _record(session, message)
    channel = message.channel or settings.review_channel
    if record is None or not channel:
        return []  # nothing left to say anything about, or nowhere to say it
    return [Outgoing(text=card_text(record), blocks=_card(session, record), channel=channel,
                     card_of=("request", record.id))]


def review_card_update(session: Session, message: OutboxMessage, settings: Settings
                       ) -> list[Outgoing]:
    """The posted card, re-rendered in place."""
    record = _record(session, message)
    if record is None:
        return []
    if not record.card_ts or not record.card_channel:
        raise NotReady(f"{record.public_id}: the card is not posted yet")
    return [Outgoing(text=card_text(record), blocks=_card(session, record),
                     channel=record.card_channel, update_ts=record.card_ts)]


def partner_dm_post(session: Session, message: OutboxMessage, settings: Settings
                    ) -> list[Outgoing]:
    """The requester's DM: what happened to their request."""
    record = _record(session, message)
    if record is None:
        return []
    event = str(message.payload.get("event", ""))
    cutoff = (record.target_deploy_date - timedelta(days=record.lead_time_days)
              if record.target_deploy_date and record.lead_time_days else None)
    text, blocks = partner_dm(record, event, message.payload, cutoff=cutoff)
    return [Outgoing(text=text, blocks=blocks,
                     user_id=message.user_id or record.requester_user_id)]


register(Topic, {Topic.review_card: review_card_post,
                 Topic.review_card_update: review_card_update,
                 Topic.partner_dm: partner_dm_post})
