"""What Slack says about users, workspaces and channels, for bot.teams.membership: users.info
(home workspace, email), team.info (an external workspace's name), conversations.members (a
bound channel's members, briefly cached) and auth.test (the host workspace). Any failure is
`Unavailable`: the caller refuses with "try again" and never guesses a team."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.teams.membership import Person, Unavailable

log = logging.getLogger(__name__)
PEOPLE_TTL = 3600.0  # a user's home workspace does not change
CHANNEL_TTL = 60.0  # who is in a partner channel: a removal counts within a minute
SLACK_FAILURES = (SlackApiError, OSError, KeyError, TypeError, ValueError)


class SlackDirectory:
    """Thread-safe; fits bot.teams.membership.Directory."""

    def __init__(self, client: WebClient, *, clock: Callable[[], float] = time.monotonic,
                 people_ttl: float = PEOPLE_TTL, channel_ttl: float = CHANNEL_TTL) -> None:
        self._client = client
        self._clock = clock
        self._ttl = {"person": people_ttl, "channel": channel_ttl, "workspace": float("inf"),
                     "host": float("inf")}
        self._known: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _cached(self, kind: str, key: str, fetch: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            hit = self._known.get((kind, key))
        if hit is not None and now - hit[0] < self._ttl[kind]:
            return hit[1]
        try:
            value = fetch()
        except SLACK_FAILURES as exc:
            log.warning("Slack could not tell the %s of %s: %s", kind, key, exc)
            raise Unavailable(f"{kind} {key}") from exc
        with self._lock:
            self._known[(kind, key)] = (now, value)
        return value

    def host_team(self) -> str:
        return self._cached("host", "", lambda: str(self._client.auth_test()["team_id"]))

    def person(self, user_id: str) -> Person:
        def fetch() -> Person:
            user = self._client.users_info(user=user_id)["user"]
            home = str(user["team_id"])
            if not home:
                raise ValueError("users.info gave no team_id")
            return Person(user_id=user_id, home_team=home,
                          email=(user.get("profile") or {}).get("email") or None)
        return self._cached("person", user_id, fetch)

    def workspace_name(self, team_id: str) -> str:
        return self._cached("workspace", team_id,
                            lambda: str(self._client.team_info(team=team_id)["team"]["name"]))

    def channel_members(self, channel_id: str) -> frozenset[str]:
        def fetch() -> frozenset[str]:
            members: set[str] = set()
            for page in self._client.conversations_members(channel=channel_id, limit=1000):
                members.update(page["members"])
            return frozenset(members)
        return self._cached("channel", channel_id, fetch)
