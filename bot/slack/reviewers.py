"""Who is a reviewer: REVIEWER_IDS, plus the members of the REVIEWER_GROUP user group.

The group's members come from `usergroups.users.list`, cached for a short TTL so a burst of
button clicks costs one call, and a membership change shows up within a minute. When Slack
cannot answer, the last list we had stays in force (a blip must not lock reviewers out).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class ReviewerDirectory:
    """`directory(user_id) -> bool`: fits `Runtime.is_reviewer`. Thread-safe.

    Once a list is known, an expired one is refreshed by one caller while the others keep
    using it, so a slow Slack never holds up a burst of clicks; only the very first lookup
    waits for the call."""

    def __init__(self, client: WebClient, group_id: str | None, user_ids: frozenset[str],
                 ttl_seconds: float = 60, clock: Callable[[], float] = time.monotonic,
                 retry_seconds: float = 10) -> None:
        self.client = client
        self.group_id = group_id
        self.user_ids = frozenset(user_ids)
        self.ttl_seconds = ttl_seconds
        # After a failed call: try again sooner than the TTL, but not on every click.
        self.retry_seconds = min(retry_seconds, ttl_seconds)
        self.clock = clock
        self._refresh_lock = threading.Lock()
        self._members: frozenset[str] | None = None  # None: never fetched successfully
        self._next_fetch: float | None = None

    def __call__(self, user_id: str) -> bool:
        if user_id in self.user_ids:
            return True
        return self.group_id is not None and user_id in self.members()

    def members(self) -> frozenset[str]:
        """The group's members as last fetched, refreshed when older than the TTL."""
        if self.group_id is None:
            return frozenset()
        if self._next_fetch is not None and self.clock() < self._next_fetch:
            return self._members or frozenset()
        if self._members is not None:
            # Stale: one caller refreshes; the others answer from the list they have.
            if self._refresh_lock.acquire(blocking=False):
                try:
                    self._refresh()
                finally:
                    self._refresh_lock.release()
            return self._members
        with self._refresh_lock:  # nothing known yet: wait for the one call in flight
            if self._next_fetch is None or self.clock() >= self._next_fetch:
                self._refresh()
            return self._members or frozenset()

    def _refresh(self) -> None:
        now = self.clock()
        try:
            response = self.client.usergroups_users_list(usergroup=self.group_id)
        except Exception as exc:  # API and network errors alike: keep what we know
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) \
                else type(exc).__name__
            known = len(self._members) if self._members is not None else 0
            log.warning("usergroups.users.list for %s failed (%s); keeping the last %d "
                        "members", self.group_id, reason, known)
            self._next_fetch = now + self.retry_seconds
            return
        self._members = frozenset(response.get("users") or [])
        self._next_fetch = now + self.ttl_seconds
