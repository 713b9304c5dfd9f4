"""The outbox relay against the fake Slack Web API (real HTTP) and a real database (SQLite;
PostgreSQL too when TEST_DATABASE_URL is set): delivered once and in order, cards edited in
place, outages delay and lose nothing, permanent errors give up, replicas never double-send."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.devtools.fake_slack import DISCONNECT, FakeSlack, ManualClock
from bot.slack.client import listener_handlers, make_client
from bot.slack.relay import NotReady, Relay
from bot.slack.rendering import Outgoing
from bot.store import outbox
from bot.store.db import Store
from bot.store.models import OutboxMessage, Request
from tests.slack.conftest import INFRA_REVIEW_CHANNEL, infra_settings

REVIEW = INFRA_REVIEW_CHANNEL
PARTNER = "U0PARTNER"
DIVIDER = {"type": "divider"}


# -- a stand-in for bot.slack.messages.render_outbox ----------------------------------------

def render(session: Session, message: OutboxMessage) -> list[Outgoing]:
    """card → the review channel; card_update → chat.update of the recorded card (NotReady
    before it is known); dm → the user; post → message.channel."""
    text = str(message.payload["text"])
    if message.topic == "review_card":
        assert message.request_id is not None
        return [Outgoing(text=text, channel=REVIEW, card_of=("request", message.request_id))]
    if message.topic == "review_card_update":
        request = session.get(Request, message.request_id)
        assert request is not None
        if not request.card_ts or not request.card_channel:
            raise NotReady("the card is not posted yet")
        return [Outgoing(text=text, channel=request.card_channel, update_ts=request.card_ts,
                         blocks=[{"type": "section",
                                  "text": {"type": "mrkdwn", "text": text}}])]
    if message.topic == "dm":
        return [Outgoing(text=text, user_id=message.user_id)]
    return [Outgoing(text=text, channel=message.channel,
                     blocks=list(message.payload.get("blocks") or []))]


class Now:
    """The relay's clock, tied to the fake's ManualClock so both agree on when things are."""

    def __init__(self, manual: ManualClock | None = None) -> None:
        self.manual = manual

    def __call__(self) -> datetime:
        if self.manual is None:
            return datetime.now(UTC)
        return datetime.fromtimestamp(self.manual(), UTC)


def new_request(store: Store, now: datetime, user: str = PARTNER) -> int:
    with store.unit_of_work() as s:
        row = Request(kind="launch", state="submitted", requester_user_id=user,
                      requester_team_id="T0AGENCY", submitted={}, diff=None,
                      target_deploy_date=date(2026, 11, 19), submitted_at=now, created_at=now,
                      updated_at=now)
        s.add(row)
        s.flush()
        return row.id


def put(store: Store, topic: str, text: str, now: datetime, *, request_id: int | None = None,
        channel: str | None = None, user_id: str | None = None,
        blocks: list[dict[str, Any]] | None = None) -> None:
    payload: dict[str, Any] = {"text": text, **({"blocks": blocks} if blocks else {})}
    with store.unit_of_work() as s:
        assert outbox.enqueue(s, topic=topic, dedupe_key=f"{topic}:{text}", now=now,
                              payload=payload, request_id=request_id, channel=channel,
                              user_id=user_id)


def rows(store: Store) -> list[OutboxMessage]:
    with store.reader() as s:
        found = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        s.expunge_all()  # readable after the reader's rollback
        return found


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


def make_relay(store: Store, client: WebClient, settings: Settings, clock: Callable[[], datetime],
               **options: Any) -> Relay:
    return Relay(store, client, render, settings, clock, **options)


@pytest.fixture
def timed_client(timed_fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=timed_fake_slack.bot_token, base_url=timed_fake_slack.url,
                     retry_handlers=[])


# -- delivery ----------------------------------------------------------------------------

def test_delivers_each_message_once_in_order(db: Store, fake_slack: FakeSlack,
                                              bare_client: WebClient) -> None:
    now = datetime.now(UTC)
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    first, second = new_request(db, now), new_request(db, now, user="U0OTHER")
    put(db, "review_card", "card 1", now, request_id=first)
    put(db, "dm", "dm 1a", now, request_id=first, user_id=PARTNER)
    put(db, "review_card", "card 2", now, request_id=second)
    put(db, "dm", "dm 1b", now, request_id=first, user_id=PARTNER)
    put(db, "dm", "dm 2a", now, request_id=second, user_id="U0OTHER")
    put(db, "post", "digest", now, channel="C0DIGEST")

    assert relay.run_once() == 6
    assert relay.run_once() == 0  # nothing twice

    assert texts(fake_slack.messages_in(REVIEW)) == ["card 1", "card 2"]
    assert texts(fake_slack.dms_to(PARTNER)) == ["dm 1a", "dm 1b"]
    assert texts(fake_slack.dms_to("U0OTHER")) == ["dm 2a"]
    assert texts(fake_slack.messages_in("C0DIGEST")) == ["digest"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 6
    assert not fake_slack.errors()
    assert {r.status for r in rows(db)} == {"sent"}
    assert all(r.sent_ts and r.attempts == 1 for r in rows(db))


def test_card_ts_is_recorded_and_updates_edit_it_in_place(db: Store, fake_slack: FakeSlack,
                                                          bare_client: WebClient) -> None:
    now = datetime.now(UTC)
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    request_id = new_request(db, now)
    put(db, "review_card", "LR card: submitted", now, request_id=request_id)
    put(db, "review_card_update", "LR card: approved", now, request_id=request_id)

    assert relay.run_once() == 2

    [card] = fake_slack.messages_in(REVIEW)
    with db.reader() as s:
        request = s.get(Request, request_id)
        assert request is not None
        assert (request.card_channel, request.card_ts) == (REVIEW, card["ts"])
    [update] = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (REVIEW, card["ts"])
    assert card["text"] == "LR card: approved" and "edited" in card
    assert [r.sent_ts for r in rows(db)] == [card["ts"], card["ts"]]


def test_an_update_never_overtakes_its_card(db: Store, timed_fake_slack: FakeSlack,
                                            timed_client: WebClient,
                                            fake_clock: ManualClock) -> None:
    clock = Now(fake_clock)
    relay = make_relay(db, timed_client, infra_settings(timed_fake_slack), clock)
    request_id = new_request(db, clock())
    put(db, "review_card", "card", clock(), request_id=request_id)
    put(db, "review_card_update", "card v2", clock(), request_id=request_id)
    put(db, "dm", "you were approved", clock(), request_id=request_id, user_id=PARTNER)
    timed_fake_slack.fail_next(1, status=500, method="chat.postMessage")

    assert relay.run_once() == 0
    assert not timed_fake_slack.calls_to("chat.update")
    assert not timed_fake_slack.dms_to(PARTNER)

    fake_clock.advance(1)  # the card's backoff: 1 s
    assert relay.run_once() == 3
    methods = [c.method for c in timed_fake_slack.calls if c.ok]
    assert methods == ["chat.postMessage", "chat.update", "conversations.open",
                       "chat.postMessage"]


def test_a_dm_opens_the_conversation_once(db: Store, fake_slack: FakeSlack,
                                          bare_client: WebClient) -> None:
    now = datetime.now(UTC)
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    for n in range(3):
        put(db, "dm", f"dm {n}", now, user_id=PARTNER)
    assert relay.run_once() == 3
    assert len(fake_slack.calls_to("conversations.open")) == 1
    posts = fake_slack.calls_to("chat.postMessage")
    assert {c.params["channel"] for c in posts} == {fake_slack.dm_channel_id(PARTNER)}


# -- failures ----------------------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 503, DISCONNECT])
def test_an_outage_delays_messages_and_loses_none(db: Store, timed_fake_slack: FakeSlack,
                                                  timed_client: WebClient,
                                                  fake_clock: ManualClock,
                                                  status: int | str) -> None:
    clock = Now(fake_clock)
    relay = make_relay(db, timed_client, infra_settings(timed_fake_slack), clock)
    first, second = new_request(db, clock()), new_request(db, clock())
    expected_review, expected_dms = [], []
    for n in range(3):
        put(db, "review_card" if n == 0 else "review_card_update", f"card {n}", clock(),
            request_id=first)
        put(db, "review_card" if n == 0 else "review_card_update", f"other {n}", clock(),
            request_id=second)
        put(db, "dm", f"dm {n}", clock(), request_id=first, user_id=PARTNER)
        expected_dms.append(f"dm {n}")
    expected_review = ["card 2", "other 2"]
    timed_fake_slack.fail_for(10 * 60, status=status, retry_after=1)  # ten minutes down

    for _ in range(10 * 60 // 5):  # poll through the outage every 5 s
        assert relay.run_once() == 0
        fake_clock.advance(5)
    assert not [c for c in timed_fake_slack.calls if c.ok]
    assert {r.status for r in rows(db)} == {"pending"}

    fake_clock.advance(5 * 60)  # Slack is back; the longest backoff is 5 minutes
    sent = 0
    for _ in range(5):
        sent += relay.run_once()
        fake_clock.advance(1)
    assert sent == 9
    assert texts(timed_fake_slack.messages_in(REVIEW)) == expected_review
    assert texts(timed_fake_slack.dms_to(PARTNER)) == expected_dms
    assert len([c for c in timed_fake_slack.calls if c.ok and c.method == "chat.update"]) == 4
    assert {r.status for r in rows(db)} == {"sent"}


def test_a_rate_limit_waits_retry_after(db: Store, timed_fake_slack: FakeSlack,
                                        timed_client: WebClient,
                                        fake_clock: ManualClock) -> None:
    clock = Now(fake_clock)
    relay = make_relay(db, timed_client, infra_settings(timed_fake_slack), clock)
    put(db, "post", "hello", clock(), channel="C0GENERAL")
    timed_fake_slack.fail_next(1, status=429, retry_after=30)

    assert relay.run_once() == 0
    [row] = rows(db)
    assert row.status == "pending" and "ratelimited" in (row.last_error or "")
    assert row.next_attempt_at == clock() + timedelta(seconds=30)
    fake_clock.advance(29)
    assert relay.run_once() == 0
    fake_clock.advance(1)
    assert relay.run_once() == 1


def test_backoff_grows_and_is_capped(db: Store, timed_fake_slack: FakeSlack,
                                     timed_client: WebClient, fake_clock: ManualClock) -> None:
    clock = Now(fake_clock)
    relay = make_relay(db, timed_client, infra_settings(timed_fake_slack), clock)
    put(db, "post", "hello", clock(), channel="C0GENERAL")
    timed_fake_slack.fail_for(3600, status=500)
    delays = []
    for _ in range(12):
        relay.run_once()
        [row] = rows(db)
        delays.append((row.next_attempt_at - clock()).total_seconds())
        fake_clock.advance(delays[-1])
    assert delays[:5] == [1, 2, 4, 8, 16]
    assert max(delays) == 300 and delays[-1] == 300
    assert rows(db)[0].status == "pending"


def test_a_day_of_failures_gives_up(db: Store, timed_fake_slack: FakeSlack,
                                    timed_client: WebClient, fake_clock: ManualClock) -> None:
    clock = Now(fake_clock)
    relay = make_relay(db, timed_client, infra_settings(timed_fake_slack), clock)
    put(db, "post", "hello", clock(), channel="C0GENERAL")
    timed_fake_slack.fail_for(2 * 86400, status=500)
    relay.run_once()
    fake_clock.advance(86400)
    relay.run_once()
    [row] = rows(db)
    assert row.status == "failed"


@pytest.mark.parametrize("problem", ["not_in_channel", "invalid_blocks"])
def test_a_permanent_error_marks_the_message_failed(db: Store, fake_slack: FakeSlack,
                                                    bare_client: WebClient,
                                                    problem: str) -> None:
    now = datetime.now(UTC)
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    if problem == "not_in_channel":
        fake_slack.add_channel("C0PRIVATE", is_member=False)
        put(db, "post", "one", now, channel="C0PRIVATE")
    else:
        put(db, "post", "one", now, channel="C0GENERAL", blocks=[{"type": "frobnicate"}])
    put(db, "post", "two", now, channel="C0GENERAL")

    assert relay.run_once() == 1
    failed, sent = rows(db)
    assert (failed.status, failed.last_error, failed.attempts) == ("failed", problem, 1)
    assert sent.status == "sent"
    assert relay.run_once() == 0  # never again


def test_an_outgoing_without_a_destination_fails(db: Store, fake_slack: FakeSlack,
                                                 bare_client: WebClient) -> None:
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    put(db, "post", "nowhere", datetime.now(UTC))
    assert relay.run_once() == 0
    [row] = rows(db)
    assert row.status == "failed" and "neither channel nor user_id" in (row.last_error or "")


def test_a_message_failed_for_good_does_not_hold_back_the_next(
        db: Store, fake_slack: FakeSlack, bare_client: WebClient) -> None:
    now = datetime.now(UTC)
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now())
    fake_slack.add_channel(REVIEW, is_member=False)  # the bot was never invited
    request_id = new_request(db, now)
    put(db, "review_card", "card", now, request_id=request_id)
    put(db, "dm", "submitted", now, request_id=request_id, user_id=PARTNER)
    assert relay.run_once() == 1
    assert [r.status for r in rows(db)] == ["failed", "sent"]
    assert texts(fake_slack.dms_to(PARTNER)) == ["submitted"]


def test_an_invalid_token_fails_the_message(db: Store, fake_slack: FakeSlack) -> None:
    now = datetime.now(UTC)
    client = WebClient(token="xoxb-wrong", base_url=fake_slack.url, retry_handlers=[])
    relay = make_relay(db, client, infra_settings(fake_slack), Now())
    put(db, "post", "hello", now, channel="C0GENERAL")
    assert relay.run_once() == 0
    [row] = rows(db)
    assert (row.status, row.last_error) == ("failed", "invalid_auth")


def test_an_update_whose_card_never_came_gives_up(db: Store, timed_fake_slack: FakeSlack,
                                                  timed_client: WebClient,
                                                  fake_clock: ManualClock) -> None:
    clock = Now(fake_clock)
    relay = make_relay(db, timed_client, infra_settings(timed_fake_slack), clock,
                       not_ready_attempts=3)
    request_id = new_request(db, clock())
    put(db, "review_card_update", "v2", clock(), request_id=request_id)
    put(db, "dm", "hello", clock(), request_id=request_id, user_id=PARTNER)
    for _ in range(2):
        assert relay.run_once() == 0
        [update, dm] = rows(db)
        assert update.status == "pending" and "not ready" in (update.last_error or "")
        assert dm.status == "pending"  # waits behind the update: order is kept
        fake_clock.advance(2)
    assert relay.run_once() == 1  # the update gives up; the DM it held back goes
    assert [r.status for r in rows(db)] == ["failed", "sent"]
    assert not timed_fake_slack.calls_to("chat.update")


def test_a_renderer_error_is_retried(db: Store, timed_fake_slack: FakeSlack,
                                     timed_client: WebClient, fake_clock: ManualClock) -> None:
    clock = Now(fake_clock)
    failures = [RuntimeError("bug")]

    def flaky(session: Session, message: OutboxMessage) -> list[Outgoing]:
        if failures:
            raise failures.pop()
        return render(session, message)

    relay = Relay(db, timed_client, flaky, infra_settings(timed_fake_slack), clock)
    put(db, "post", "hello", clock(), channel="C0GENERAL")
    assert relay.run_once() == 0
    assert "RuntimeError: bug" in (rows(db)[0].last_error or "")
    fake_clock.advance(1)
    assert relay.run_once() == 1


def test_an_empty_rendering_is_marked_sent(db: Store, fake_slack: FakeSlack,
                                           bare_client: WebClient) -> None:
    relay = Relay(db, bare_client, lambda s, m: [], infra_settings(fake_slack), Now())
    put(db, "post", "nothing to say", datetime.now(UTC), channel="C0GENERAL")
    assert relay.run_once() == 1
    assert rows(db)[0].status == "sent" and not fake_slack.calls


# -- the client's own retries -------------------------------------------------------------

def test_make_client_retries_a_blip_itself(fake_slack: FakeSlack) -> None:
    client = make_client(infra_settings(fake_slack))
    kinds = {type(h).__name__: h.max_retry_count for h in client.retry_handlers}
    assert kinds == {"ConnectionErrorRetryHandler": 2, "RateLimitErrorRetryHandler": 1,
                     "ServerErrorRetryHandler": 2}
    assert client.base_url == fake_slack.url
    fake_slack.fail_next(1, status=429, retry_after=0)
    assert client.chat_postMessage(channel="C0GENERAL", text="hi")["ok"]
    assert [c.status for c in fake_slack.calls] == [429, 200]


def test_listener_client_fails_fast_instead_of_sleeping(fake_slack: FakeSlack) -> None:
    client = make_client(infra_settings(fake_slack), handlers=listener_handlers())
    fake_slack.fail_next(1, status=429, retry_after=30)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0GENERAL", text="hi")
    assert raised.value.response.status_code == 429
    assert len(fake_slack.calls) == 1  # no retry slept through Retry-After
    fake_slack.fail_next(1, status=DISCONNECT)
    assert client.chat_postMessage(channel="C0GENERAL", text="hi")["ok"]  # a dropped connection


# -- the database going away --------------------------------------------------------------

class FlakyStore(Store):
    """A store whose next `fail` write transactions fail as a restarting database's do."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.engine)
        self.fail = 0

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        if self.fail:
            self.fail -= 1
            raise OperationalError("UPDATE outbox", {}, Exception("server closed the connection"))
        with super().unit_of_work() as session:
            yield session


