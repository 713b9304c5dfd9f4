"""Reviewer decisions from the card: Approve, Request changes (comment), Reject (reason)."""

from __future__ import annotations

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.requests import approve, may_decide, reject, request_changes
from bot.slack.ids import Action, Callback
from bot.slack.listening import (
    NoteCheck,
    button,
    note_listener,
    note_opener,
)
from bot.slack.requests.decision import REVIEW_NOTES, review_note_about
from bot.slack.runtime import Runtime


def _about(action: str) -> NoteCheck:
    def check(session: Session, request: str, who: Actor) -> str:
        record = may_decide(session, request, actor=who, action=action)
        return review_note_about(record.public_id)
    return check


def register(app: App, runtime: Runtime) -> None:
    app.action(Action.approve.value)(button(runtime, approve))

    changes, rejecting = (REVIEW_NOTES[Callback.changes_comment],
                          REVIEW_NOTES[Callback.reject_reason])
    app.action(Action.request_changes.value)(note_opener(
        runtime, Callback.changes_comment, changes, _about("request changes to")))
    app.action(Action.reject.value)(note_opener(
        runtime, Callback.reject_reason, rejecting, _about("reject")))
    app.view(Callback.changes_comment.value)(note_listener(
        runtime, changes, lambda session, request, who, text: request_changes(
            session, request, actor=who, now=runtime.clock(), comment=text)))
    app.view(Callback.reject_reason.value)(note_listener(
        runtime, rejecting, lambda session, request, who, text: reject(
            session, request, actor=who, now=runtime.clock(), reason=text)))
