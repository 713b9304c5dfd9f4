"""Reviewer decisions from the card: Approve, Request changes (comment), Reject (reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.requests import WorkflowError, approve, may_decide, reject, request_changes
from bot.slack.ids import Action, Callback
from bot.slack.listening import actor, clicked_value, noted, run_click, tell
from bot.slack.requests import replies
from bot.slack.requests.decision import DecisionMeta, note_modal
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    @app.action(Action.approve.value)
    def on_approve(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        request_id = clicked_value(body)
        run_click(runtime, client, body, who, lambda session: approve(
            session, request_id, actor=who, now=runtime.clock()), replies.refusal)

    def ask_for_note(callback: Callback, action: str) -> Callable[..., None]:
        def open_note(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            who = actor(runtime, body)
            request_id = clicked_value(body)
            try:  # refuse before the modal, not after the reviewer typed a comment
                with runtime.store.reader() as session:
                    may_decide(session, request_id, actor=who, action=action)
            except WorkflowError as exc:
                tell(client, body, who.user_id, replies.refusal(exc))
                return
            meta = DecisionMeta(request=request_id,
                                channel=(body.get("channel") or {}).get("id"))
            client.views_open(trigger_id=body["trigger_id"], view=note_modal(callback, meta))
        return open_note

    app.action(Action.request_changes.value)(
        ask_for_note(Callback.changes_comment, "request changes to"))
    app.action(Action.reject.value)(ask_for_note(Callback.reject_reason, "reject"))

    @app.view(Callback.changes_comment.value)
    def on_changes(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _noted(runtime, ack, body, client, request_changes, "comment")

    @app.view(Callback.reject_reason.value)
    def on_reject(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _noted(runtime, ack, body, client, reject, "reason")


def _noted(runtime: Runtime, ack: Ack, body: dict[str, Any], client: WebClient,
           decide: Callable[..., Any], note: str) -> None:
    given = noted(ack, body["view"], DecisionMeta, f"Write the {note} for the partner.")
    if given is None:
        return
    meta, text = given
    ack()
    who = actor(runtime, body)
    run_click(runtime, client, {"channel": {"id": meta.channel}} if meta.channel else {}, who,
              lambda session: decide(session, meta.request, actor=who, now=runtime.clock(),
                                     **{note: text}), replies.refusal)