def test_a_delivery_is_recorded_once_the_database_is_back_not_sent_again(
        db: Store, fake_slack: FakeSlack, bare_client: WebClient) -> None:
    now = datetime.now(UTC)
    flaky = FlakyStore(db)
    request_id = new_request(db, now)
    put(db, "review_card", "card", now, request_id=request_id)
    relay = make_relay(flaky, bare_client, infra_settings(fake_slack), Now())
    original = relay._send

    def send_then_lose_the_database(row_id: int, messages: list[Outgoing]) -> Any:
        sent = original(row_id, messages)
        flaky.fail = 3  # the database restarts while Slack answers
        return sent

    relay._send = send_then_lose_the_database  # type: ignore[method-assign]
    assert relay.run_once() == 1
    assert flaky.fail == 0
    relay._send = original  # type: ignore[method-assign]
    assert relay.run_once() == 0
    assert texts(fake_slack.messages_in(REVIEW)) == ["card"]
    [row] = rows(db)
    assert row.status == "sent" and row.attempts == 1


def test_a_send_that_cannot_be_recorded_before_its_lease_ends_is_reported(
        db: Store, fake_slack: FakeSlack, bare_client: WebClient,
        caplog: pytest.LogCaptureFixture) -> None:
    now = datetime.now(UTC)
    flaky = FlakyStore(db)
    put(db, "post", "digest", now, channel="C0DIGEST")
    relay = make_relay(flaky, bare_client, infra_settings(fake_slack), Now(),
                       lease=timedelta(seconds=0.5))
    original = relay._send

    def send_then_lose_the_database(row_id: int, messages: list[Outgoing]) -> Any:
        sent = original(row_id, messages)
        flaky.fail = 1000
        return sent

    relay._send = send_then_lose_the_database  # type: ignore[method-assign]
    with pytest.raises(OperationalError):
        relay.run_once()
    assert "may be sent again when its lease runs out" in caplog.text
    [row] = rows(db)
    assert row.status == "pending"  # leased: another relay waits for the lease to end


