"""Reviewer decisions from the card: Approve, Request changes (comment), Reject (reason)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.requests import approve, may_decide, reject, request_changes
from bot.slack.ids import Action, Callback
from bot.slack.listening import (
    NoteCheck,
    actor,
    clicked_value,
    note_listener,
    note_opener,
    run_click,
)
from bot.slack.requests.decision import REVIEW_NOTES, review_note_about
from bot.slack.runtime import Runtime


def _about(action: str) -> NoteCheck:
    def check(session: Session, request: str, who: Actor) -> str:
        record = may_decide(session, request, actor=who, action=action)
        return review_note_about(record.public_id)
    return check


def register(app: App, runtime: Runtime) -> None:
    @app.action(Action.approve.value)
    def on_approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        request_id = clicked_value(body)
        run_click(runtime, client, body, who, lambda session: approve(
            session, request_id, actor=who, now=runtime.clock()))

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
