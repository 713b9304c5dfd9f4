"""Who is acting, and how a refusal or a result reaches them."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError
from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.kernel.errors import WorkflowError
from bot.slack.ids import Callback
from bot.slack.notes import NOTE_BLOCK, Note, NoteMeta, note_modal, read_note
from bot.slack.refusals import refusal_text
from bot.slack.runtime import Runtime
from bot.slack.text import clip
from bot.teams.membership import Unavailable, teams_of

log = logging.getLogger(__name__)
Reply = TypeVar("Reply")
# The apology for a bug or an outage (the database restarting): never a traceback.
SORRY = "Sorry, something went wrong on our side. Nothing you sent was lost; please try again."
TELL_LIMIT = 3000  # characters: a short answer (Slack refuses a message over 40,000)
MODAL_ERROR_LIMIT = 2000  # characters Slack takes in a modal field's error
# A modal whose private_metadata the bot cannot read: not one it opened, or from an older
# version of it. The partner or reviewer starts again from the button.
STALE_FORM = ("This form is out of date, so nothing was done. Close it and use the button "
              "on the message again.")
# Who is acting in the request being handled: the team gate works it out before any listener
# runs, and the listener takes that answer instead of asking Slack and the store again. Bolt's
# middleware `next()` only flags that the chain goes on: the listener runs after the gate has
# returned, in a listener thread. So the server opens a slot around the whole dispatch
# (`request_scope`), the gate fills it (`acting`), and the listener thread inherits the slot
# with the server's context (bot.ops.logs.ContextExecutor).
_acting: contextvars.ContextVar[list[tuple[Mapping[str, Any], Actor]] | None] = \
    contextvars.ContextVar("launchbot_acting", default=None)


def actor_id(body: Mapping[str, Any]) -> str | None:
    """The user who clicked, submitted or typed a command; None for events (nobody waits)."""
    user = body.get("user")
    if isinstance(user, Mapping):
        return str(user.get("id") or "") or None
    return str(body.get("user_id") or "") or None


def actor(runtime: Runtime, body: Mapping[str, Any]) -> Actor:
    """The acting user from any payload (interactivity's `user`, a slash command's `user_id`,
    an event's `event.user`), with the partner teams they are on. The home workspace comes
    from users.info: payloads name the workspace the app is in, not the user's own.
    Raises bot.teams.membership.Unavailable when Slack cannot say (never a guessed team);
    a reviewer sees every team's records anyway, so they go on working, on no team."""
    for known, who in _acting.get() or ():
        if known is body:
            return who
    user_id = actor_id(body) or str((body.get("event") or {}).get("user") or "")
    is_reviewer = runtime.is_reviewer(user_id)
    try:
        person = runtime.directory.person(user_id)
        teams = teams_of(runtime.store, runtime.directory, user_id, is_reviewer=is_reviewer,
                         now=runtime.clock())
    except Unavailable:
        if not is_reviewer:
            raise
        return Actor(user_id=user_id, team_id="", is_reviewer=True)
    return Actor(user_id=user_id, team_id=person.home_team, is_reviewer=is_reviewer,
                 teams=teams)


@contextmanager
def request_scope() -> Iterator[None]:
    """The handling of one request from Slack: who acts in it is worked out once."""
    token = _acting.set([])
    try:
        yield
    finally:
        _acting.reset(token)


def acting(body: Mapping[str, Any], who: Actor) -> None:
    """From now on in this request, `actor(runtime, body)` of this same payload is `who`
    (outside a `request_scope`, nothing is kept and `actor` works it out again)."""
    slot = _acting.get()
    if slot is not None:
        slot[:] = [(body, who)]


@dataclass(frozen=True)
class FormAnswer:
    """What a form's submission is answered with (`response_action` and its arguments; none:
    the modal closes), and what runs once Slack has it (slow work, never in its 3 seconds)."""

    action: dict[str, Any] = field(default_factory=dict)
    then: Callable[[], None] | None = None

    @classmethod
    def errors(cls, errors: Mapping[str, str]) -> FormAnswer:
        return cls({"response_action": "errors", "errors": dict(errors)})

    @classmethod
    def update(cls, view: dict[str, Any], then: Callable[[], None] | None = None) -> FormAnswer:
        return cls({"response_action": "update", "view": view}, then)


@dataclass(frozen=True)
class Submitted:
    """A form as submitted: its view and who submits it."""

    view: dict[str, Any]
    who: Actor

    @property
    def state(self) -> dict[str, Any]:
        """The inputs' state (block -> action -> value)."""
        return self.view.get("state", {}).get("values", {})

    @property
    def metadata(self) -> str | None:
        return self.view.get("private_metadata")


FormUseCase = Callable[[Runtime, WebClient, Submitted], FormAnswer]


def form_listener(runtime: Runtime, answer: FormUseCase) -> Callable[..., None]:
    """A form's submission listener: `answer` says what the form shows next; Slack is told
    that, then the answer's follow-up runs."""
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        shown = answer(runtime, client, Submitted(body["view"], actor(runtime, body)))
        ack(**shown.action)
        if shown.then is not None:
            shown.then()
    return submitted


@dataclass(frozen=True)
class Later:
    """A subcommand's answer now (within Slack's 3 seconds) and the work that follows it."""

    answer: str
    then: Callable[[WebClient], None]


# A subcommand answers with text, with a message ({"text": ..., "blocks": [...]}), or Later.
Subcommand = Callable[[Runtime, Actor, list[str]], "str | dict[str, Any] | Later"]
Opener = Callable[[Runtime, WebClient, str, Actor], None]


def slash_command(runtime: Runtime, open_form: Opener,
                  subcommands: Mapping[str, Subcommand],
                  unknown: Callable[[str], str]) -> Callable[..., None]:
    """A `/command [verb args]` listener: no verb (or `new`) opens the form, a known verb
    answers in place, anything else says what is known."""
    def handle(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        words = str(body.get("text") or "").split()
        verb, args = (words[0].lower(), words[1:]) if words else ("", [])
        if verb in ("", "new"):
            ack()
            # The trigger expires 3 seconds after the command: open the form first thing.
            open_form(runtime, client, body["trigger_id"], actor(runtime, body))
            return
        handler = subcommands.get(verb)
        answer = handler(runtime, actor(runtime, body), args) if handler \
            else unknown(verb)
        if isinstance(answer, Later):
            ack(answer.answer)
            answer.then(client)
        elif isinstance(answer, dict):
            ack(**answer)
        else:
            ack(answer)
    return handle


def clicked_value(body: Mapping[str, Any]) -> str:
    """The clicked button's value, or "" when it has none: Slack leaves `value` out for a
    button without one, and only a string can name a request or a ticket."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    value = first.get("value") if isinstance(first, Mapping) else None
    return value if isinstance(value, str) else ""


def noted(ack: Ack, view: Mapping[str, Any], missing: str) -> tuple[NoteMeta, str] | None:
    """A note modal's metadata and text; None once the modal was told what is wrong (out of
    date, or no text)."""
    try:
        meta = NoteMeta.model_validate_json(view.get("private_metadata") or "")
    except ValidationError:
        ack(response_action="errors", errors={NOTE_BLOCK: STALE_FORM})
        return None
    text = read_note((view.get("state") or {}).get("values"))
    if not text:
        ack(response_action="errors", errors={NOTE_BLOCK: missing})
        return None
    return meta, text


def tell(client: WebClient, body: Mapping[str, Any], user_id: str, text: str) -> None:
    """A short answer only `user_id` sees: ephemeral where the click happened, else a DM."""
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    text = clip(text, TELL_LIMIT)  # a refusal may quote what it was given, at any length
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
        else:
            client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as exc:  # the answer is a courtesy; the action itself is done
        log.warning("could not tell %s: %s", user_id, exc.response.get("error"))


def modal_error(text: str) -> str:
    """A refusal as a modal field shows it: Slack refuses an error over its limit, and a
    refusal may quote the ID it was given."""
    return clip(text, MODAL_ERROR_LIMIT)


def run_click(runtime: Runtime, client: WebClient, body: Mapping[str, Any], who: Actor,
              use_case: Callable[[Session], Any], noun: str = "request") -> None:
    """One change from a button, in one transaction. A refusal (not allowed, already decided)
    is told to the clicker alone; everyone else hears of the change through the outbox."""
    try:
        with runtime.store.unit_of_work() as session:
            use_case(session)
    except WorkflowError as exc:
        tell(client, body, who.user_id, refusal_text(exc, noun=noun))
        return
    runtime.poke_relay()


def button(runtime: Runtime, use_case: Callable[..., Any],
           noun: str = "request") -> Callable[..., None]:
    """A button that runs `use_case(session, <the clicked value>, actor=..., now=...)` at once
    (see run_click)."""
    def on_click(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        ref = clicked_value(body)
        run_click(runtime, client, body, who, lambda session: use_case(
            session, ref, actor=who, now=runtime.clock()))
    return on_click


def form_button(runtime: Runtime, open_form: Opener) -> Callable[..., None]:
    """A button that opens a form (new request, new ticket)."""
    def on_click(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_form(runtime, client, body["trigger_id"], actor(runtime, body))
    return on_click


def answer(runtime: Runtime, use_case: Callable[[Session], Reply], *, noun: str = "request",
           write: bool = False, unreadable: str | None = None) -> Reply | str:
    """A slash command's answer: what `use_case` says (in a read, or with `write` one unit of
    work), or the refusal. A read the database fails answers `unreadable` when given (nothing
    was sent, so nothing is lost)."""
    try:
        with (runtime.store.unit_of_work() if write else runtime.store.reader()) as session:
            text = use_case(session)
    except WorkflowError as exc:
        return refusal_text(exc, noun=noun)
    except SQLAlchemyError as exc:
        if write or unreadable is None:
            raise
        log.warning("a read for a slash command failed: %s", exc)
        return unreadable
    if write:
        runtime.poke_relay()
    return text


# What a note modal checks before it opens (raising the use case's refusal) and what it says
# about the record: (session, public ID, actor) -> a line of mrkdwn.
NoteCheck = Callable[[Session, str, Actor], str]
# What a sent note runs: (session, public ID, actor, text).
NoteUseCase = Callable[[Session, str, Actor, str], Any]


def note_opener(runtime: Runtime, callback: Callback, note: Note, check: NoteCheck,
                noun: str = "request") -> Callable[..., None]:
    """The button that asks for a note: refused before the modal opens (not after the text is
    typed), else the note modal about the clicked record."""
    def open_note(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        ref = clicked_value(body)
        try:
            with runtime.store.reader() as session:
                about = check(session, ref, who)
        except WorkflowError as exc:
            tell(client, body, who.user_id, refusal_text(exc, noun=noun))
            return
        meta = NoteMeta(record=ref, channel=(body.get("channel") or {}).get("id"))
        client.views_open(trigger_id=body["trigger_id"],
                          view=note_modal(callback, note, meta, about))
    return open_note


def note_listener(runtime: Runtime, note: Note, use_case: NoteUseCase,
                  noun: str = "request") -> Callable[..., None]:
    """A sent note modal: the use case runs before Slack is answered, so a refusal shows on
    the modal's field with the text still in it; done, the modal closes."""
    def on_note(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        given = noted(ack, body["view"], note.missing)
        if given is None:
            return
        meta, text = given
        who = actor(runtime, body)
        try:
            with runtime.store.unit_of_work() as session:
                use_case(session, meta.record, who, text)
        except WorkflowError as exc:
            ack(response_action="errors",
                errors={NOTE_BLOCK: modal_error(refusal_text(exc, noun=noun))})
            return
        ack()
        runtime.poke_relay()
    return on_note
