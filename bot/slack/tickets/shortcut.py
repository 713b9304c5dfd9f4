"""The message shortcut *Open a support ticket*: on any message, the ticket form opens prefilled
with the message's text and a link to it. Nothing is filed until the form is submitted."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.listening import actor
from bot.slack.runtime import Runtime
from bot.slack.team_picker import team_choices
from bot.slack.text import clip
from bot.slack.tickets.form import TicketFormMeta, ticket_form
from bot.slack.tickets.listeners import integrations_of

log = logging.getLogger(__name__)
CALLBACK = "open_support_ticket"  # manifest.yml: features.shortcuts
SUMMARY_MAX = 150
DESCRIPTION_MAX = 3000
SHORTENED = "\n\n(Shortened here: the whole message is at the link above.)"


def prefill(text: str, link: str | None) -> dict[str, str]:
    """Summary and description from a message. A prefill only: the partner edits it, and the
    link keeps the whole message when the form's limits shorten it (and says so)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    head = f"From this Slack message: {link}\n\n" if link else "From a Slack message:\n\n"
    room = DESCRIPTION_MAX - len(head)
    body = text if len(text) <= room else text[: room - len(SHORTENED) - 1] + "…" + SHORTENED
    return {"summary": clip(first, SUMMARY_MAX), "description": head + body}


def register(app: App, runtime: Runtime) -> None:
    @app.shortcut(CALLBACK)
    def open_from_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        message = body.get("message") if isinstance(body.get("message"), Mapping) else {}
        text = str(message.get("text") or "")
        channel = (body.get("channel") or {}).get("id")
        link = None
        try:  # the trigger lasts 3 seconds: one quick call, and the form opens without it
            if channel and message.get("ts"):
                link = client.chat_getPermalink(channel=channel,
                                                message_ts=message["ts"]).get("permalink")
        except SlackApiError as exc:
            log.info("no permalink for a shortcut message: %s", exc.response.get("error"))
        client.views_open(trigger_id=body["trigger_id"], view=ticket_form(
            TicketFormMeta.new(), integrations=integrations_of(runtime, who),
            teams=team_choices(runtime, who), prefill=prefill(text, link)))
