"""The Details button (review card, partner DMs, `/launch-request status`, App Home rows) and
the details modal's pages. Who may see a request is decided by the workflow's one rule
(`request_history` loads it as the clicker may see it); anyone else is told it is not found."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.kernel.actors import Actor
from bot.requests import WorkflowError
from bot.requests.history import request_history
from bot.requests.records import RequestRecord
from bot.slack.blocks import Block
from bot.slack.ids import Action
from bot.slack.listening import actor, clicked_value, tell
from bot.slack.refusals import refusal_text
from bot.slack.requests.details import details_blocks, details_view, page_of
from bot.slack.requests.messages import file_facts, file_links
from bot.slack.runtime import Runtime


def details_for(runtime: Runtime, who: Actor, request: str) -> tuple[RequestRecord, list[Block]]:
    """The request as `who` may see it and every block of its details; WorkflowError (NotFound)
    when they may not."""
    with runtime.store.reader() as session:
        record, entries = request_history(session, request, actor=who)
        logo, certificates = file_facts(session, record.id)
        links = file_links(session, record.id)
    return record, details_blocks(record, entries, tz=runtime.calendar.tz, logo=logo,
                                  certificates=certificates, links=links)


def register(app: App, runtime: Runtime) -> None:
    @app.action(Action.details.value)
    def open_details(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        try:
            record, blocks = details_for(runtime, who, clicked_value(body))
        except WorkflowError as exc:
            tell(client, body, who.user_id, refusal_text(exc))
            return
        client.views_open(trigger_id=body["trigger_id"], view=details_view(record, blocks))

    def turn_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        request, page = page_of(clicked_value(body))
        try:
            record, blocks = details_for(runtime, who, request)
        except WorkflowError as exc:
            tell(client, body, who.user_id, refusal_text(exc))
            return
        view = body.get("view") or {}
        client.views_update(view_id=view.get("id"), view=details_view(record, blocks, page))

    app.action(Action.details_page.value)(turn_page)
    app.action(Action.details_back.value)(turn_page)
