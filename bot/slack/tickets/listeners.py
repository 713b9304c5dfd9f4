"""Support tickets: `/support-ticket [status ID | list | help]`, the ticket form, the card's
buttons (Claim, Reply to partner, Waiting on partner, Resolve) and the partner's Answer
button in their DM."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.kernel import access
from bot.kernel.actors import Actor
from bot.kernel.errors import ValidationFailed, WorkflowError
from bot.kernel.ids import TICKET_IDS
from bot.requests import queries
from bot.rules.support import validate_ticket
from bot.slack.files import FetchedFiles, fetch_files, payload_files
from bot.slack.ids import Action, Callback
from bot.slack.listening import (
    FormAnswer,
    NoteCheck,
    NoteUseCase,
    Subcommand,
    Submitted,
    answer,
    button,
    form_button,
    form_listener,
    modal_error,
    note_listener,
    note_opener,
    slash_command,
)
from bot.slack.refusals import refusal_text
from bot.slack.requests.details import history_message
from bot.slack.runtime import Runtime
from bot.slack.team_picker import picked_value, team_choices, team_for
from bot.slack.tickets import replies
from bot.slack.tickets.form import (
    TICKET_NOTES,
    TicketFormMeta,
    read_ticket,
    ticket_confirmation,
    ticket_errors,
    ticket_form,
    ticket_note_about,
)
from bot.tickets.history import ticket_history
from bot.tickets.use_cases import (
    answer_ticket,
    claim_ticket,
    file_ticket,
    filed_ticket,
    get_ticket,
    may_act,
    reply_to_partner,
    resolve_ticket,
    team_tickets,
    wait_on_partner,
)

log = logging.getLogger(__name__)
TICKET = TICKET_IDS.noun
STORE_FAILED = ("We could not store your ticket just now, so nothing was filed. "
                "Please submit again in a moment.")
# What each note modal runs: (use case, the keyword its text goes in, the action it is).
NOTED: dict[Callback, tuple[Callable[..., Any], str, str]] = {
    Callback.ticket_reply: (reply_to_partner, "body", "reply"),
    Callback.ticket_resolve: (resolve_ticket, "note", "resolve"),
    Callback.ticket_answer: (answer_ticket, "body", "answer"),
}
NOTE_BUTTONS = {Action.ticket_reply: Callback.ticket_reply,
                Action.ticket_resolve: Callback.ticket_resolve,
                Action.ticket_answer: Callback.ticket_answer}


def integrations_of(runtime: Runtime, who: Actor) -> dict[str, str]:
    """The team's production integrations for the picker (issuer -> label)."""
    with runtime.store.reader() as session:
        return {i.issuer: f"{i.friendly_name or i.issuer} ({i.issuer})"
                for i in access.own(who, queries.integrations(session))}


def open_ticket_form(runtime: Runtime, client: WebClient, trigger_id: str, who: Actor) -> None:
    client.views_open(trigger_id=trigger_id, view=ticket_form(
        TicketFormMeta.new(), integrations=integrations_of(runtime, who),
        teams=team_choices(runtime, who)))


def register(app: App, runtime: Runtime) -> None:
    app.command("/support-ticket")(slash_command(
        runtime, open_ticket_form, SUBCOMMANDS, replies.unknown_subcommand))

    app.action(Action.new_ticket.value)(form_button(runtime, open_ticket_form))

    app.view(Callback.ticket_form.value)(form_listener(runtime, _filed))

    app.action(Action.ticket_claim.value)(button(runtime, claim_ticket, TICKET))
    app.action(Action.ticket_waiting.value)(button(runtime, wait_on_partner, TICKET))

    for note_button, callback in NOTE_BUTTONS.items():
        use_case, keyword, action = NOTED[callback]
        note = TICKET_NOTES[callback]
        app.action(note_button.value)(note_opener(runtime, callback, note, _about(action), TICKET))
        app.view(callback.value)(note_listener(runtime, note, _run(use_case, keyword, runtime),
                                               TICKET))


def _about(action: str) -> NoteCheck:
    def check(session: Session, ticket: str, who: Actor) -> str:
        record = may_act(session, ticket, actor=who, action=action)
        return ticket_note_about(record.public_id, record.summary)
    return check


def _run(use_case: Callable[..., Any], keyword: str, runtime: Runtime) -> NoteUseCase:
    def run(session: Session, ticket: str, who: Actor, text: str) -> Any:
        return use_case(session, ticket, actor=who, now=runtime.clock(), **{keyword: text})
    return run


def _filed(runtime: Runtime, client: WebClient, sent: Submitted) -> FormAnswer:
    """What the ticket form shows once submitted: errors on its fields, or the ticket filed."""
    meta = TicketFormMeta.parse(sent.metadata)
    form = read_ticket(sent.state)
    who = team_for(sent.who, picked_value(sent.state), "ticket")
    if isinstance(who, FormAnswer):
        return who
    try:
        with runtime.store.reader() as session:
            record = filed_ticket(session, meta.key, actor=who)
        if record is None:
            report = validate_ticket(form.values)
            fetched = FetchedFiles()
            if report.ok and form.file_ids:
                # Slack waits 3 seconds for this answer: the downloads get half of it.
                fetched = fetch_files(client, form.file_ids, settings=runtime.settings,
                                      timeout=1.5, known=payload_files(sent.state))
            if not report.ok or fetched.unreadable:
                return FormAnswer.errors(ticket_errors(report, sent.view, fetched.unreadable))
            with runtime.store.unit_of_work() as session:
                record = file_ticket(session, form.values, actor=who, now=runtime.clock(),
                                     files=fetched.files, idempotency_key=meta.key)
    except ValidationFailed as exc:
        return FormAnswer.errors(ticket_errors(exc.report, sent.view))
    except WorkflowError as exc:
        return FormAnswer.errors({"category": modal_error(refusal_text(exc, noun=TICKET))})
    except SQLAlchemyError:
        log.exception("could not store a ticket from %s", who.user_id)
        return FormAnswer.errors({"category": STORE_FAILED})
    runtime.poke_relay()
    return FormAnswer.update(ticket_confirmation(record.public_id, urgent=record.urgent))


def _status(runtime: Runtime, who: Actor, args: list[str]) -> str:
    if not args:
        return _list(runtime, who, args)
    return answer(runtime, lambda session: replies.ticket_status(
        get_ticket(session, args[0], actor=who)), noun=TICKET)


def _history(runtime: Runtime, who: Actor, args: list[str]) -> str | dict[str, Any]:
    if not args:
        return "Which ticket? `/support-ticket history ST-1001`"
    try:
        with runtime.store.reader() as session:
            ticket, entries = ticket_history(session, args[0], actor=who)
    except WorkflowError as exc:
        return refusal_text(exc, noun=TICKET)
    return history_message(None, entries, runtime.calendar.tz, public_id=ticket.public_id)


def _list(runtime: Runtime, who: Actor, args: list[str]) -> str:
    with runtime.store.reader() as session:
        return replies.ticket_list(team_tickets(session, actor=who, limit=20))


def _help(runtime: Runtime, who: Actor, args: list[str]) -> str:
    return replies.HELP


SUBCOMMANDS: dict[str, Subcommand] = {
    "status": _status, "list": _list, "help": _help, "history": _history,
}
