"""Short text answers about tickets: `/support-ticket` subcommands and refusals."""

from __future__ import annotations

from collections.abc import Sequence

from bot.kernel.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    InvalidTransition,
    MissingInput,
    NotAllowed,
    NotFound,
    WorkflowError,
)
from bot.slack.blocks import clip, escape, user
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


ACTION_PHRASES = {"claim": "claim tickets", "reply to": "reply to tickets",
                  "mark as waiting on the partner": "mark tickets as waiting on the partner",
                  "resolve": "resolve tickets"}


def ticket_refusal(error: WorkflowError) -> str:
    """What a user is told when the ticket workflow says no: specific, never a traceback."""
    if isinstance(error, NotFound):
        return f"I can't find {escape(error.what)} among the tickets you can see."
    if isinstance(error, NotAllowed):
        if error.reason == "not_reviewer":
            return (f"Only the support team can "
                    f"{ACTION_PHRASES.get(error.action, error.action)}.")
        if error.reason == "other_team":
            return "Only the team that filed this ticket can answer it."
    if isinstance(error, AlreadyClaimed):
        return f"{error.request} is already claimed by {user(error.by)}."
    if isinstance(error, AlreadyDecided):
        return f"{error.request} is already resolved" + (
            f" by {user(error.by)}." if error.by else ".")
    if isinstance(error, InvalidTransition):
        state = TICKET_STATE_LABELS[TicketState(error.state)] \
            if error.state in TicketState.__members__ else error.state
        return f"That cannot be done on {error.request} now: it is {state.lower()}."
    if isinstance(error, MissingInput):
        return f"Write the {error.field} first."
    return str(error)[:1].upper() + str(error)[1:] + "."
