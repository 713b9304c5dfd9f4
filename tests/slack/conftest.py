"""Shared fixtures of the Slack adapter tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient

from bot.config import Settings
from bot.devtools.fake_slack import FakeSlack, ManualClock

# --- infrastructure fixtures (relay, files, reviewers, server) --------------------------------

INFRA_SIGNING_SECRET = "infra-test-signing-secret-0123456789"
INFRA_REVIEW_CHANNEL = "C0REVIEW"


@pytest.fixture
def fake_clock() -> ManualClock:
    """The fake Slack's clock, moved by hand (outages measured in minutes take no time)."""
    return ManualClock()


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on wall time."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def timed_fake_slack(fake_clock: ManualClock) -> Iterator[FakeSlack]:
    """A fake Slack Web API on `fake_clock` (injected failures last by that clock)."""
    with FakeSlack(clock=fake_clock) as fake:
        yield fake


def infra_settings(fake: FakeSlack, **overrides: object) -> Settings:
    """Settings pointing at `fake`, as the environment would give them."""
    values: dict[str, object] = {
        "slack_bot_token": SecretStr(fake.bot_token),
        "slack_signing_secret": SecretStr(INFRA_SIGNING_SECRET),
        "slack_api_url": fake.url, "review_channel": INFRA_REVIEW_CHANNEL,
        **overrides}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def fake_slack_settings(fake_slack: FakeSlack) -> Settings:
    return infra_settings(fake_slack)


@pytest.fixture
def bare_client(fake_slack: FakeSlack) -> WebClient:
    """A WebClient on the fake with no retry handlers: failures arrive as they are."""
    return WebClient(token=fake_slack.bot_token, base_url=fake_slack.url, retry_handlers=[])
