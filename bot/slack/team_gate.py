"""Before any listener runs: someone who is on no partner team and is not a reviewer is told
so, on every surface (slash commands, buttons, forms, App Home), and nothing is filed or shown.
When Slack cannot say which team someone is on, they are asked to try again."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.slack.ids import Callback
from bot.slack.listening import SORRY, acting, actor, actor_id, tell
from bot.slack.requests import filing
from bot.slack.runtime import Runtime
from bot.slack.tickets import listeners as tickets
from bot.teams.membership import Unavailable

log = logging.getLogger(__name__)
TRY_AGAIN = ("Slack could not tell us which partner team you are on just now, so nothing was "
             "done. Please try again in a minute.")


# With the store away the gate answers as the listener would have: a form on itself, in its
# listener's words; a command or a button with the apology; the App Home stays as it was.
STORE_DOWN = {Callback.request_form: filing.STORE_FAILED,
              Callback.ticket_form: tickets.STORE_FAILED}


def not_on_team(review_channel: str | None) -> str:
    whom = (f"the reviewers in <#{review_channel}>" if review_channel
            else "the identity provider's reviewers")
    return ("You are not on a partner team yet, so there is nothing to show you and nothing "
            f"can be filed. Ask {whom} to add you to your agency's team.")


def _user(body: Mapping[str, Any]) -> str | None:
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        # Only the App Home shows anything to someone; other events are the bot's own.
        return str(event.get("user") or "") or None if event.get("type") == "app_home_opened" \
            else None
    if body.get("type") == "view_closed":
        return None
    return actor_id(body)


def _first_input(body: Mapping[str, Any]) -> str | None:
    for block in (body.get("view") or {}).get("blocks") or []:
        if isinstance(block, Mapping) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def _refuse(body: Mapping[str, Any], client: WebClient, user_id: str, text: str) -> BoltResponse:
    if body.get("command"):
        return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral",
                                                         "text": text}),
                            headers={"content-type": "application/json"})
    if body.get("type") == "view_submission" and _first_input(body):
        return BoltResponse(status=200, body=json.dumps(
            {"response_action": "errors", "errors": {_first_input(body): text}}),
            headers={"content-type": "application/json"})
    if body.get("type") == "event_callback":
        try:
            client.views_publish(user_id=user_id, view={"type": "home", "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": text}}]})
        except SlackApiError as exc:
            log.warning("could not publish the App Home of %s: %s", user_id,
                        exc.response.get("error"))
        return BoltResponse(status=200, body="")
    tell(client, body, user_id, text)
    return BoltResponse(status=200, body="")


def team_gate(runtime: Runtime) -> Callable[..., BoltResponse | None]:
    def gate(body: dict[str, Any], client: WebClient,
             next: Callable[[], None]) -> BoltResponse | None:
        user_id = _user(body)
        if not user_id:
            return next()
        try:
            who = actor(runtime, body)
        except Unavailable:
            return _refuse(body, client, user_id, TRY_AGAIN)
        except SQLAlchemyError:
            log.exception("could not read the partner teams of %s", user_id)
            if body.get("type") == "event_callback":
                return BoltResponse(status=200, body="")
            form = (body.get("view") or {}).get("callback_id")
            return _refuse(body, client, user_id, STORE_DOWN.get(form, SORRY))
        if who.is_reviewer or who.teams:
            acting(body, who)
            return next()
        return _refuse(body, client, user_id, not_on_team(runtime.settings.review_channel))
    return gate
