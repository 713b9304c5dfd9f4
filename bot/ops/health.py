"""Readiness that means it: the database answers, and Slack accepts the bot token.

`SlackAuth` calls auth.test at start (logging the workspace and bot user it authenticated as)
and then every `interval` seconds in a thread, caching the answer: `/readyz` never waits on
Slack, and a revoked token shows in the log and in `/readyz` within `interval`. Slack being
unreachable is not the token being wrong: the last answer stands (and the outage is logged),
so a Slack outage does not take every replica out of the load balancer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ops.outage import OutageLog
from bot.store.db import Store

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 30.0
# auth.test errors that mean the token itself is refused (Slack's documented errors).
REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked",
                     "token_expired", "not_allowed_token_type", "ekm_access_denied",
                     "missing_scope", "team_access_not_granted"})


class SlackAuth:
    def __init__(self, client: WebClient, *, interval: float = INTERVAL_SECONDS) -> None:
        self.client = client
        self.interval = interval
        self._problem: str | None = None
        self._who: tuple[str, ...] | None = None
        self._unreachable = OutageLog(log, "Slack (auth.test)")
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def problem(self) -> str | None:
        """Why Slack refuses the bot, as last seen; None when it accepted it (or has not
        answered yet)."""
        return self._problem

    def check(self) -> None:
        """Ask auth.test once and remember the answer."""
        try:
            answer = self.client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            if error in REFUSED:
                self._unreachable.ok()
                if self._problem is None:
                    log.error("Slack refuses the bot token (auth.test: %s): every call will "
                              "fail until SLACK_BOT_TOKEN is fixed", error)
                self._problem = f"Slack refuses the bot token ({error})"
                self._who = None
                return
            self._unreachable.failed(error)
            return
        except Exception as exc:  # connection errors: Slack unreachable, not refusing us
            self._unreachable.failed(f"{type(exc).__name__}: {exc}")
            return
        self._unreachable.ok()
        who = (str(answer.get("team")), str(answer.get("team_id")), str(answer.get("user")),
               str(answer.get("user_id")))
        if self._problem is not None or who != self._who:
            log.info("Slack: authenticated to workspace %s (%s) as bot user @%s (%s)", *who)
        self._problem = None
        self._who = who

    def start(self) -> None:
        """Check now (so start-up logs who the bot is), then every `interval` seconds."""
        self.check()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="slack-auth", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval):
            self.check()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


def readiness(store: Store, auth: SlackAuth | None) -> Callable[[], list[str]]:
    """The `/readyz` probe: what is not ready (empty: ready)."""
    def problems() -> list[str]:
        found = [] if store.ping() else ["database unreachable"]
        refused = auth.problem() if auth is not None else None
        if refused:
            found.append(refused)
        return found
    return problems
