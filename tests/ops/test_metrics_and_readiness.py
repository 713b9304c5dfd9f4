"""`GET /metrics` read with prometheus_client's own parser, and `/readyz` that says which of
the database and Slack's acceptance of the token failed."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.ops.health import readiness
from bot.ops.logs import configure_logging
from bot.ops.metrics import StoreCollector
from bot.store import outbox
from bot.store.db import Store
from tests.security.conftest import (
    BOT_TOKEN,
    PARTNER,
    REVIEW_CHANNEL,
    REVIEWER,
    World,
    eventually,
)


def scrape(world: World) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{world.url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.text)
            for sample in family.samples}


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_what_the_operator_watches(world: World) -> None:
    before = scrape(world)
    assert value(before, "launchbot_database_up") == 1.0
    first = world.file_request(1)
    world.file_request(2)
    card = world.message_about(REVIEW_CHANNEL, first.public_id)
    world.sender.block_action("approve", user_id=REVIEWER, message=card)
    eventually(lambda: scrape(world).get(("launchbot_requests", (("state", "approved"),))))
    # Slack refuses twice: a 429 and a 500 on the partner's form (listeners do not retry).
    world.slack.fail_next(status=429, method="views.open")
    world.sender.slash_command("/launch-request", user_id=PARTNER)
    world.slack.fail_next(status=500, method="views.open")
    world.sender.slash_command("/launch-request", user_id=PARTNER)
    eventually(lambda: value(scrape(world), "launchbot_slack_calls_total",
                             method="views.open", outcome="5xx") > value(
        before, "launchbot_slack_calls_total", method="views.open", outcome="5xx"))
    # Two messages wait in the outbox, the older one 90 minutes old.
    world.clock.now += timedelta(minutes=30)
    world.file_ticket()  # delivered
    world.slack.fail_for(3600, status=500, method="chat.postMessage")
    with world.store.unit_of_work() as session:
        outbox.enqueue(session, topic="test", dedupe_key="metrics-a", now=world.clock.now,
                       channel=REVIEW_CHANNEL)
    world.clock.now += timedelta(minutes=90)
    world.bot.scheduler.catch_up()
    after = scrape(world)

    assert value(after, "launchbot_requests", state="approved") == 1
    assert value(after, "launchbot_requests", state="submitted") + value(
        after, "launchbot_requests", state="in_review") == 1
    assert sum(v for (name, labels), v in after.items() if name == "launchbot_tickets") == 1
    assert value(after, "launchbot_outbox_backlog") >= 1
    assert value(after, "launchbot_outbox_oldest_age_seconds") >= 90 * 60
    for outcome in ("429", "5xx"):
        assert value(after, "launchbot_slack_calls_total", method="views.open",
                     outcome=outcome) > value(before, "launchbot_slack_calls_total",
                                              method="views.open", outcome=outcome)
    assert value(after, "launchbot_slack_calls_total", method="chat.postMessage",
                 outcome="ok") > value(before, "launchbot_slack_calls_total",
                                       method="chat.postMessage", outcome="ok")
    for surface in ("command", "block_actions"):
        assert value(after, "launchbot_ack_seconds_count", surface=surface) > value(
            before, "launchbot_ack_seconds_count", surface=surface)
    jobs = sum(v for (name, _), v in after.items() if name == "launchbot_jobs_total")
    assert jobs > sum(v for (name, _), v in before.items() if name == "launchbot_jobs_total")


def test_metrics_say_when_the_database_is_down(world: World) -> None:
    broken = Store.from_url("postgresql://nobody@127.0.0.1:1/none")
    try:
        families = list(StoreCollector(broken, world.clock).collect())
    finally:
        broken.dispose()
    assert [(f.name, f.samples[0].value) for f in families] == [("launchbot_database_up", 0)]


@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level
              for name in ("bot", "launchbot", "sqlalchemy.engine")}
    out = io.StringIO()
    configure_logging("INFO", "text", secrets=[BOT_TOKEN], stream=out)
    yield out
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


def test_readyz_fails_when_slack_refuses_the_token_and_says_so(
        world: World, log_text: io.StringIO) -> None:
    auth = world.bot.slack_auth
    auth.check()  # what serve does at start, then every 30 s
    assert httpx.get(f"{world.url}/readyz").text == "ready"
    assert "authenticated to workspace" in log_text.getvalue()

    world.slack.bot_token = "xoxb-rotated-elsewhere"  # the token is revoked
    auth.check()
    answer = httpx.get(f"{world.url}/readyz")
    assert answer.status_code == 503
    assert answer.text == "Slack refuses the bot token (invalid_auth)"
    auth.check()  # still refused: said once in the log, not at every check
    assert log_text.getvalue().count("Slack refuses the bot token") == 1

    world.slack.fail_for(3600, status=500)  # Slack down: the last answer stands
    auth.check()
    assert httpx.get(f"{world.url}/readyz").status_code == 503

    world.slack.heal()
    world.slack.bot_token = BOT_TOKEN
    auth.check()
    assert httpx.get(f"{world.url}/readyz").text == "ready"
    assert BOT_TOKEN not in log_text.getvalue()


def test_readyz_names_both_failures(world: World) -> None:
    world.slack.bot_token = "xoxb-rotated-elsewhere"
    world.bot.slack_auth.check()
    broken = Store.from_url("postgresql://nobody@127.0.0.1:1/none")
    world.bot.wsgi.ready = readiness(broken, world.bot.slack_auth)
    try:
        answer = httpx.get(f"{world.url}/readyz")
    finally:
        broken.dispose()
    assert answer.status_code == 503
    assert answer.text == ("database unreachable; Slack refuses the bot token (invalid_auth)")
