"""Everything a running bot holds, built once at start-up and handed to the app factory and the
relay: settings, store, Slack client, reviewer directory, calendar and clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk import WebClient

from bot.calendar import DeployCalendar
from bot.config import Settings
from bot.probes import Prober
from bot.slack.directory import SlackDirectory
from bot.store.db import Store
from bot.teams.membership import Directory


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    store: Store
    client: WebClient
    calendar: DeployCalendar
    is_reviewer: Callable[[str], bool]  # the reviewer directory (group + REVIEWER_IDS, cached)
    clock: Callable[[], datetime] = utc_now
    # Called after a use case commits outbox rows, so the relay sends them without waiting
    # for its next poll.
    poke_relay: Callable[[], None] = field(default=lambda: None)
    # Live URL probes after a request is filed (URL_PROBES); None when turned off.
    prober: Prober | None = None
    # What Slack says about users, workspaces and channels (partner teams' membership).
    directory: Directory = None  # type: ignore[assignment]  # made from `client` when not given

    def __post_init__(self) -> None:
        if self.directory is None:
            self.directory = SlackDirectory(self.client)
