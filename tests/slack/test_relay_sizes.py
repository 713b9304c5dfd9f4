"""The relay at real sizes: a post too big for one Slack message arrives whole, as a message
and its thread (never twice, even when Slack fails halfway); a card or an update in place is
shortened and says so; a message Slack still refuses is reported loudly."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_strict import message_problems
from bot.slack.fitting import TEXT_BUDGET, line_sections, shrink, split, text_units
from bot.slack.rendering import Outgoing
from bot.store.db import Store
from tests.slack.conftest import infra_settings
from tests.slack.test_relay import REVIEW, Now, make_relay, new_request, put, rows


def sections(n: int, size: int = 1000) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn",
                                         "text": f"item {i:03d} " + "x" * (size - 9)}}
            for i in range(n)]


def shown_items(messages: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"][:8] for m in messages for b in m["blocks"]
            if b["type"] == "section"]


def test_a_post_too_big_for_one_message_arrives_whole_in_a_thread(
        db: Store, fake_slack: FakeSlack, bare_client: WebClient) -> None:
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    put(db, "post", "Deploy manifest", datetime.now(UTC), channel="C0DEPLOY",
        blocks=sections(100))  # 100,000 characters, 100 blocks

    assert relay.run_once() == 1
    messages = fake_slack.messages_in("C0DEPLOY")
    parent, replies = messages[0], messages[1:]
    assert len(replies) >= 9
    assert all(r["thread_ts"] == parent["ts"] for r in replies)
    assert "Continued in the thread" in str(parent["blocks"][-1])
    assert shown_items(messages) == [f"item {i:03d}" for i in range(100)]
    assert not fake_slack.errors()
    [row] = rows(db)
    assert row.status == "sent" and row.sent_ts == parent["ts"]


@pytest.mark.parametrize("retried_by", ["the same relay", "another process's relay"])
def test_slack_failing_halfway_through_a_thread_posts_nothing_twice(
        db: Store, fake_slack: FakeSlack, retried_by: str) -> None:
    """The row keeps what was posted: the retry carries on after it, whichever process's relay
    (SERVE_PROCESSES, replicas) takes the row next."""
    posted = 0

    class FailsOnThirdPost(WebClient):
        def chat_postMessage(self, **kwargs: Any) -> Any:
            nonlocal posted
            posted += 1
            if posted == 3:
                fake_slack.fail_next(1, status=500, method="chat.postMessage")
            return super().chat_postMessage(**kwargs)

    client = FailsOnThirdPost(token=fake_slack.bot_token, base_url=fake_slack.url,
                              retry_handlers=[])
    relay = make_relay(db, client, infra_settings(fake_slack), Now(),
                       backoff_base=timedelta(0))
    put(db, "post", "Long list", datetime.now(UTC), channel="C0DEPLOY", blocks=sections(60))

    assert relay.run_once() == 0  # the third part failed: the row waits
    [row] = rows(db)
    assert row.status == "pending" and len(row.sent_parts or []) == 2
    if retried_by != "the same relay":
        relay = make_relay(db, WebClient(token=fake_slack.bot_token, base_url=fake_slack.url,
                                         retry_handlers=[]),
                           infra_settings(fake_slack), Now(), backoff_base=timedelta(0))
    assert relay.run_once() == 1
    messages = fake_slack.messages_in("C0DEPLOY")
    assert shown_items(messages) == [f"item {i:03d}" for i in range(60)]  # each once
    parent = [m for m in messages if "thread_ts" not in m]
    assert len(parent) == 1
    assert all(m["thread_ts"] == parent[0]["ts"] for m in messages if m is not parent[0])


def test_a_card_update_too_big_is_shortened_and_says_where_the_whole_is(
        db: Store, fake_slack: FakeSlack, bare_client: WebClient) -> None:
    now = datetime.now(UTC)

    def render(session: Any, message: Any) -> list[Any]:
        return [Outgoing(text="card", channel=REVIEW, blocks=sections(20, 2000),
                         card_of=("request", message.request_id))]

    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    relay.render = render
    put(db, "review_card", "card", now, request_id=new_request(db, now))
    assert relay.run_once() == 1
    [card] = fake_slack.messages_in(REVIEW)
    assert text_units(card["blocks"]) <= TEXT_BUDGET
    assert "shortened: the whole is in the request's details" in str(card["blocks"])


def test_a_message_slack_refuses_is_logged_as_an_error_naming_topic_and_request(
        db: Store, fake_slack: FakeSlack, bare_client: WebClient,
        caplog: pytest.LogCaptureFixture) -> None:
    now = datetime.now(UTC)
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    put(db, "post", "bad", now, channel="C0GENERAL", request_id=new_request(db, now),
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    with caplog.at_level(logging.ERROR, logger="bot.slack.relay"):
        relay.run_once()
    [row] = rows(db)
    assert row.status == "failed"
    refused = [r.getMessage() for r in caplog.records if "Slack refused" in r.getMessage()]
    assert refused and "topic post" in refused[0] and f"request {row.request_id}" in refused[0]
    assert "invalid_blocks" in refused[0]


def test_split_parts_each_fit_and_keep_every_block_in_order() -> None:
    blocks = sections(130, 700)
    parts = split("Reminder", blocks)
    for text, part in parts:
        assert message_problems(text, part) == []
    kept = [b for _, part in parts for b in part if b["type"] == "section"]
    assert kept == blocks


def test_line_sections_never_split_a_line_nor_lose_the_last_ones() -> None:
    lines = [f"• LR-{1000 + i} · " + "name " * 40 for i in range(200)]
    blocks = line_sections(lines, title="*Waiting*")
    text = "\n".join(b["text"]["text"] for b in blocks)
    assert text.split("\n")[1:] == lines
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)


def test_shrink_leaves_a_message_that_fits_alone() -> None:
    blocks = sections(5)
    assert shrink(blocks, where="nowhere") == blocks

