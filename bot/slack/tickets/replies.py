"""Short text answers about tickets: `/support-ticket` subcommands and refusals."""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.text import clip, escape, user
from bot.slack.tickets.card import TICKET_STATE_LABELS
from bot.store.models import TicketState
from bot.tickets.use_cases import TicketRecord

HELP = """*/support-ticket* asks the partner-support team for help (a SAML error, a redirect \
problem, users who cannot sign in).
• `/support-ticket`: open the form
• `/support-ticket list`: your team's tickets
• `/support-ticket status ST-1001`: where a ticket stands, with the latest messages
• `/support-ticket history ST-1001`: who did what and when
You answer the support team from the DM they send you. A ticket needs your production account \
email (it is separate from your dashboard account)."""


def unknown_subcommand(verb: str) -> str:
    return f"`{escape(verb)}` is not something I know.\n{HELP}"


def _line(record: TicketRecord) -> str:
    state = TICKET_STATE_LABELS[TicketState(record.state)]
    urgent = ":rotating_light: " if record.urgent and record.is_open else ""
    who = f" · with {user(record.assignee_id)}" if record.assignee_id and record.is_open else ""
    return (f"{urgent}*{record.public_id}* · {escape(record.category)} · "
            f"{escape(clip(record.summary or '', 120))} · {state}{who}")


def ticket_status(record: TicketRecord) -> str:
    lines = [_line(record), f"Filed by {user(record.requester_user_id)} on "
             f"{record.created_at:%Y-%m-%d %H:%M} UTC"]
    if record.state == TicketState.resolved and record.resolution_note:
        lines.append(f"Resolution: {escape(clip(record.resolution_note, 1500))}")
    for message in record.messages[-3:]:
        who = "Support" if message.role == "support" else "You"
        lines.append(f"{who} ({user(message.author_id)}): "
                     f"{escape(clip(message.body, 500)).replace(chr(10), ' ')}")
    if record.state == TicketState.waiting_on_partner:
        lines.append("_Waiting on you: answer from the DM the support team sent._")
    return "\n".join(lines)


def ticket_list(records: Sequence[TicketRecord]) -> str:
    if not records:
        return "Your team has no support tickets. `/support-ticket` files one."
    return "\n".join(_line(r) for r in records)
