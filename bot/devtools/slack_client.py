"""What Slack sends TO the bot, signed for real: slash commands, interactivity, events.

`SignedSender` posts the bodies Slack posts (form-encoded commands, `payload=<json>` for
interactivity, JSON event callbacks) with a real `X-Slack-Signature`, so Bolt's request
verification stays on in tests. With a `FakeSlack` attached, the trigger_ids and response_urls
it sends are ones the fake issued (a following views.open is valid for 3 seconds), and a
view_submission answer with a `response_action` is applied to the fake like Slack would.

    sender = SignedSender(bot_url, signing_secret, fake=slack)
    r = sender.slash_command("/launch-request", "", user_id="U0PARTNER")
    view = slack.last_view("U0PARTNER")
    r = sender.view_submission(view, user_id="U0PARTNER", values={"app_name": "Benefits"})
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Self

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.devtools.fake_slack import Clock, FakeSlack
from bot.devtools.view_inputs import INITIAL, element_state, find_element, state_values

STALE_AFTER = 5 * 60  # Slack's (and Bolt's) replay window, seconds


class Signing(StrEnum):
    """How a request is signed: as Slack does, or as an attacker would."""

    VALID = "valid"
    FORGED = "forged"  # signed with the wrong secret
    REPLAYED = "replayed"  # correctly signed, but the timestamp is over 5 minutes old
    MISSING = "missing"  # no signature headers at all


class SignedSender:
    """Sends Slack's requests to the bot at `bot_url` (its full request URL; a bare origin
    gets `/slack/events`), signed with `signing_secret` at `clock()` (wall time by default,
    which Bolt's verifier uses too). Every method returns the bot's httpx.Response and sets
    `last_payload` to the payload it sent."""

    def __init__(self, bot_url: str, signing_secret: str, *, clock: Clock = time.time,
                 fake: FakeSlack | None = None, team_id: str | None = None,
                 team_domain: str | None = None, api_app_id: str | None = None,
                 timeout: float = 10.0, client: httpx.Client | None = None) -> None:
        if urllib.parse.urlsplit(bot_url).path in ("", "/"):
            bot_url = bot_url.rstrip("/") + "/slack/events"
        self.url = bot_url
        self.signing_secret = signing_secret
        self.clock = clock
        self.fake = fake
        self.team_id = team_id or (fake.team_id if fake else "T0AGENCY")
        self.team_domain = team_domain or (fake.team_domain if fake else "agency")
        self.api_app_id = api_app_id or (fake.app_id if fake else "A0LAUNCHBOT")
        self.client = client or httpx.Client(timeout=timeout)
        self.last_payload: dict[str, Any] | None = None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- signing --------------------------------------------------------------------------

    def signed_headers(self, body: str, signing: Signing = Signing.VALID) -> dict[str, str]:
        if signing is Signing.MISSING:
            return {}
        now = int(self.clock())
        timestamp = str(now - STALE_AFTER - 60 if signing is Signing.REPLAYED else now)
        secret = "not-the-" + self.signing_secret if signing is Signing.FORGED \
            else self.signing_secret
        signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
        return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""}

    def post(self, body: str, content_type: str, *, signing: Signing = Signing.VALID,
             headers: Mapping[str, str] | None = None) -> httpx.Response:
        """POST a raw body as Slack would (for malformed-input tests)."""
        all_headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0",
                       **self.signed_headers(body, signing), **(headers or {})}
        return self.client.post(self.url, content=body.encode("utf-8"), headers=all_headers)

    def _form(self, fields: Mapping[str, Any], signing: Signing) -> httpx.Response:
        body = urllib.parse.urlencode({k: v for k, v in fields.items() if v is not None})
        return self.post(body, "application/x-www-form-urlencoded", signing=signing)

    def _interactive(self, payload: dict[str, Any], signing: Signing) -> httpx.Response:
        self.last_payload = payload
        return self._form({"payload": json.dumps(payload)}, signing)

    def envelope(self, kind: str, *, user_id: str, team_id: str | None = None
                 ) -> dict[str, Any]:
        """The fields every interactivity payload of type `kind` carries (team, user, app),
        to build a payload by hand: one no real element would produce (fuzzing)."""
        return self._base(kind, user_id, team_id)

    def interactive(self, payload: dict[str, Any], *,
                    signing: Signing = Signing.VALID) -> httpx.Response:
        """Post any interactivity payload as it is, signed."""
        return self._interactive(payload, signing)

    # -- payload pieces -------------------------------------------------------------------

    def _user(self, user_id: str) -> dict[str, Any]:
        known = self.fake.users.get(user_id) if self.fake else None
        name = known["name"] if known else user_id.lower()
        return {"id": user_id, "username": name, "name": name,
                "team_id": known["team_id"] if known else self.team_id}

    def _team(self, team_id: str | None) -> dict[str, Any]:
        return {"id": team_id or self.team_id, "domain": self.team_domain}

    def _trigger(self, user_id: str, view_id: str | None = None) -> str:
        if self.fake is not None:
            return self.fake.issue_trigger(user_id, view_id=view_id)
        return f"{int(self.clock())}.000000.0000000000000000"  # valid nowhere

    def _response_url(self, kind: str, channel_id: str | None, user_id: str,
                      message_ts: str | None = None) -> str:
        if self.fake is not None:
            return self.fake.issue_response_url(kind=kind, channel_id=channel_id,
                                                 user_id=user_id, message_ts=message_ts)
        return f"https://hooks.slack.com/{kind}/{self.team_id}/0/unreachable"

    def _view_payload(self, view: Mapping[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        payload = {"id": "V0UNKNOWN", "team_id": self.team_id, "type": "modal",
                   "private_metadata": "", "callback_id": "", "external_id": "",
                   "hash": "0.0", "previous_view_id": None, "clear_on_close": False,
                   "notify_on_close": False, "app_id": self.api_app_id,
                   "app_installed_team_id": self.team_id, "bot_id": "B0LAUNCHBOT"}
        payload.update(view)
        payload.setdefault("root_view_id", payload["id"])
        payload["state"] = {"values": state}
        return payload

    def _base(self, kind: str, user_id: str, team_id: str | None) -> dict[str, Any]:
        return {"type": kind, "team": self._team(team_id), "user": self._user(user_id),
                "api_app_id": self.api_app_id, "token": "legacy-verification-token",
                "enterprise": None, "is_enterprise_install": False}

    # -- what Slack sends -----------------------------------------------------------------

    def slash_command(self, command: str, text: str = "", *, user_id: str,
                      team_id: str | None = None, channel_id: str = "C0GENERAL",
                      channel_name: str = "general", user_name: str | None = None,
                      signing: Signing = Signing.VALID) -> httpx.Response:
        """A slash command, form-encoded like Slack, with a fresh trigger_id."""
        fields = {
            "token": "legacy-verification-token", "team_id": team_id or self.team_id,
            "team_domain": self.team_domain, "channel_id": channel_id,
            "channel_name": channel_name, "user_id": user_id,
            "user_name": user_name or self._user(user_id)["username"], "command": command,
            "text": text, "api_app_id": self.api_app_id, "is_enterprise_install": "false",
            "response_url": self._response_url("commands", channel_id, user_id),
            "trigger_id": self._trigger(user_id),
        }
        self.last_payload = fields
        return self._form(fields, signing)

    def message_shortcut(self, callback_id: str, message: Mapping[str, Any], *, user_id: str,
                         team_id: str | None = None,
                         signing: Signing = Signing.VALID) -> httpx.Response:
        """The user runs a message shortcut on `message` (a dict from FakeSlack.messages_in,
        which carries its channel and ts), with a fresh trigger_id."""
        channel = str(message.get("channel") or "C0GENERAL")
        payload = self._base("message_action", user_id, team_id)
        payload.update({
            "callback_id": callback_id, "trigger_id": self._trigger(user_id),
            "action_ts": f"{self.clock():.6f}", "message_ts": message.get("ts"),
            "channel": {"id": channel, "name": channel.lower()},
            "message": {k: message[k] for k in ("type", "user", "text", "ts", "blocks")
                        if k in message},
            "response_url": self._response_url("app", channel, user_id)})
        return self._interactive(payload, signing)

    def view_submission(self, view: Mapping[str, Any], *, user_id: str,
                        values: Mapping[str, Any] | None = None,
                        state: dict[str, Any] | None = None, team_id: str | None = None,
                        signing: Signing = Signing.VALID) -> httpx.Response:
        """The user presses the modal's submit button. `values` (by block_id, see
        `state_values`) or a ready `state`. With a fake attached, a `response_action` answer
        is applied to it (or refused, recorded as a failed `response_action` call)."""
        if state is None:
            state = state_values(view, values, file_info=self._file_info())
        payload = self._base("view_submission", user_id, team_id)
        payload.update({"view": self._view_payload(view, state), "response_urls": [],
                        "trigger_id": self._trigger(user_id, view.get("id"))})
        response = self._interactive(payload, signing)
        if self.fake is not None and response.status_code == 200 and response.content:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if isinstance(answer, dict) and "response_action" in answer:
                self.fake.apply_response_action(payload["view"], answer, user_id)
        return response

    def view_closed(self, view: Mapping[str, Any], *, user_id: str, is_cleared: bool = False,
                    team_id: str | None = None,
                    signing: Signing = Signing.VALID) -> httpx.Response:
        """The user closes a modal that has notify_on_close."""
        payload = self._base("view_closed", user_id, team_id)
        payload.update({"view": self._view_payload(view, state_values(view)),
                        "is_cleared": is_cleared})
        return self._interactive(payload, signing)

    def block_action(self, action_id: str, *, user_id: str,
                     message: Mapping[str, Any] | None = None,
                     view: Mapping[str, Any] | None = None, value: Any = None,
                     values: Mapping[str, Any] | None = None, channel_id: str | None = None,
                     team_id: str | None = None,
                     signing: Signing = Signing.VALID) -> httpx.Response:
        """The user clicks a button or picks an option in a `message` (a dict from
        FakeSlack.messages_in, which carries its channel and ts) or in a `view`.

        The element must really be there (ValueError otherwise). `value` is the picked
        option's value (selects), the typed text (dispatching inputs), or overrides a
        button's value. For a view, `values` is what is typed in the rest of the form."""
        if (message is None) == (view is None):
            raise ValueError("give exactly one of message= or view=")
        container = message if message is not None else view
        assert container is not None
        block_id, element = find_element(container.get("blocks") or [], action_id)
        action = self._action(block_id, element, value)
        payload = self._base("block_actions", user_id, team_id)
        payload["actions"] = [action]
        if message is not None:
            channel = channel_id or message.get("channel") or "C0UNKNOWN"
            payload.update({
                "container": {"type": "message", "message_ts": message["ts"],
                              "channel_id": channel, "is_ephemeral": False},
                "channel": {"id": channel, "name": channel.lower()},
                "message": {k: v for k, v in message.items() if k != "channel"},
                "state": {"values": {}},
                "response_url": self._response_url("actions", channel, user_id, message["ts"]),
                "trigger_id": self._trigger(user_id),
            })
        else:
            assert view is not None
            typed = dict(values or {})
            if any(b.get("block_id") == block_id and b.get("type") == "input"
                   for b in view.get("blocks") or []):
                typed[block_id] = {k: v for k, v in action.items()
                                   if k not in ("action_id", "block_id", "action_ts")}
            state = state_values(view, typed, file_info=self._file_info())
            payload.update({
                "container": {"type": "view", "view_id": view.get("id")},
                "view": self._view_payload(view, state),
                "trigger_id": self._trigger(user_id, view.get("id")),
            })
        return self._interactive(payload, signing)

    def _action(self, block_id: str, element: Mapping[str, Any], value: Any) -> dict[str, Any]:
        action: dict[str, Any] = {"action_id": element["action_id"], "block_id": block_id,
                                  "action_ts": f"{self.clock():.6f}"}
        kind = element["type"]
        if kind == "button":
            action.update({"type": "button", "text": element.get("text"),
                           "value": value if value is not None else element.get("value")})
            if element.get("style"):
                action["style"] = element["style"]
            return action
        given = INITIAL if value is None else value
        action.update(element_state(element, given, file_info=self._file_info()))
        return action

    def _file_info(self) -> Callable[[str], dict[str, Any]] | None:
        return self.fake.file_info if self.fake is not None else None

    def event(self, event: Mapping[str, Any], *, event_id: str | None = None,
              team_id: str | None = None, retry_num: int | None = None,
              retry_reason: str = "http_timeout",
              signing: Signing = Signing.VALID) -> httpx.Response:
        """An Events API callback (JSON). Same `event_id` + `retry_num` = Slack's redelivery
        (X-Slack-Retry-Num / X-Slack-Retry-Reason headers), which the bot must de-duplicate."""
        now = self.clock()
        team = team_id or self.team_id
        bot_user = self.fake.bot_user_id if self.fake else "U0LAUNCHBOT"
        payload = {
            "token": "legacy-verification-token", "team_id": team,
            "api_app_id": self.api_app_id, "event": dict(event), "type": "event_callback",
            "event_id": event_id or f"Ev{int(now * 1000):013d}", "event_time": int(now),
            "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": bot_user,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": f"4-fake-{team}",
        }
        self.last_payload = payload
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(json.dumps(payload), "application/json", signing=signing,
                         headers=headers)

    def app_home_opened(self, user_id: str, *, tab: str = "home", event_id: str | None = None,
                        signing: Signing = Signing.VALID) -> httpx.Response:
        """The user opens the bot's App Home (the event launchbot subscribes to)."""
        channel = self.fake.dm_channel_id(user_id) if self.fake else "D" + user_id[1:]
        event: dict[str, Any] = {"type": "app_home_opened", "user": user_id, "channel": channel,
                                 "tab": tab, "event_ts": f"{self.clock():.6f}"}
        if self.fake is not None and tab == "home" and self.fake.home_view(user_id):
            event["view"] = self.fake.home_view(user_id)
        return self.event(event, event_id=event_id, signing=signing)

    def url_verification(self, challenge: str = "fake-challenge",
                         signing: Signing = Signing.VALID) -> httpx.Response:
        """The handshake Slack makes when the request URL is saved."""
        payload = {"token": "legacy-verification-token", "challenge": challenge,
                   "type": "url_verification"}
        self.last_payload = payload
        return self.post(json.dumps(payload), "application/json", signing=signing)
