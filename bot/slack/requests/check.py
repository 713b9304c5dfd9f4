"""Check a configuration in Slack: *Check a configuration* on the App Home opens a modal with a
file input, and the answer replaces it; or a file sent to the bot in its DM, answered there.
The answer has the same findings as `launchbot check`, with *File this as a request*, which
opens the request form prefilled. Nothing is filed until the partner
submits that form. A file that cannot be read gets the command line's one line, on the field.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.request_file import MAX_REQUEST_BYTES, InputError
from bot.requests.checking import CheckResult, check_upload
from bot.slack.files import fetch_files, payload_files
from bot.slack.ids import Action, Callback
from bot.slack.listening import actor, clicked_value, tell
from bot.slack.requests.check_views import (
    DM_HINT,
    FILE_BLOCK,
    check_modal,
    result_message,
    result_modal,
    unreadable_text,
)
from bot.slack.requests.filing import prefilled_form
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)
NO_FILE = "Upload one request file (YAML or JSON) or a configuration export."
NOT_YOURS = "That file is not one you uploaded, so I will not read it."
GONE = "I can no longer read that file; check it again."


def _check(runtime: Runtime, client: WebClient, file_id: str,
           known: dict[str, Any] | None = None, timeout: float = 1.5) -> CheckResult | str:
    """The check of one uploaded file, or the one line saying why it cannot be read."""
    fetched = fetch_files(client, [file_id], settings=runtime.settings, known=known,
                          max_bytes=MAX_REQUEST_BYTES, timeout=timeout)
    name = fetched.names.get(file_id, f"file-{file_id}")
    if name in fetched.unreadable:
        return f"{name}: {fetched.unreadable[name]}"
    try:
        return check_upload(fetched.files[name], name, now=runtime.clock(),
                            calendar=runtime.calendar)
    except InputError as exc:
        return str(exc)


def _post(client: WebClient, channel: str, text: str,
          blocks: list[dict[str, Any]] | None = None) -> None:
    try:
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as exc:  # the answer is lost, the file is not: they can send it again
        log.warning("could not answer a file in a DM: %s", exc.response.get("error"))


def _in_dm(runtime: Runtime, event: Mapping[str, Any], client: WebClient) -> None:
    """A message to the bot in its DM: a file is checked; anything else gets the hint."""
    channel = event.get("channel")
    if (event.get("channel_type") != "im" or event.get("bot_id") or not channel
            or event.get("subtype") not in (None, "file_share")):
        return
    files = [f for f in event.get("files") or () if isinstance(f, Mapping)
             and isinstance(f.get("id"), str)]
    if not files:
        _post(client, channel, DM_HINT)
        return
    file = files[0]
    # Nobody waits on an event's answer: the download gets the usual time.
    outcome = _check(runtime, client, file["id"], known={file["id"]: dict(file)}, timeout=10)
    if isinstance(outcome, str):
        _post(client, channel, unreadable_text(outcome))
        return
    text, blocks = result_message(outcome, file["id"])
    _post(client, channel, text, blocks)


def register(app: App, runtime: Runtime) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient) -> None:
        _in_dm(runtime, event, client)

    @app.action(Action.check_config.value)
    def open_check(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=check_modal())

    @app.view(Callback.check_config.value)
    def checked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        values = (body.get("view") or {}).get("state", {}).get("values", {})
        known = payload_files(values)
        if len(known) != 1:
            ack(response_action="errors", errors={FILE_BLOCK: NO_FILE})
            return
        file_id = next(iter(known))
        # Slack waits 3 seconds for this answer: the download gets half of it.
        outcome = _check(runtime, client, file_id, known={file_id: known[file_id]})
        if isinstance(outcome, str):
            ack(response_action="errors", errors={FILE_BLOCK: unreadable_text(outcome)})
            return
        ack(response_action="update", view=result_modal(outcome, file_id))

    @app.action(Action.file_checked.value)
    def file_it(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        file_id, _, index = clicked_value(body).partition(":")
        try:
            info = client.files_info(file=file_id)["file"]
        except (SlackApiError, KeyError, TypeError):
            tell(client, body, who.user_id, GONE)
            return
        if info.get("user") != who.user_id:
            tell(client, body, who.user_id, NOT_YOURS)
            return
        outcome = _check(runtime, client, file_id, known={file_id: info})
        position = int(index) if index.isascii() and index.isdigit() and len(index) < 3 else 0
        if isinstance(outcome, str) or position >= len(outcome.checked):
            tell(client, body, who.user_id, unreadable_text(outcome) if isinstance(
                outcome, str) else GONE)
            return
        form = prefilled_form(runtime, who, outcome.checked[position].data)
        if (body.get("view") or {}).get("type") == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=form)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=form)
