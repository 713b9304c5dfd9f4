"""The fake workspace: configuration, failure injection, what happened, and the Web API method
table (the methods themselves live in `directory`, `messages`, `views` and `files`)."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Self

from bot.devtools.fake_slack.directory import DirectoryMixin
from bot.devtools.fake_slack.files import UPLOAD_METHOD, FilesMixin
from bot.devtools.fake_slack.messages import MessagesMixin
from bot.devtools.fake_slack.server import Handler, Server
from bot.devtools.fake_slack.state import (
    DISCONNECT,
    FILES_METHOD,
    Answer,
    Call,
    Clock,
    Failure,
    SlackError,
    StoredFile,
    Trigger,
    bearer,
    refused,
)
from bot.devtools.fake_slack.views import ViewsMixin
from bot.devtools.slack_strict import method_refusal


class FakeSlack(DirectoryMixin, MessagesMixin, ViewsMixin, FilesMixin):
    """A fake Slack workspace and Web API on 127.0.0.1 (ephemeral port), in a daemon thread.

    Configure it with `add_user`, `add_usergroup`, `add_file`, `add_channel`; inject failures
    with `fail_next` / `fail_for`; read what happened with `calls`, `calls_to`, `messages_in`,
    `dms_to`, `ephemerals_to`, `last_view`, `home_view`, `wait_for`.
    """

    def __init__(self, *, bot_token: str = "xoxb-fake-launchbot-token", team_id: str = "T0AGENCY",
                 team_name: str = "Agency Partners", team_domain: str = "agency",
                 bot_user_id: str = "U0LAUNCHBOT", bot_id: str = "B0LAUNCHBOT",
                 app_id: str = "A0LAUNCHBOT", clock: Clock = time.time,
                 host: str = "127.0.0.1", latency: float = 0.0) -> None:
        self.bot_token = bot_token
        # Seconds every Web API answer and file download waits before it is sent, as Slack's
        # do (100-300 ms from a US data centre); 0 answers at once. May be changed any time.
        self.latency = latency
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self.host = host
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        # configuration (kept by reset())
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.files: dict[str, StoredFile] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.teams: dict[str, str] = {}  # external workspaces' names (team.info)
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
        self._triggers: dict[str, Trigger] = {}
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._failures: list[Failure] = []
        self._pending_uploads: dict[str, dict[str, Any]] = {}
        self._uploads: list[dict[str, Any]] = []

    # -- server ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = Server((self.host, 0), Handler)
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

    # -- failure injection ----------------------------------------------------------------

    def fail_next(self, n: int = 1, *, status: int | str = 429, retry_after: int = 1,
                  method: str | None = None) -> None:
        """The next `n` requests (to `method`, or any) answer `status` (429 with Retry-After,
        500/503 with a JSON error, or DISCONNECT)."""
        with self._cond:
            self._failures.append(Failure(status, retry_after, method, remaining=n))

    def fail_for(self, seconds: float, *, status: int | str | tuple[int | str, ...] = 429,
                 retry_after: int = 1, method: str | None = None) -> None:
        """An outage: every request (to `method`, or any) fails for `seconds` of the clock;
        a tuple of statuses (e.g. (429, 500)) answers each in turn."""
        with self._cond:
            self._failures.append(Failure(status, retry_after, method,
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
            return [c for c in self.calls if not c.ok and c.method != FILES_METHOD
                    and not (c.method == UPLOAD_METHOD and c.status == 200)]

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
                answer: Answer) -> None:
        call = Call(method, params, dict(headers), self.clock(), answer.status, answer.body)
        self.calls.append(call)
        self._cond.notify_all()

    def _injected(self, method: str) -> Answer | None:
        now = self.clock()
        for failure in self._failures:
            if not failure.applies(method, now):
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
            chosen = failure.next_status()
            if chosen == DISCONNECT:
                return Answer(status=0, disconnect=True)
            status = int(chosen)
            if status == 429:
                return Answer(429, {"ok": False, "error": "ratelimited"},
                               {"Retry-After": str(failure.retry_after)})
            return Answer(status, {"ok": False, "error": "fatal_error",
                                    "detail": f"injected HTTP {status}"})
        return None

    def handle_api(self, method: str, params: dict[str, Any], headers: Mapping[str, str],
                   json_body: bool) -> Answer:
        token = bearer(headers)
        if token is None and not json_body:
            token = params.pop("token", None)
        params.pop("token", None)
        with self._cond:
            answer = self._injected(method)
            if answer is None:
                try:
                    answer = Answer(body=self._dispatch(method, params, token))
                except SlackError as exc:
                    answer = Answer(body={"ok": False, "error": exc.error, **exc.extra})
            self._record(method, params, headers, answer)
            return answer

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token:
            raise SlackError("not_authed")
        if token != self.bot_token:
            raise SlackError("invalid_auth")
        # Slack's published spec first: a method it does not have, a required argument missing.
        refusal = method_refusal(method, params)
        if refusal is not None:
            raise refused(refusal)
        handler = _METHODS.get(method)
        if handler is None:
            raise SlackError("unknown_method")
        return {"ok": True, **handler(self, params)}

    # -- state helpers (lock held) --------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0FAKE{next(self._ids):05d}"

    def _new_ts(self) -> str:
        return f"{int(self.clock())}.{next(self._ids):06d}"

    def _resolve_channel(self, channel: str) -> str:
        return self.dm_channel_id(channel) if channel[:1] in ("U", "W") else channel



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
    "users.lookupByEmail": FakeSlack._users_lookup_by_email,
    "team.info": FakeSlack._team_info,
    "conversations.members": FakeSlack._conversations_members,
    "usergroups.users.list": FakeSlack._usergroups_users_list,
    "files.info": FakeSlack._files_info,
    "files.getUploadURLExternal": FakeSlack._files_get_upload_url_external,
    "files.completeUploadExternal": FakeSlack._files_complete_upload_external,
}
