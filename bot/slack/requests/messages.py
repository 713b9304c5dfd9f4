"""What the requests' outbox rows become in Slack (one renderer per topic, registered in
bot.slack.renderers): load what the builders need, call them."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendar import LEAD_DAYS
from bot.config import Settings
from bot.requests import queries
from bot.requests.expedite import first_approvals, is_expedited
from bot.requests.records import RequestRecord
from bot.requests.transitions import Topic
from bot.rules.certificates import CertFacts, certificate_facts
from bot.rules.logo import LogoFacts, logo_facts
from bot.slack.renderers import card_renderers, register
from bot.slack.rendering import Outgoing
from bot.slack.requests.card import card_text, review_card
from bot.slack.requests.dm import ProductionSteps, Resubmission, partner_dm
from bot.store.models import UNDECIDED_STATES, Attachment, OutboxMessage, RequestState


def file_facts(session: Session, request_id: int
               ) -> tuple[LogoFacts | None, list[tuple[str, CertFacts | None]]]:
    """The logo's and certificates' facts as the card and the details show them."""
    rows = session.scalars(select(Attachment).where(Attachment.request_id == request_id)
                           .order_by(Attachment.id)).all()
    logo = next((logo_facts(a.name, a.content) for a in rows if a.role == "logo"), None)
    certificates = [(a.name, certificate_facts(a.content)) for a in rows
                    if a.role == "certificate"]
    return logo, certificates


def file_links(session: Session, request_id: int) -> dict[str, str]:
    """Where each of the request's files can be opened in Slack, by name (when known)."""
    return {name: link for name, link in session.execute(
        select(Attachment.name, Attachment.link).where(Attachment.request_id == request_id,
                                                       Attachment.link.is_not(None)))}


def _card(session: Session, record: RequestRecord, settings: Settings) -> list[dict]:
    logo, certificates = file_facts(session, record.id)
    undecided = RequestState(record.state) in UNDECIDED_STATES
    approvals = (first_approvals(session, record.id)
                 if undecided and is_expedited(record.findings) else [])
    return review_card(record, logo=logo, certificates=certificates,
                       tz=ZoneInfo(settings.timezone), approvals=approvals)


def _resubmission(record: RequestRecord, settings: Settings) -> Resubmission | None:
    """A resubmission on day X targets the first deploy day `lead` days after X, and never
    earlier than the current target: it keeps the target until target - lead."""
    if record.target_deploy_date is None or record.decided_at is None:
        return None
    calendar = settings.calendar()
    lead = record.lead_time_days or LEAD_DAYS
    keep_by = record.target_deploy_date - timedelta(days=lead)
    asked_on = calendar.local_date(record.decided_at)
    if asked_on <= keep_by:
        moves_to = calendar.earliest_deploy_day(keep_by + timedelta(days=1), lead).date
        return Resubmission(keep_by=keep_by, moves_to=max(moves_to, record.target_deploy_date))
    return Resubmission(keep_by=None,
                        moves_to=calendar.earliest_deploy_day(asked_on, lead).date)


def _record(session: Session, message: OutboxMessage) -> RequestRecord | None:
    row = queries.request_by_id(session, message.request_id) if message.request_id else None
    return RequestRecord.of(row, with_attachments=False) if row is not None else None


def _card_message(session: Session, record: RequestRecord, settings: Settings,
                  first: bool) -> tuple[str, list[dict]]:
    return card_text(record), _card(session, record, settings)


review_card_post, review_card_update = card_renderers(
    "request", _record, _card_message, lambda settings: settings.review_channel)


def partner_dm_post(session: Session, message: OutboxMessage, settings: Settings
                    ) -> list[Outgoing]:
    """The requester's DM: what happened to their request."""
    record = _record(session, message)
    if record is None:
        return []
    event = str(message.payload.get("event", ""))
    cutoff = (record.target_deploy_date - timedelta(days=record.lead_time_days)
              if record.target_deploy_date and record.lead_time_days else None)
    text, blocks = partner_dm(
        record, event, message.payload, cutoff=cutoff,
        production=ProductionSteps(settings.production_domain,
                                   settings.production_certificates_url),
        resubmission=_resubmission(record, settings) if event == "changes_requested"
        else None)
    return [Outgoing(text=text, blocks=blocks,
                     user_id=message.user_id or record.requester_user_id)]


register(Topic, {Topic.review_card: review_card_post,
                 Topic.review_card_update: review_card_update,
                 Topic.partner_dm: partner_dm_post})
