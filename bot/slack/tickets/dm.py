"""Direct messages about a ticket: to the partner who filed it (filed, claimed, a reply,
waiting on them, resolved) and to the support person who has it (the partner answered)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.slack.blocks import button, section
from bot.slack.ids import Action
from bot.slack.text import clip, escape, user
from bot.slack.tickets.card import quoted
from bot.tickets.use_cases import TicketRecord

Blocks = list[dict[str, Any]]


def _name(record: TicketRecord) -> str:
    return f"*{record.public_id}* ({escape(clip(record.summary or record.category, 150))})"


def _answer_button(record: TicketRecord) -> dict[str, Any]:
    return {"type": "actions", "elements": [
        button("Answer", Action.ticket_answer, record.public_id, style="primary")]}


def partner_ticket_dm(record: TicketRecord, event: str,
                      data: Mapping[str, Any]) -> tuple[str, Blocks]:
    """(notification text, blocks) for `event` on the partner's ticket."""
    name = _name(record)
    by = user(data.get("by"))
    extra: Blocks = []
    if event == "filed":
        text = (f"Your support ticket {name} is filed. You will hear here when someone from "
                "the support team takes it.")
        if record.urgent:
            text += "\n:rotating_light: It is marked urgent: the support team was alerted."
    elif event == "claimed":
        text = f":raising_hand: {by} from the support team is working on {name}."
    elif event == "replied":
        text = (f":speech_balloon: {by} replied on {name}:\n"
                f"{quoted(str(data.get('body', '')), 2500)}")
        extra.append(_answer_button(record))
    elif event == "waiting":
        text = (f":hourglass_flowing_sand: {name} is waiting on you: the support team needs "
                "your answer to go on.")
        extra.append(_answer_button(record))
    elif event == "resolved":
        text = (f":white_check_mark: {by} resolved {name}:\n"
                f"{quoted(str(data.get('note', '')), 2500)}\n"
                "If it happens again, file a new ticket with `/support-ticket`.")
    else:
        text = f"{name}: {escape(event.replace('_', ' '))}."
    return clip(text, 3000), [section(clip(text, 3000)), *extra]


def staff_ticket_dm(record: TicketRecord, event: str,
                    data: Mapping[str, Any]) -> tuple[str, Blocks]:
    """(text, blocks) for the support person who has the ticket."""
    name = _name(record)
    if event == "answered":
        text = (f":incoming_envelope: {user(data.get('by'))} answered on {name}:\n"
                f"{quoted(str(data.get('body', '')), 2500)}")
    else:
        text = f"{name}: {escape(event.replace('_', ' '))}."
    return clip(text, 3000), [section(clip(text, 3000))]
