"""The ticket card in SUPPORT_CHANNEL. One builder renders it when it is posted and every time
it is updated in place. An urgent ticket says so at the top and mentions the reviewer group:
the one mention the bot makes on purpose (everything the partner typed is escaped)."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import Block, button, context, divider, fields, header, section
from bot.slack.ids import Action
from bot.slack.text import clip, escape, user
from bot.store.models import TicketState
from bot.tickets.use_cases import TicketMessageRecord, TicketRecord

TICKET_STATE_LABELS = {
    TicketState.open: "Open, waiting for the support team",
    TicketState.in_progress: "In progress",
    TicketState.waiting_on_partner: "Waiting on the partner",
    TicketState.resolved: "Resolved",
}
ENVIRONMENT_LABELS = {"sandbox": "Sandbox", "staging": "Staging", "production": "Production"}
URGENT_BLOCK = "urgent"
STATUS_BLOCK = "ticket_status"
ACTIONS_BLOCK = "ticket_actions"
SHOWN_MESSAGES = 5  # the latest of the conversation; the store keeps them all


def group_mention(group_id: str | None) -> str:
    """The reviewer group's mention (an ID from the settings, never partner text)."""
    return f"<!subteam^{group_id}>" if group_id else ""


def urgent_text(reviewer_group: str | None) -> str:
    mention = group_mention(reviewer_group)
    return (":rotating_light: *URGENT: users unable to sign in to production.* "
            + (f"{mention} please look at this now." if mention else "Please look now."))


def quoted(text: str, limit: int) -> str:
    """Partner or staff text as a mrkdwn quote, escaped, every line quoted."""
    return "> " + escape(clip(text.strip(), limit)).replace("\n", "\n> ")


def state_text(record: TicketRecord) -> str:
    state = TicketState(record.state)
    text = f"*{TICKET_STATE_LABELS[state]}*"
    if state is TicketState.resolved:
        when = f" on {record.resolved_at:%Y-%m-%d %H:%M} UTC" if record.resolved_at else ""
        text += f" by {user(record.resolved_by)}{when}"
        if record.resolution_note:
            text += "\n" + quoted(record.resolution_note, 1500)
    elif record.assignee_id:
        text += f" · with {user(record.assignee_id)}"
    return text


def message_text(message: TicketMessageRecord) -> str:
    who = "support" if message.role == "support" else "partner"
    return (f"{user(message.author_id)} ({who}) · {message.created_at:%Y-%m-%d %H:%M} UTC\n"
            + quoted(message.body, 500))


def conversation_text(record: TicketRecord) -> str | None:
    if not record.messages:
        return None
    shown = record.messages[-SHOWN_MESSAGES:]
    heading = "*Conversation*" + (f" (latest {len(shown)} of {len(record.messages)})"
                                  if len(shown) < len(record.messages) else "")
    return clip(heading + "\n" + "\n".join(message_text(m) for m in shown), 3000)


def detail_fields(record: TicketRecord) -> Block:
    details = record.details
    started = " · ".join(x for x in (escape(details.started) if details.started else "",
                                     "still happening" if details.ongoing else "") if x)
    return fields(
        ("Category", escape(record.category)),
        ("Environment", ENVIRONMENT_LABELS.get(record.environment or "", "—")),
        ("Integration", f"`{escape(record.issuer)}`" if record.issuer else "—"),
        ("Filed by", user(record.requester_user_id)),
        ("Production account", escape(details.production_account_email or "—")),
        ("Technical contact", escape(details.technical_contact or "—")),
        ("Started", started or "—"),
        ("Browser", escape(details.browser or "—")),
    )


def ticket_card(record: TicketRecord, *, reviewer_group: str | None) -> list[Block]:
    blocks: list[Block] = []
    if record.urgent:
        blocks.append(section(urgent_text(reviewer_group), block_id=URGENT_BLOCK))
    details = record.details
    blocks += [header(f"{record.public_id} · Support ticket"), detail_fields(record),
               section("*Summary*\n" + escape(clip(record.summary or "—", 500)))]
    if details.description:
        blocks.append(section("*Description*\n" + escape(clip(details.description, 2500))))
    if details.steps_to_reproduce:
        blocks.append(section("*Steps to reproduce*\n"
                              + escape(clip(details.steps_to_reproduce, 2500))))
    if record.attachments:
        blocks.append(context(clip("*Attachments:* " + ", ".join(
            f"`{escape(a.name)}` ({a.size:,} bytes)" for a in record.attachments), 3000)))
    conversation = conversation_text(record)
    if conversation:
        blocks += [divider(), section(conversation)]
    blocks += [divider(), section(state_text(record), block_id=STATUS_BLOCK)]
    buttons = card_buttons(record)
    if buttons:
        blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK, "elements": buttons})
    return blocks


def card_buttons(record: TicketRecord) -> list[dict[str, Any]]:
    state = TicketState(record.state)
    if state is TicketState.resolved:
        return []
    value = record.public_id
    buttons = [button("Claim", Action.ticket_claim, value, style="primary")] \
        if state is TicketState.open else []
    buttons.append(button("Reply to partner", Action.ticket_reply, value))
    if state is not TicketState.waiting_on_partner:
        buttons.append(button("Waiting on partner", Action.ticket_waiting, value))
    buttons.append(button("Resolve", Action.ticket_resolve, value))
    return buttons


def ticket_card_text(record: TicketRecord, *, reviewer_group: str | None = None) -> str:
    """The notification text; an urgent card's mentions the group so it notifies."""
    state = TICKET_STATE_LABELS[TicketState(record.state)]
    text = f"{record.public_id} · {escape(record.category)}: " \
           f"{escape(clip(record.summary or '', 200))} ({state})"
    if record.urgent:
        mention = group_mention(reviewer_group)
        text = f":rotating_light: URGENT {mention + ' ' if mention else ''}{text}"
    return text
