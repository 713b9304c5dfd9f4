"""The App Home tab: a partner's team requests and "New request", their open support tickets;
a reviewer's queues too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.models import Severity
from bot.requests.records import RequestRecord
from bot.slack.blocks import button, context, divider, header, section
from bot.slack.counts import counted
from bot.slack.home.team import team_sections
from bot.slack.ids import Action
from bot.slack.text import escape, kind_label, long_date, state_label
from bot.slack.tickets.home import ticket_sections
from bot.store.models import RequestState
from bot.teams.manage import TeamSummary
from bot.tickets.use_cases import TicketRecord

NEXT_STEP = {
    RequestState.submitted: "Waiting for a reviewer",
    RequestState.in_review: "A reviewer is looking at it",
    RequestState.changes_requested: "Your turn: fix what was asked and resubmit",
    RequestState.approved: "Approved; it deploys on its day",
    RequestState.deployed: "Done",
    RequestState.rejected: "Closed",
    RequestState.withdrawn: "Closed",
}
MAX_ROWS = 20  # a Home tab holds 100 blocks


def _line(record: RequestRecord) -> str:
    state = RequestState(record.state)
    name = escape(record.friendly_name or record.issuer or "")
    return (f"*{record.public_id}* · {kind_label(record.kind)} · {name}\n"
            f"{state_label(state)} · deploy {long_date(record.target_deploy_date)} · "
            f"_{NEXT_STEP[state]}_")


def _details(record: RequestRecord) -> dict[str, Any]:
    return button("Details", Action.details, record.public_id)


def _missing(record: RequestRecord) -> str | None:
    if record.state != RequestState.changes_requested:
        return None
    note = escape(record.decision_note or "")
    return f"What is missing: {note}" if note else None


def home_view(mine: Sequence[RequestRecord], queue: Sequence[RequestRecord] | None, *,
              tickets: Sequence[TicketRecord] = (),
              ticket_queue: Sequence[TicketRecord] | None = None,
              teams: Sequence[TeamSummary] = ()) -> dict[str, Any]:
    """`queue` is given to reviewers only: undecided requests, oldest first. `tickets` are
    the team's open support tickets; `ticket_queue` (reviewers: the support team) every
    open ticket; `teams` the partner teams the user is on."""
    blocks: list[dict[str, Any]] = [
        header("launchbot"),
        section("File launch, change and staging requests and follow them to production.",
                accessory=button("New request", Action.new_request, "new", style="primary")),
        {"type": "actions", "elements": [
            button("Check a configuration", Action.check_config, "check")]},
        context("Check a request file or your dashboard's configuration export against the "
                "rules before you file: nothing is filed."),
        divider(), section("*Your team's requests*")]
    if not mine:
        blocks.append(context("None yet. `/launch-request` or *New request* files one."))
    for record in mine[:MAX_ROWS]:
        blocks.append(section(_line(record), accessory=_details(record)))
        missing = _missing(record)
        if missing:
            blocks.append(context(missing))
    if queue is not None:
        blocks += [divider(), section(f"*Review queue* ({len(queue)} waiting, oldest first)")]
        if not queue:
            blocks.append(context("Nothing waits for review."))
        for record in queue[:MAX_ROWS]:
            warnings = sum(f.severity is Severity.warning for f in record.findings)
            blocks.append(section(
                f"{_line(record)}\nMust make: {long_date(record.target_deploy_date)}"
                + (f" · {counted(warnings, 'warning')}" if warnings else ""),
                accessory=_details(record)))
    blocks += ticket_sections(tickets, ticket_queue)
    blocks += team_sections(teams)  # last: the Home tab holds 100 blocks
    return {"type": "home", "blocks": blocks}
