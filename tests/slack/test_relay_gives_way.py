"""While Slack requests wait for their answer, the outbox relay gives way between two rows:
a backlog is still delivered, once each, as soon as the requests are answered."""

from __future__ import annotations

import io
import threading
import time
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack
from bot.ops.inflight import InFlight
from bot.slack.server import SlackWsgiApp
from bot.store.db import Store
from tests.slack.conftest import infra_settings
from tests.slack.test_relay import Now, make_relay, put, texts


def test_a_backlog_waits_while_a_request_is_answered_then_goes_out(
        db: Store, fake_slack: FakeSlack, bare_client: WebClient) -> None:
    inflight = InFlight()
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now(), poll_interval=30,
                       give_way=inflight.give_way, give_way_for=60)
    now = datetime.now(UTC)
    for text in ("one", "two", "three"):
        put(db, "post", text, now, channel="C0GENERAL")
    try:
        with inflight.answering():
            relay.start()
            fake_slack.wait_for("chat.postMessage", 1, timeout=5)
            # The first row went; the next waits for the answer (up to a minute here).
            time.sleep(0.3)
            assert texts(fake_slack.messages_in("C0GENERAL")) == ["one"]
        fake_slack.wait_for("chat.postMessage", 3, timeout=5)
    finally:
        relay.stop()
    assert texts(fake_slack.messages_in("C0GENERAL")) == ["one", "two", "three"]


def test_give_way_returns_at_once_when_nothing_waits_and_when_the_last_answer_goes() -> None:
    inflight = InFlight()
    assert inflight.give_way(60) is True  # nothing being answered: no wait at all
    with inflight.answering():
        assert inflight.give_way(0) is False
        released = threading.Event()
        waiter = threading.Thread(target=lambda: inflight.give_way(60) and released.set())
        waiter.start()
        assert not released.wait(0.1)
    assert released.wait(5)
    waiter.join(5)
    assert inflight.count == 0


def test_the_http_app_counts_a_slack_request_until_it_is_answered() -> None:
    inflight = InFlight()
    seen: list[int] = []

    class Bolt:
        def dispatch(self, request: Any) -> BoltResponse:
            seen.append(inflight.count)
            return BoltResponse(status=200, body="")

    app = SlackWsgiApp(Bolt(), lambda: True, inflight=inflight)  # type: ignore[arg-type]
    body = b"command=%2Flaunch-request&text="
    statuses: list[str] = []
    app({"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST",
         "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/x-www-form-urlencoded",
         "wsgi.input": io.BytesIO(body)},
        lambda status, headers: statuses.append(status))
    assert statuses == ["200 OK"]
    assert seen == [1]  # counted while Bolt worked on it
    assert inflight.count == 0  # and no more once answered
