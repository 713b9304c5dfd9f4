"""A fake Slack Web API over real HTTP, for the test suite and `launchbot demo`.

Modelled on bolt-python's mock web API server, but stateful: it keeps the messages, views, DMs
and triggers the bot creates, so a test (or the demo) can look at what each person would see.
It answers slack_sdk's WebClient as Slack does (JSON or form bodies, bearer token, `ok: false`
errors, 429 with Retry-After), enforces the Block Kit limits in `block_limits`, serves
`files.info` and private file downloads, and response_url posts.

    with FakeSlack() as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.url)

Everything is per instance (no globals): tests may run several side by side.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import mimetypes
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from zoneinfo import ZoneInfo

from bot.devtools.block_limits import Surface, problems, response_action_problems

Clock = Callable[[], float]

DISCONNECT = "disconnect"
"""`fail_next(status=DISCONNECT)`: close the connection without answering (a network error)."""

TRIGGER_TTL = 3.0  # seconds Slack accepts a trigger_id for
MAX_VIEW_STACK = 3  # views.push fails beyond this many modals in a stack
FILES_METHOD = "files-pri"  # how private file downloads appear in `calls` and failure filters
RESPONSE_URL_METHOD = "response_url"
RESPONSE_ACTION_METHOD = "response_action"
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")  # JSON strings in form bodies


@dataclass(frozen=True)
class Call:
    """One request the fake received, and what it answered."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")


class ManualClock:
    """A clock tests move by hand (trigger expiry, outages measured in minutes)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class _Failure:
    status: int | str | tuple[int | str, ...]  # a tuple: each answer the next in turn
    retry_after: int
    method: str | None
    remaining: int | None = None  # fail_next
    until: float | None = None  # fail_for
    answered: int = 0

    def next_status(self) -> int | str:
        if not isinstance(self.status, tuple):
            return self.status
        self.answered += 1
        return self.status[(self.answered - 1) % len(self.status)]

    def applies(self, method: str, now: float) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.remaining is not None:
            return self.remaining > 0
        return self.until is not None and now < self.until


@dataclass
class _Trigger:
    issued: float
    user_id: str | None
    view_id: str | None
    used: bool = False


@dataclass
class _File:
    info: dict[str, Any]
    content: bytes
    redirect: str | None = None  # see FakeSlack.redirect_file


@dataclass
class _Answer:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    disconnect: bool = False


class SlackError(Exception):
    """An `ok: false` answer; extra keys go into the body next to `error`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _invalid(surface_problems: list[str], error: str = "invalid_arguments") -> SlackError:
    messages = [f"[ERROR] {p}" for p in surface_problems]
    extra: dict[str, Any] = {"response_metadata": {"messages": messages}}
    if error == "invalid_blocks":
        extra["errors"] = surface_problems
    return SlackError(error, **extra)


