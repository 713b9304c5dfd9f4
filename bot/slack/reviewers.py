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
    """`directory(user_id) -> bool`: fits `Runtime.is_reviewer`. Thread-safe."""

    def __init__(self, client: WebClient, group_id: str | None, user_ids: frozenset[str],
                 ttl_seconds: float = 60, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.group_id = group_id
        self.user_ids = frozenset(user_ids)
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._members: frozenset[str] = frozenset()
        self._fetched_at: float | None = None  # when the last attempt (good or not) was made

    def __call__(self, user_id: str) -> bool:
        if user_id in self.user_ids:
            return True
        return self.group_id is not None and user_id in self.members()

    def members(self) -> frozenset[str]:
        """The group's members, fetched at most once per TTL."""
        if self.group_id is None:
            return frozenset()
        # One fetch at a time: concurrent callers wait for it rather than all calling Slack.
        with self._lock:
            now = self.clock()
            if self._fetched_at is None or now - self._fetched_at >= self.ttl_seconds:
                self._refresh(now)
            return self._members

    def _refresh(self, now: float) -> None:
        try:
            response = self.client.usergroups_users_list(usergroup=self.group_id)
            self._members = frozenset(response.get("users") or [])
        except SlackApiError as exc:
            log.warning("usergroups.users.list for %s failed (%s); keeping the last %d members",
                        self.group_id, exc.response.get("error"), len(self._members))
        except Exception as exc:  # network errors: same policy as an API error
            log.warning("usergroups.users.list for %s failed (%s); keeping the last %d members",
                        self.group_id, type(exc).__name__, len(self._members))
        # A failure also waits the TTL: a Slack outage must not turn every click into a call.
        self._fetched_at = now
