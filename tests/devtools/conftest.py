"""Fixtures: a started FakeSlack per test and a WebClient pointed at it (no retries unless a
test adds them, so failures show up as they are)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack, ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def timed_slack(clock: ManualClock) -> Iterator[FakeSlack]:
    """A fake on a clock the test moves (trigger expiry, outages)."""
    with FakeSlack(clock=clock) as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.url, retry_handlers=[])
