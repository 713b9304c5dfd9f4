"""Messages in the fake: chat.*, conversations.open and response_url posts (mixed into
FakeSlack; methods run with its lock held)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from bot.devtools.fake_slack.state import RESPONSE_URL_METHOD, Answer, SlackError, refused, truthy
from bot.devtools.slack_strict import message_refusal


class MessagesMixin:
    def issue_response_url(self, *, channel_id: str | None, user_id: str | None,
                           message_ts: str | None = None, kind: str = "commands") -> str:
        """A response_url (served by this fake) for a slash command or a message action."""
        with self._cond:
            token = f"{self.team_id}/{next(self._ids):08d}/fake{int(self.clock())}"
            self._response_urls[token] = {"channel": channel_id, "user": user_id,
                                          "ts": message_ts}
        return f"{self.root_url}/hooks/{kind}/{token}"

    # -- failure injection ----------------------------------------------------------------

    def handle_response_url(self, path: str, params: dict[str, Any],
                            headers: Mapping[str, str]) -> Answer:
        token = path.partition("/")[2]  # <kind>/<token>
        with self._cond:
            target = self._response_urls.get(token)
            if target is None:
                answer = Answer(404, {"ok": False, "error": "no_service"}, raw=b"no_service",
                                 content_type="text/plain")
            else:
                answer = self._respond(target, params)
            self._record(RESPONSE_URL_METHOD, params, headers, answer)
            return answer

    def _respond(self, target: dict[str, Any], params: dict[str, Any]) -> Answer:
        channel, ts = target["channel"], target["ts"]
        refusal = message_refusal(params.get("text"), params.get("blocks"))
        if refusal is not None:  # a response_url answers 400 with the error as plain text
            return Answer(400, refusal.body(), raw=refusal.error.encode(),
                          content_type="text/plain")
        original = self._find_message(channel, ts) if channel and ts else None
        if truthy(params.get("delete_original")) and original is not None:
            self._messages[channel].remove(original)
        elif truthy(params.get("replace_original")) and original is not None:
            self._edit(original, params)
        elif params.get("response_type") == "in_channel" and channel:
            self._post(channel, params)
        else:
            self._ephemerals.append({"channel": channel, "user": target["user"],
                                     "text": params.get("text", ""),
                                     "blocks": params.get("blocks") or [],
                                     "message_ts": self._new_ts(), "via": "response_url"})
        return Answer(200, {"ok": True}, raw=b"ok", content_type="text/plain")

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _fill_ids(self, blocks: list[Any]) -> list[Any]:
        """Slack gives every block (and interactive element) an id when none was set."""
        blocks = copy.deepcopy(blocks)
        for block in blocks:
            if not isinstance(block, dict):
                continue
            block.setdefault("block_id", f"b{next(self._ids):04d}")
            elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
            elements += [block[k] for k in ("element", "accessory") if isinstance(block.get(k),
                                                                               dict)]
            for element in elements:
                if isinstance(element, dict) and element.get("type") not in (None, "image"):
                    element.setdefault("action_id", f"a{next(self._ids):04d}")
        return blocks

    def _check_message(self, params: Mapping[str, Any]) -> None:
        refusal = message_refusal(params.get("text"), params.get("blocks"))
        if refusal is not None:
            raise refused(refusal)

    def _post(self, channel: str, params: Mapping[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message", "channel": channel, "ts": self._new_ts(),
            "text": params.get("text") or "", "user": self.bot_user_id, "bot_id": self.bot_id,
            "app_id": self.app_id, "team": self.team_id,
            "blocks": self._fill_ids(params.get("blocks") or []),
        }
        for key in ("attachments", "thread_ts", "metadata"):
            if params.get(key) is not None:
                message[key] = copy.deepcopy(params[key])
        self._messages.setdefault(channel, []).append(message)
        return message

    def _edit(self, message: dict[str, Any], params: Mapping[str, Any]) -> None:
        # chat.update keeps what it is not given; an empty blocks list removes the blocks.
        if params.get("text") is not None:
            message["text"] = params["text"]
        if params.get("blocks") is not None:
            message["blocks"] = self._fill_ids(params["blocks"])
        if params.get("attachments") is not None:
            message["attachments"] = copy.deepcopy(params["attachments"])
        message["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            raise SlackError("channel_not_found")
        channel = self._resolve_channel(channel)
        if channel in self.channels and not self.channels[channel]["is_member"]:
            raise SlackError("not_in_channel")
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")
        self._check_message(params)
        message = self._post(channel, params)
        public = {k: v for k, v in message.items() if k != "channel"}
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(public)}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel or not ts:
            raise SlackError("invalid_arguments")
        channel = self._resolve_channel(channel)
        message = self._find_message(channel, ts)
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise SlackError("cant_update_message")
        self._check_message(params)
        self._edit(message, params)
        public = {k: v for k, v in message.items() if k != "channel"}
        return {"channel": channel, "ts": ts, "text": message["text"],
                "message": copy.deepcopy(public)}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, user = params.get("channel"), params.get("user")
        if not channel:
            raise SlackError("channel_not_found")
        if not user:
            raise SlackError("user_not_found")
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")
        self._check_message(params)
        ts = self._new_ts()
        self._ephemerals.append({"channel": self._resolve_channel(channel), "user": user,
                                 "text": params.get("text") or "",
                                 "blocks": self._fill_ids(params.get("blocks") or []),
                                 "message_ts": ts, "via": "chat.postEphemeral"})
        return {"message_ts": ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("message_ts")
        if not channel or not ts:
            raise SlackError("invalid_arguments")
        channel = self._resolve_channel(channel)
        if self._find_message(channel, ts) is None:
            raise SlackError("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users")
        if isinstance(users, str):
            users = [u for u in users.split(",") if u]
        if not users:
            if params.get("channel"):
                return {"channel": {"id": params["channel"]}, "no_op": True, "already_open": True}
            raise SlackError("users_list_not_supplied")
        if len(users) == 1:
            channel_id = self.dm_channel_id(users[0])
            known = channel_id in self._messages
            return {"no_op": known, "already_open": known,
                    "channel": {"id": channel_id, "is_im": True, "user": users[0]}}
        group = "G" + "".join(sorted(u[1:4] for u in users))
        return {"channel": {"id": group, "is_mpim": True}}
