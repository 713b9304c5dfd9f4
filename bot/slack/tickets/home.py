"""The App Home's ticket sections: the team's open tickets (and "New ticket"); for support
staff, every open ticket, urgent first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.blocks import button, context, divider, section
from bot.slack.ids import Action
from bot.slack.text import clip, escape, user
from bot.slack.tickets.card import TICKET_STATE_LABELS
from bot.store.models import TicketState
from bot.tickets.use_cases import TicketRecord

MAX_TICKETS = 10  # per section: the Home tab holds 100 blocks, requests come first
NEXT_STEP = {
    TicketState.open: "Waiting for the support team",
    TicketState.in_progress: "The support team is on it",
    TicketState.waiting_on_partner: "Your turn: answer from the DM",
    TicketState.resolved: "Done",
}


def _line(record: TicketRecord, *, staff: bool) -> str:
    state = TicketState(record.state)
    urgent = ":rotating_light: " if record.urgent else ""
    first = (f"{urgent}*{record.public_id}* · {escape(record.category)} · "
             f"{escape(clip(record.summary or '', 150))}")
    if staff:
        who = f" · with {user(record.assignee_id)}" if record.assignee_id else " · unclaimed"
        return (f"{first}\n{TICKET_STATE_LABELS[state]}{who} · filed by "
                f"{user(record.requester_user_id)} {record.created_at:%Y-%m-%d}")
    return f"{first}\n{TICKET_STATE_LABELS[state]} · _{NEXT_STEP[state]}_"


def ticket_sections(tickets: Sequence[TicketRecord],
                    queue: Sequence[TicketRecord] | None = None) -> list[dict[str, Any]]:
    """`tickets`: the team's open tickets; `queue` (support staff only): all open tickets."""
    blocks: list[dict[str, Any]] = [
        divider(),
        section("*Your team's open support tickets*",
                accessory=button("New ticket", Action.new_ticket, "new"))]
    if not tickets:
        blocks.append(context("None open. `/support-ticket` or *New ticket* files one."))
    blocks += [section(_line(r, staff=False)) for r in tickets[:MAX_TICKETS]]
    if queue is not None:
        blocks += [divider(), section(f"*Open support tickets* ({len(queue)}, urgent first)")]
        if not queue:
            blocks.append(context("No open tickets."))
        blocks += [section(_line(r, staff=True)) for r in queue[:MAX_TICKETS]]
    return blocks
