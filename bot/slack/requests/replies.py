"""Short text answers: slash subcommands and refusals."""

from __future__ import annotations

from collections.abc import Sequence

from bot.requests import (
    RequestRecord,
)
from bot.slack.text import clip, escape, kind_label, long_date, state_label
from bot.store.models import RequestState

HELP = """*/launch-request* files and follows deployment requests.
• `/launch-request`: open the form (launch, change or staging)
• `/launch-request list`: your team's requests
• `/launch-request status LR-1042`: where a request stands (*Details* shows all of it)
• `/launch-request history LR-1042`: who did what and when
• `/launch-request withdraw LR-1042`: withdraw a request before it is approved
• `/launch-request calendar`: the next deploy days and their cutoffs
• `/launch-request export [requests|decisions|tickets|audit]`: reviewers, a CSV in your DM
• `/launch-request team`: manage partner teams (reviewers)
Before you file, `launchbot check request.yaml` checks a request file on your machine."""


# A read that failed (the database is away): say what could not be read; nothing was sent.
UNREADABLE = ("I couldn't read {what} just now: the database is not answering. "
              "Please try again in a few minutes.")


def unknown_subcommand(verb: str) -> str:
    return f"`{escape(verb)}` is not something I know.\n{HELP}"


def status(record: RequestRecord) -> str:
    state = state_label(record.state)
    lines = [f"*{record.public_id}* · {kind_label(record.kind)} · "
             f"{escape(record.friendly_name or record.issuer or '')}",
             f"State: {state} · target deploy {long_date(record.target_deploy_date)}"]
    if record.decision_note and record.state == RequestState.changes_requested:
        lines.append(f"Asked for: {escape(record.decision_note)}")
    return "\n".join(lines)


def request_list(records: Sequence[RequestRecord], *, shown: int = 20) -> str:
    """The first `shown` of `records` (newest first); one more than that says there are more."""
    if not records:
        return "Your team has no requests yet. `/launch-request` files one."
    lines = [clip(status(r).replace("\n", " · "), 600) for r in records[:shown]]
    if len(records) > shown:
        lines.append(f"…these are the {shown} newest; `/launch-request status LR-…` shows any "
                     "other.")
    return "\n".join(lines)


def withdrawn(record: RequestRecord) -> str:
    return f"{record.public_id} is withdrawn."