class FakeSlack:
    """A fake Slack workspace and Web API on 127.0.0.1 (ephemeral port), in a daemon thread.

    Configure it with `add_user`, `add_usergroup`, `add_file`, `add_channel`; inject failures
    with `fail_next` / `fail_for`; read what happened with `calls`, `calls_to`, `messages_in`,
    `dms_to`, `ephemerals_to`, `last_view`, `home_view`, `wait_for`.
    """

    def __init__(self, *, bot_token: str = "xoxb-fake-launchbot-token", team_id: str = "T0AGENCY",
                 team_name: str = "Agency Partners", team_domain: str = "agency",
                 bot_user_id: str = "U0LAUNCHBOT", bot_id: str = "B0LAUNCHBOT",
                 app_id: str = "A0LAUNCHBOT", clock: Clock = time.time,
                 host: str = "127.0.0.1") -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self.host = host
        self._cond = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        # configuration (kept by reset())
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.files: dict[str, _File] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self._clear_state()

    def _clear_state(self) -> None:
        self.calls: list[Call] = []
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._view_users: dict[str, str | None] = {}
        self._touched: list[str] = []  # view ids, most recent last
        self._home: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._failures: list[_Failure] = []

    # -- server ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server((self.host, 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fake-slack",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL: `WebClient(base_url=fake.url)` or SLACK_API_URL."""
        return f"{self.root_url}/api/"

    # -- configuration --------------------------------------------------------------------

    def add_user(self, user_id: str, *, name: str | None = None, team_id: str | None = None,
                 tz: str = "America/New_York", real_name: str | None = None,
                 email: str | None = None, is_bot: bool = False) -> dict[str, Any]:
        """A user users.info knows; `team_id` other than the fake's is a Slack Connect guest."""
        name = name or user_id.lower()
        user = {"id": user_id, "team_id": team_id or self.team_id, "name": name,
                "real_name": real_name or name, "tz": tz, "is_bot": is_bot, "deleted": False,
                "profile": {"real_name": real_name or name, "display_name": name,
                            "email": email or f"{name}@example.gov",
                            "team": team_id or self.team_id}}
        with self._cond:
            self.users[user_id] = user
        return copy.deepcopy(user)

    def add_usergroup(self, group_id: str, user_ids: Iterable[str]) -> None:
        with self._cond:
            self.usergroups[group_id] = list(user_ids)

    def add_channel(self, channel_id: str, *, name: str | None = None,
                    is_member: bool = True) -> None:
        """Channels are open by default; one added with is_member=False answers not_in_channel
        (the bot has no chat:write.public and must be invited)."""
        with self._cond:
            self.channels[channel_id] = {"id": channel_id, "name": name or channel_id.lower(),
                                         "is_member": is_member}

    def add_file(self, file_id: str, name: str, content: bytes, *, mimetype: str | None = None,
                 team_id: str | None = None, user_id: str | None = None,
                 title: str | None = None) -> dict[str, Any]:
        """An uploaded file: files.info describes it; its url_private_download serves `content`
        to a request bearing the bot token. Returns the file object (as in file_input state)."""
        team = team_id or self.team_id
        mimetype = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
        quoted = urllib.parse.quote(name)
        base = f"{self.root_url}/files-pri/{team}-{file_id}"
        now = int(self.clock())
        info = {"id": file_id, "created": now, "timestamp": now, "name": name,
                "title": title or name, "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
                "pretty_type": mimetype, "user": user_id or "U0UPLOADER", "user_team": team,
                "size": len(content), "mode": "hosted", "is_external": False,
                "is_public": False, "url_private": f"{base}/{quoted}",
                "url_private_download": f"{base}/download/{quoted}",
                "permalink": f"https://{self.team_domain}.slack.com/files/{file_id}/{quoted}"}
        with self._cond:
            self.files[file_id] = _File(info, bytes(content))
        return copy.deepcopy(info)

    def file_info(self, file_id: str) -> dict[str, Any]:
        with self._cond:
            return copy.deepcopy(self.files[file_id].info)

    def redirect_file(self, file_id: str, location: str) -> None:
        """The file's private URLs answer an authorized request with a 302 to `location` (a
        redirect off Slack, which a client holding the token must not follow)."""
        with self._cond:
            self.files[file_id].redirect = location

    def dm_channel_id(self, user_id: str) -> str:
        """The bot's DM channel with a user (what conversations.open answers)."""
        return "D" + user_id[1:] if user_id[:1] in ("U", "W") else "D" + user_id

    def issue_trigger(self, user_id: str | None = None, *, view_id: str | None = None) -> str:
        """A trigger_id as Slack sends with an interaction: good for one views.open/push within
        3 seconds (by this fake's clock)."""
        with self._cond:
            n = next(self._ids)
            trigger_id = f"{int(self.clock())}.{n:06d}.{n * 2654435761 % 2**32:08x}"
            self._triggers[trigger_id] = _Trigger(self.clock(), user_id, view_id)
        return trigger_id

    def issue_response_url(self, *, channel_id: str | None, user_id: str | None,
                           message_ts: str | None = None, kind: str = "commands") -> str:
        """A response_url (served by this fake) for a slash command or a message action."""
        with self._cond:
            token = f"{self.team_id}/{next(self._ids):08d}/fake{int(self.clock())}"
            self._response_urls[token] = {"channel": channel_id, "user": user_id,
                                          "ts": message_ts}
        return f"{self.root_url}/hooks/{kind}/{token}"

    # -- failure injection ----------------------------------------------------------------

    def fail_next(self, n: int = 1, *, status: int | str = 429, retry_after: int = 1,
                  method: str | None = None) -> None:
        """The next `n` requests (to `method`, or any) answer `status` (429 with Retry-After,
        500/503 with a JSON error, or DISCONNECT)."""
        with self._cond:
            self._failures.append(_Failure(status, retry_after, method, remaining=n))

    def fail_for(self, seconds: float, *, status: int | str | tuple[int | str, ...] = 429,
                 retry_after: int = 1, method: str | None = None) -> None:
        """An outage: every request (to `method`, or any) fails for `seconds` of the clock;
        a tuple of statuses (e.g. (429, 500)) answers each in turn."""
        with self._cond:
            self._failures.append(_Failure(status, retry_after, method,
                                           until=self.clock() + seconds))

    def heal(self) -> None:
        """End every injected failure now."""
        with self._cond:
            self._failures.clear()

    # -- what happened --------------------------------------------------------------------

    def reset(self) -> None:
        """Forget calls, messages, views, triggers and failures; keep users, groups, files and
        channels."""
        with self._cond:
            self._clear_state()

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def errors(self) -> list[Call]:
        """Every Web API, response_url and response_action call answered with an error
        (injected failures too): `assert not fake.errors()` after a clean flow."""
        with self._cond:
            return [c for c in self.calls if not c.ok and c.method != FILES_METHOD]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` successful calls to `method` were made (the outbox relay posts
        from another thread); returns them or raises TimeoutError naming what did arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                done = [c for c in self.calls if c.method == method and c.ok]
                if len(done) >= count:
                    return done
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [f"{c.method}:{c.error or c.status}" for c in self.calls]
                    raise TimeoutError(f"{len(done)}/{count} ok {method} calls after {timeout}s; "
                                       f"calls seen: {seen}")
                self._cond.wait(left)

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """The messages in a channel as they are now (updated in place by chat.update), oldest
        first; each carries its `channel` and `ts`. A user ID means the bot's DM with them."""
        with self._cond:
            return copy.deepcopy(self._messages.get(self._resolve_channel(channel), []))

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._cond:
            found = self._find_message(self._resolve_channel(channel), ts)
            return copy.deepcopy(found)

    def dms_to(self, user_id: str) -> list[dict[str, Any]]:
        return self.messages_in(self.dm_channel_id(user_id))

    def ephemerals_to(self, user_id: str, channel: str | None = None) -> list[dict[str, Any]]:
        with self._cond:
            return [copy.deepcopy(e) for e in self._ephemerals
                    if e["user"] == user_id and (channel is None or e["channel"] == channel)]

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._cond:
            return copy.deepcopy(self._views.get(view_id))

    def last_view(self, user_or_view_id: str, *, type: str | None = None) -> dict[str, Any] | None:
        """A view by id (`V…`), or the view most recently opened/pushed/updated/published for
        a user (optionally only `type` "modal" or "home")."""
        with self._cond:
            if user_or_view_id in self._views:
                return copy.deepcopy(self._views[user_or_view_id])
            for view_id in reversed(self._touched):
                view = self._views[view_id]
                if self._view_users.get(view_id) == user_or_view_id and (
                        type is None or view["type"] == type):
                    return copy.deepcopy(view)
        return None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._cond:
            view_id = self._home.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    # -- request handling (called from server threads) ------------------------------------

    def _record(self, method: str, params: dict[str, Any], headers: Mapping[str, str],
                answer: _Answer) -> None:
        call = Call(method, params, dict(headers), self.clock(), answer.status, answer.body)
        self.calls.append(call)
        self._cond.notify_all()

    def _injected(self, method: str) -> _Answer | None:
        now = self.clock()
        for failure in self._failures:
            if not failure.applies(method, now):
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
            chosen = failure.next_status()
            if chosen == DISCONNECT:
                return _Answer(status=0, disconnect=True)
            status = int(chosen)
            if status == 429:
                return _Answer(429, {"ok": False, "error": "ratelimited"},
                               {"Retry-After": str(failure.retry_after)})
            return _Answer(status, {"ok": False, "error": "fatal_error",
                                    "detail": f"injected HTTP {status}"})
        return None

    def handle_api(self, method: str, params: dict[str, Any], headers: Mapping[str, str],
                   json_body: bool) -> _Answer:
        token = _bearer(headers)
        if token is None and not json_body:
            token = params.pop("token", None)
        params.pop("token", None)
        with self._cond:
            answer = self._injected(method)
            if answer is None:
                try:
                    answer = _Answer(body=self._dispatch(method, params, token))
                except SlackError as exc:
                    answer = _Answer(body={"ok": False, "error": exc.error, **exc.extra})
            self._record(method, params, headers, answer)
            return answer

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token:
            raise SlackError("not_authed")
        if token != self.bot_token:
            raise SlackError("invalid_auth")
        handler = _METHODS.get(method)
        if handler is None:
            raise SlackError("unknown_method")
        return {"ok": True, **handler(self, params)}

    def handle_download(self, path: str, headers: Mapping[str, str]) -> _Answer:
        with self._cond:
            answer = self._injected(FILES_METHOD) or self._download(path, headers)
            self._record(FILES_METHOD, {"path": path}, headers, answer)
            return answer

    def _download(self, path: str, headers: Mapping[str, str]) -> _Answer:
        # /files-pri/<team>-<file id>/[download/]<name>
        parts = path.split("/")
        if len(parts) < 4 or "-" not in parts[2]:
            return _Answer(404, raw=b"Not found", content_type="text/plain")
        team, file_id = parts[2].split("-", 1)
        stored = self.files.get(file_id)
        if stored is None or team != stored.info["user_team"]:
            return _Answer(404, raw=b"Not found", content_type="text/plain")
        if _bearer(headers) != self.bot_token:
            # Like Slack: no error status, a redirect to the sign-in page (HTML), so a client
            # that follows redirects and does not check the content type saves a web page.
            return _Answer(302, headers={"Location": f"{self.root_url}/signin?redir={path}"},
                           raw=b"", content_type="text/html; charset=utf-8")
        if stored.redirect is not None:
            return _Answer(302, headers={"Location": stored.redirect}, raw=b"",
                           content_type="text/plain")
        return _Answer(200, raw=stored.content, content_type=stored.info["mimetype"])

    def handle_response_url(self, path: str, params: dict[str, Any],
                            headers: Mapping[str, str]) -> _Answer:
        token = path.partition("/")[2]  # <kind>/<token>
        with self._cond:
            target = self._response_urls.get(token)
            if target is None:
                answer = _Answer(404, {"ok": False, "error": "no_service"}, raw=b"no_service",
                                 content_type="text/plain")
            else:
                answer = self._respond(target, params)
            self._record(RESPONSE_URL_METHOD, params, headers, answer)
            return answer

    def _respond(self, target: dict[str, Any], params: dict[str, Any]) -> _Answer:
        channel, ts = target["channel"], target["ts"]
        found = problems({"text": params.get("text"), "blocks": params.get("blocks")}, "message")
        if found:
            return _Answer(400, {"ok": False, "error": "invalid_blocks", "errors": found},
                           raw=b"invalid_blocks", content_type="text/plain")
        original = self._find_message(channel, ts) if channel and ts else None
        if _truthy(params.get("delete_original")) and original is not None:
            self._messages[channel].remove(original)
        elif _truthy(params.get("replace_original")) and original is not None:
            self._edit(original, params)
        elif params.get("response_type") == "in_channel" and channel:
            self._post(channel, params)
        else:
            self._ephemerals.append({"channel": channel, "user": target["user"],
                                     "text": params.get("text", ""),
                                     "blocks": params.get("blocks") or [],
                                     "message_ts": self._new_ts(), "via": "response_url"})
        return _Answer(200, {"ok": True}, raw=b"ok", content_type="text/plain")

    def apply_response_action(self, submitted_view: Mapping[str, Any], answer: Mapping[str, Any],
                              user_id: str | None = None) -> list[str]:
        """What Slack does with a view_submission's HTTP answer: refuse it if invalid (the
        user sees an error), else update/push/clear the stack. Recorded as a
        `response_action` call; returns the problems."""
        found = response_action_problems(answer, submitted_view)
        with self._cond:
            body: dict[str, Any] = {"ok": True}
            view_id = submitted_view.get("id")
            action = answer.get("response_action")
            try:
                if found:
                    raise _invalid(found)
                if action == "update" and view_id in self._views:
                    body["view"] = self._replace_view(view_id, answer["view"])
                elif action == "push":
                    body["view"] = self._push_view(view_id, answer["view"], user_id)
                elif action == "clear" and view_id in self._views:
                    self._stacks.pop(self._views[view_id]["root_view_id"], None)
            except SlackError as exc:
                body = {"ok": False, "error": exc.error, **exc.extra}
                found = found or [exc.error]
            self._record(RESPONSE_ACTION_METHOD, dict(answer), {},
                         _Answer(200 if body["ok"] else 400, body))
        return found

    # -- state helpers (lock held) --------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0FAKE{next(self._ids):05d}"

    def _new_ts(self) -> str:
        return f"{int(self.clock())}.{next(self._ids):06d}"

    def _resolve_channel(self, channel: str) -> str:
        return self.dm_channel_id(channel) if channel[:1] in ("U", "W") else channel

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
        text = params.get("text")
        if isinstance(text, str) and len(text) > 40_000:
            raise SlackError("msg_too_long")
        if params.get("blocks") is not None:
            found = problems(params["blocks"], "message")
            if found:
                raise _invalid(found, "invalid_blocks")

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

    def _use_trigger(self, trigger_id: Any) -> _Trigger:
        trigger = self._triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued >= TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def _store_view(self, view: Mapping[str, Any], *, view_id: str, user_id: str | None,
                    root_view_id: str | None = None,
                    previous_view_id: str | None = None) -> dict[str, Any]:
        stored = {
            "id": view_id, "team_id": self.team_id, "type": view.get("type"),
            "title": view.get("title"), "submit": view.get("submit"), "close": view.get("close"),
            "blocks": self._fill_ids(list(view.get("blocks") or [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
            "state": {"values": {}}, "hash": f"{int(self.clock())}.{next(self._ids):08x}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "submit_disabled": bool(view.get("submit_disabled", False)),
            "root_view_id": root_view_id or view_id, "previous_view_id": previous_view_id,
            "app_id": self.app_id, "app_installed_team_id": self.team_id, "bot_id": self.bot_id,
        }
        self._views[view_id] = stored
        self._view_users[view_id] = user_id
        self._touched.append(view_id)
        return copy.deepcopy(stored)

    def _replace_view(self, view_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        old = self._views[view_id]
        return self._store_view(view, view_id=view_id, user_id=self._view_users.get(view_id),
                                root_view_id=old["root_view_id"],
                                previous_view_id=old["previous_view_id"])

    def _push_view(self, from_view_id: str | None, view: Mapping[str, Any],
                   user_id: str | None) -> dict[str, Any]:
        root = self._views[from_view_id]["root_view_id"] if from_view_id in self._views else None
        stack = self._stacks.get(root, []) if root else []
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        view_id = self._new_id("V")
        stored = self._store_view(view, view_id=view_id, user_id=user_id,
                                  root_view_id=root or view_id,
                                  previous_view_id=stack[-1] if stack else None)
        self._stacks.setdefault(root or view_id, []).append(view_id)
        return stored

    def _check_view(self, view: Any, surface: Surface) -> Mapping[str, Any]:
        if not isinstance(view, Mapping):
            raise _invalid(["must provide an object [json-pointer:/view]"])
        found = problems(view, surface)
        if found:
            raise _invalid(found)
        return view

    # -- Web API methods ------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"https://{self.team_domain}.slack.com/", "team": self.team_name,
                "user": "launchbot", "team_id": self.team_id, "user_id": self.bot_user_id,
                "bot_id": self.bot_id, "is_enterprise_install": False}

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

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(params.get("view"), "modal")
        trigger = self._use_trigger(params.get("trigger_id"))
        view_id = self._new_id("V")
        stored = self._store_view(view, view_id=view_id, user_id=trigger.user_id)
        self._stacks[view_id] = [view_id]
        return {"view": stored}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(params.get("view"), "modal")
        trigger = self._use_trigger(params.get("trigger_id"))
        return {"view": self._push_view(trigger.view_id, view, trigger.user_id)}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            view_id = next((v["id"] for v in self._views.values()
                            if v["external_id"] == params["external_id"]), None)
        if not view_id or view_id not in self._views:
            raise SlackError("not_found")
        current = self._views[view_id]
        view = self._check_view(params.get("view"), current["type"])
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._replace_view(view_id, view)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise SlackError("invalid_arguments")
        view = self._check_view(params.get("view"), "home")
        view_id = self._home.get(user_id)
        if view_id and params.get("hash") and params["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        view_id = view_id or self._new_id("V")
        self._home[user_id] = view_id
        return {"view": self._store_view(view, view_id=view_id, user_id=user_id)}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user") or "")
        if user is None:
            raise SlackError("user_not_found")
        user = copy.deepcopy(user)
        offset = datetime.fromtimestamp(self.clock(), ZoneInfo(user["tz"])).utcoffset()
        user["tz_offset"] = int(offset.total_seconds()) if offset else 0
        user["tz_label"] = user["tz"]
        return {"user": user}

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = params.get("usergroup") or ""
        if group not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.usergroups[group])}

    def _files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(params.get("file") or "")
        if stored is None:
            raise SlackError("file_not_found")
        return {"file": copy.deepcopy(stored.info), "comments": [],
                "response_metadata": {"next_cursor": ""}}


_METHODS: dict[str, Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": FakeSlack._auth_test,
    "chat.postMessage": FakeSlack._chat_post_message,
    "chat.update": FakeSlack._chat_update,
    "chat.postEphemeral": FakeSlack._chat_post_ephemeral,
    "chat.getPermalink": FakeSlack._chat_get_permalink,
    "conversations.open": FakeSlack._conversations_open,
    "views.open": FakeSlack._views_open,
    "views.push": FakeSlack._views_push,
    "views.update": FakeSlack._views_update,
    "views.publish": FakeSlack._views_publish,
    "users.info": FakeSlack._users_info,
    "usergroups.users.list": FakeSlack._usergroups_users_list,
    "files.info": FakeSlack._files_info,
}


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not value.startswith("Bearer "):
        return None
    return value[len("Bearer "):].strip() or None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


def decode_params(body: bytes, content_type: str, query: str = "") -> tuple[dict[str, Any], bool]:
    """A Web API request's parameters as Slack reads them: query string, then a JSON or form
    body; JSON-valued form fields (blocks, view, …) decoded. Returns (params, body_was_json)."""
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    is_json = content_type.split(";")[0].strip().lower() == "application/json"
    if is_json:
        decoded = json.loads(body or b"{}")
        if not isinstance(decoded, dict):
            raise ValueError("the JSON body is not an object")
        params.update(decoded)
    elif body:
        params.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # Left a string if it is not JSON: the method then answers invalid_arguments.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params, is_json


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clicks in tests and the benchmark
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY a kept-alive client
    # waits ~40 ms (Nagle + delayed ACK) for the body, a delay real Slack does not have.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request on stderr would drown test output

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        fake = self.server.fake
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = dict(self.headers.items())
        if path.startswith("/api/"):
            try:
                params, is_json = decode_params(body, self.headers.get("Content-Type", ""),
                                                parsed.query)
            except (ValueError, UnicodeDecodeError):
                self._send(_Answer(200, {"ok": False, "error": "invalid_json"}))
                return
            self._send(fake.handle_api(path[len("/api/"):], params, headers, is_json))
        elif path.startswith("/files-pri/") and self.command == "GET":
            self._send(fake.handle_download(urllib.parse.unquote(path), headers))
        elif path.startswith("/hooks/") and self.command == "POST":
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                params = {}
            self._send(fake.handle_response_url(path[len("/hooks/"):], params, headers))
        elif path == "/signin":
            self._send(_Answer(200, raw=b"<html><body>Sign in to Slack</body></html>",
                               content_type="text/html; charset=utf-8"))
        else:
            self._send(_Answer(404, raw=b"Not found", content_type="text/plain"))

    def _send(self, answer: _Answer) -> None:
        if answer.disconnect:
            self.close_connection = True
            return
        payload = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
