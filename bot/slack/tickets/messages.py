"""What each ticket outbox row becomes in Slack (bot.slack.messages dispatches the ticket
topics here): loads the ticket, calls the builders.

The card goes to SUPPORT_CHANNEL, or to REVIEW_CHANNEL when no support channel is set (the
reviewers are the support team); its ts is recorded so updates edit it in place."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.slack.rendering import NotReady, Outgoing
from bot.slack.tickets.card import ticket_card, ticket_card_text
from bot.slack.tickets.dm import partner_ticket_dm, staff_ticket_dm
from bot.store.models import OutboxMessage
from bot.tickets import queries as ticket_queries
from bot.tickets.use_cases import TICKET_TOPICS, TicketRecord, TicketTopic

__all__ = ["TICKET_TOPICS", "render_ticket"]
# Where the whole of a card shortened to fit Slack is (bot.slack.fitting).
WHOLE_TICKET = "the whole is stored with the ticket"


def render_ticket(session: Session, message: OutboxMessage, settings: Settings
                  ) -> list[Outgoing]:
    row = ticket_queries.ticket_by_id(session, message.ticket_id) if message.ticket_id \
        else None
    if row is None:
        return []  # nothing left to say anything about
    record = TicketRecord.of(row)
    group = settings.reviewer_group
    if message.topic == TicketTopic.card:
        channel = message.channel or settings.support_channel or settings.review_channel
        if not channel:
            return []
        return [Outgoing(text=ticket_card_text(record, reviewer_group=group),
                         blocks=ticket_card(record, reviewer_group=group), channel=channel,
                         card_of=("ticket", record.id), whole_at=WHOLE_TICKET)]
    if message.topic == TicketTopic.card_update:
        if not record.card_ts or not record.card_channel:
            raise NotReady(f"{record.public_id}: the card is not posted yet")
        # The update's text carries no mention: the group was alerted when the card was posted.
        return [Outgoing(text=ticket_card_text(record), blocks=ticket_card(
            record, reviewer_group=group), channel=record.card_channel,
            update_ts=record.card_ts, whole_at=WHOLE_TICKET)]
    event = str(message.payload.get("event", ""))
    if message.topic == TicketTopic.partner_dm:
        text, blocks = partner_ticket_dm(record, event, message.payload)
        return [Outgoing(text=text, blocks=blocks,
                         user_id=message.user_id or record.requester_user_id)]
    if message.topic == TicketTopic.staff_dm and message.user_id:
        text, blocks = staff_ticket_dm(record, event, message.payload)
        return [Outgoing(text=text, blocks=blocks, user_id=message.user_id)]
    return []
