"""What the tickets' outbox rows become in Slack (one renderer per topic, registered in
bot.slack.renderers): load the ticket, call the builders.

The card goes to SUPPORT_CHANNEL, or to REVIEW_CHANNEL when no support channel is set (the
reviewers are the support team); its ts is recorded so updates edit it in place."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.slack.renderers import card_renderers, register
from bot.slack.rendering import Outgoing
from bot.slack.tickets.card import ticket_card, ticket_card_text
from bot.slack.tickets.dm import partner_ticket_dm, staff_ticket_dm
from bot.store.models import OutboxMessage
from bot.tickets import queries as ticket_queries
from bot.tickets.use_cases import TicketRecord, TicketTopic

# Where the whole of a card shortened to fit Slack is (bot.slack.fitting).
WHOLE_TICKET = "the whole is stored with the ticket"


def _record(session: Session, message: OutboxMessage) -> TicketRecord | None:
    row = ticket_queries.ticket_by_id(session, message.ticket_id) if message.ticket_id \
        else None
    return TicketRecord.of(row) if row is not None else None


def _card_message(session: Session, record: TicketRecord, settings: Settings,
                  first: bool) -> tuple[str, list[dict]]:
    # Only the first post's text mentions the reviewer group: an update alerts nobody again.
    group = settings.reviewer_group
    return (ticket_card_text(record, reviewer_group=group if first else None),
            ticket_card(record, reviewer_group=group))


ticket_card_post, ticket_card_update = card_renderers(
    "ticket", _record, _card_message,
    lambda settings: settings.support_channel or settings.review_channel,
    whole_at=WHOLE_TICKET)


def partner_ticket_dm_post(session: Session, message: OutboxMessage, settings: Settings
                           ) -> list[Outgoing]:
    record = _record(session, message)
    if record is None:
        return []
    text, blocks = partner_ticket_dm(record, str(message.payload.get("event", "")),
                                     message.payload)
    return [Outgoing(text=text, blocks=blocks,
                     user_id=message.user_id or record.requester_user_id)]


def staff_ticket_dm_post(session: Session, message: OutboxMessage, settings: Settings
                         ) -> list[Outgoing]:
    record = _record(session, message)
    if record is None or not message.user_id:
        return []
    text, blocks = staff_ticket_dm(record, str(message.payload.get("event", "")),
                                   message.payload)
    return [Outgoing(text=text, blocks=blocks, user_id=message.user_id)]


register(TicketTopic, {TicketTopic.card: ticket_card_post,
                       TicketTopic.card_update: ticket_card_update,
                       TicketTopic.partner_dm: partner_ticket_dm_post,
                       TicketTopic.staff_dm: staff_ticket_dm_post})