# -- the thread ---------------------------------------------------------------------------

def test_the_thread_sends_when_poked_and_survives_errors(db: Store, fake_slack: FakeSlack,
                                                         bare_client: WebClient,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    relay = make_relay(db, bare_client, infra_settings(fake_slack), Now(), poll_interval=30)
    original = relay._step
    broken = [True]

    def step() -> Any:
        if broken:
            broken.pop()
            raise RuntimeError("database went away")
        return original()

    monkeypatch.setattr(relay, "_step", step)
    relay.start()
    try:
        put(db, "post", "one", datetime.now(UTC), channel="C0GENERAL")
        relay.poke()  # the first pass fails...
        put(db, "post", "two", datetime.now(UTC), channel="C0GENERAL")
        relay.poke()  # ...the loop carries on
        fake_slack.wait_for("chat.postMessage", 2, timeout=5)
        assert relay.running
    finally:
        relay.stop()
    assert not relay.running
    assert texts(fake_slack.messages_in("C0GENERAL")) == ["one", "two"]


# -- replicas -----------------------------------------------------------------------------

def test_two_relays_at_once_send_each_message_exactly_once(
        db: Store, db_url: Any, fake_slack: FakeSlack) -> None:
    now = datetime.now(UTC)
    settings = infra_settings(fake_slack)
    expected: dict[str, list[str]] = {}
    for r in range(8):
        user = f"U0USER{r}"
        request_id = new_request(db, now, user=user)
        put(db, "review_card", f"card {r}", now, request_id=request_id)
        for n in range(3):
            put(db, "review_card_update", f"card {r} v{n}", now, request_id=request_id)
            put(db, "dm", f"dm {r}.{n}", now, request_id=request_id, user_id=user)
        expected[user] = [f"dm {r}.{n}" for n in range(3)]
    total = 8 * 7

    stores = [Store.from_url(db_url) for _ in range(2)]
    relays = [Relay(s, WebClient(token=fake_slack.bot_token, base_url=fake_slack.url,
                                 retry_handlers=[]), render, settings, Now(),
                    blocked_wait=timedelta(milliseconds=20)) for s in stores]
    counts = [0, 0]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            start.wait()
            for _ in range(400):
                counts[i] += relays[i].run_once(limit=5)
                if all(r.status != "pending" for r in rows(db)):
                    return
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for s in stores:
        s.dispose()
    assert not errors
    assert sum(counts) == total
    assert {r.status for r in rows(db)} == {"sent"}
    ok = [c for c in fake_slack.calls if c.ok]
    assert len([c for c in ok if c.method == "chat.postMessage"]) == 8 + 8 * 3
    assert len([c for c in ok if c.method == "chat.update"]) == 8 * 3
    for user, dms in expected.items():
        assert texts(fake_slack.dms_to(user)) == dms
    cards = fake_slack.messages_in(REVIEW)
    assert sorted(texts(cards)) == sorted(f"card {r} v2" for r in range(8))
