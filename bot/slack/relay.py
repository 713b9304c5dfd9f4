"""The outbox relay: delivers the Slack messages the workflow wrote, at least once, in order.

One row at a time: take the oldest due row (`outbox.due(limit=1)`, which on PostgreSQL skips
rows another relay has locked), render it into `Outgoing` messages and lease it (its next
attempt pushed `lease` ahead) in one short transaction; send the messages outside any
transaction; then record the outcome (the card's ts, sent) in another. A relay elsewhere sees
a leased row as not due, so no row is sent by two relays, and no database connection is held
while Slack answers.

Exactly once, as far as a database can promise it: the outcome of a send is known only to the
process that made it, so if the database is away when it is recorded (a restart, a failover),
the relay keeps trying to record it until the lease is nearly out instead of sending it again.
What remains is the window of a process that dies between Slack's answer and the record: that
row is sent again when its lease runs out (at least once). A row that renders to several
messages is retried from the first message not yet sent (this process remembers how far it
got), so a long message split into a thread is neither lost nor posted twice.

Size: what a renderer returns goes through `fit_for_slack` first, so no message is too big for
Slack: a long post becomes a message and its thread, a card or an update in place is shortened
with a note of where the whole is. If Slack still refuses a message's blocks (invalid_blocks,
msg_blocks_too_long, ...), that is a builder bug: it is logged as an error naming the topic,
the request or ticket and Slack's messages, never dropped silently.

Order: a row is not sent while an earlier row of the same conversation (the same request or
ticket; or the same channel/user/topic for rows about neither) is still pending, so a card
update never overtakes its card and DMs arrive in the order they were written. Such a row is
put back until the earlier one's next attempt, and released as soon as the earlier one is done.

Failures: a 429 (after the client's own retries) waits Retry-After; 5xx, connection errors and
Slack's transient errors back off exponentially (1 s doubling to 5 min) and end the pass, as
Slack is likely down for every row; nothing is given up for a day, so an outage of minutes or
hours delays messages and loses none. Other Slack errors (channel_not_found, not_in_channel,
invalid_auth, invalid_blocks, ...) will not fix themselves: the row is marked failed and logged.
"""

from __future__ import annotations

import enum
import http.client
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.ops.outage import OutageLog
from bot.slack.rendering import NotReady, Outgoing, fit_for_slack
from bot.slack.runtime import utc_now
from bot.store import outbox
from bot.store.db import Store
from bot.store.models import OutboxMessage

__all__ = ["NotReady", "Relay", "Render"]

log = logging.getLogger(__name__)

# The renderer (bot.slack.messages.render_outbox bound to settings). It raises NotReady
# (bot.slack.rendering) for a row that cannot be rendered yet: the relay tries it again
# shortly, up to `not_ready_attempts` times, keeping its place in the order.
Render = Callable[[Session, OutboxMessage], list[Outgoing]]

# Slack errors that say "try again later" rather than "this request is wrong".
TRANSIENT_ERRORS = frozenset({"ratelimited", "rate_limited", "fatal_error", "internal_error",
                              "service_unavailable", "request_timeout"})
# Slack errors that mean a builder made a message Slack cannot take: a bug to report loudly.
REFUSED_CONTENT = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long",
                             "msg_too_long", "invalid_arguments", "invalid_attachments",
                             "too_many_attachments"})


class BadOutgoing(ValueError):
    """An `Outgoing` the relay cannot send (neither channel nor user): a renderer bug."""


class _Outcome(enum.Enum):
    IDLE = "idle"  # nothing due
    SENT = "sent"
    DEFERRED = "deferred"  # waits behind an earlier row, or not ready yet
    FAILED = "failed"  # this row failed; carry on with the next
    UNHEALTHY = "unhealthy"  # Slack looks down or busy: end this pass


@dataclass(frozen=True)
class _Failure:
    error: str
    delay: timedelta
    give_up: bool = False
    slack_down: bool = False


class Relay:
    """Sends due outbox rows; `run_once()` for one pass, or `start()` a polling thread."""

    def __init__(self, store: Store, client: WebClient, render: Render, settings: Settings,
                 clock: Callable[[], datetime] = utc_now, *, poll_interval: float = 1.0,
                 lease: timedelta = timedelta(seconds=120),
                 backoff_base: timedelta = timedelta(seconds=1),
                 backoff_cap: timedelta = timedelta(minutes=5),
                 give_up_after: timedelta = timedelta(hours=24),
                 not_ready_delay: timedelta = timedelta(seconds=2),
                 not_ready_attempts: int = 30, blocked_wait: timedelta = timedelta(seconds=1),
                 give_way: Callable[[float], object] | None = None, give_way_for: float = 0.05,
                 ) -> None:
        self.store = store
        self.client = client
        self.render = render
        self.settings = settings
        self.clock = clock
        self.poll_interval = poll_interval
        self.lease = lease
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.give_up_after = give_up_after
        self.not_ready_delay = not_ready_delay
        self.not_ready_attempts = not_ready_attempts
        self.blocked_wait = blocked_wait
        # Between two rows of a pass, wait (at most `give_way_for` seconds) while requests are
        # being answered (bot.ops.inflight.InFlight.give_way): a backlog after an outage is
        # hundreds of rows back to back, each a few ms of this process's interpreter lock and
        # of the database, while every waiting ack has 3 seconds. Rows still go out, slower.
        self.give_way = give_way
        self.give_way_for = give_way_for
        self._dm_channels: dict[str, str] = {}
        self._dm_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._outage = OutageLog(log, "outbox relay: the database")

    # -- the loop -------------------------------------------------------------------------

    def start(self) -> None:
        """Poll in a daemon thread (every `poll_interval`, or at once after `poke()`)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="outbox-relay", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """New rows were committed: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the row in hand (a send is never cut in half)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            busy = False
            try:
                busy = self._pass()
                self._outage.ok()
            except Exception as exc:  # the database or a bug: log it, keep the relay alive
                # One line (with the traceback) when it starts, a reminder a minute while it
                # lasts, one line when it ends: not a line per pass.
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                self._outage.failed(error, exc_info=exc)
            if not busy:
                self._wake.wait(self.poll_interval)

    def _pass(self, limit: int = 100) -> bool:
        """One pass; True when it stopped at `limit` with rows perhaps still due."""
        outcomes = self._run(limit, give_way=self.give_way)
        return len(outcomes) == limit and outcomes[-1] is not _Outcome.UNHEALTHY

    def run_once(self, limit: int = 100) -> int:
        """Send what is due now, at most `limit` rows; the number sent."""
        return sum(1 for o in self._run(limit) if o is _Outcome.SENT)

    def _run(self, limit: int, give_way: Callable[[float], object] | None = None
             ) -> list[_Outcome]:
        outcomes: list[_Outcome] = []
        while len(outcomes) < limit and not self._stopping.is_set():
            if outcomes and give_way is not None:
                give_way(self.give_way_for)
            outcome = self._step()
            if outcome is _Outcome.IDLE:
                break
            outcomes.append(outcome)
            if outcome is _Outcome.UNHEALTHY:
                break
        return outcomes

    # -- one row --------------------------------------------------------------------------

    def _step(self) -> _Outcome:
        with self.store.unit_of_work() as session:
            now = self.clock()
            rows = outbox.due(session, now, limit=1)
            if not rows:
                return _Outcome.IDLE
            row = rows[0]
            earlier = outbox.earlier_pending(session, row)
            if earlier is not None:
                outbox.put_back(session, row.id,
                                max(earlier.next_attempt_at, now + self.blocked_wait))
                return _Outcome.DEFERRED
            try:
                messages = fit_for_slack(self.render(session, row))
            except NotReady as exc:
                give_up = row.attempts + 1 >= self.not_ready_attempts
                outbox.mark_retry(session, row.id, now=now, delay=self.not_ready_delay,
                                  error=f"not ready: {exc}", give_up=give_up)
                if give_up:
                    log.error("outbox %d (%s) given up: still not ready after %d tries (%s)",
                              row.id, row.topic, row.attempts + 1, exc)
                    outbox.release_followers(session, row, now)
                    return _Outcome.FAILED
                return _Outcome.DEFERRED
            except Exception as exc:  # a renderer bug: keep the row, retry with backoff
                log.exception("outbox %d (%s) could not be rendered", row.id, row.topic)
                return self._failed(session, row, now, _Failure(
                    f"render: {type(exc).__name__}: {exc}", self._backoff(row)))
            outbox.put_back(session, row.id, now + self.lease)
        leased = time.monotonic()
        sent, error = self._send(row, messages)
        if error is not None:
            failure = self._classify(error, row)
            return self._record(row, leased, lambda session: self._failed(
                session, row, self.clock(), failure, sent))
        return self._record(row, leased, lambda session: self._mark_sent(
            session, row, messages, sent, self.clock()))

    def _record(self, row: OutboxMessage, leased: float,
                write: Callable[[Session], _Outcome]) -> _Outcome:
        """Record a send's outcome. Only this process knows it, so while the database is away
        keep trying (until the lease is nearly out) rather than have the row sent again."""
        deadline = leased + self.lease.total_seconds() * 0.9
        delay = 0.1
        while True:
            try:
                with self.store.unit_of_work() as session:
                    return write(session)
            except (OperationalError, InterfaceError) as exc:  # connection-level
                if time.monotonic() + delay > deadline:
                    log.error("outbox %d (%s): could not record its delivery (%s); it may be "
                              "sent again when its lease runs out", row.id, row.topic,
                              type(exc.orig).__name__)
                    raise
                log.warning("outbox %d (%s): database unavailable (%s); recording again in "
                            "%.1f s", row.id, row.topic, type(exc.orig).__name__, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _mark_sent(self, session: Session, row: OutboxMessage, messages: list[Outgoing],
                   sent: list[tuple[str, str | None]], now: datetime) -> _Outcome:
        ts: str | None = None
        for message, (channel, message_ts) in zip(messages, sent, strict=True):
            card = message.card_of
            if card and message_ts and not message.update_ts:
                outbox.record_card(session, card[1], channel=channel, ts=message_ts,
                                   kind=card[0])
                ts = message_ts
            ts = ts or message_ts
        outbox.mark_sent(session, row.id, now=now, ts=ts)
        outbox.release_followers(session, row, now)
        return _Outcome.SENT

    def _failed(self, session: Session, row: OutboxMessage, now: datetime,
                failure: _Failure, sent: list[tuple[str, str | None]] | None = None
                ) -> _Outcome:
        give_up = failure.give_up or now - row.created_at >= self.give_up_after
        outbox.mark_retry(session, row.id, now=now, error=failure.error, delay=failure.delay,
                          give_up=give_up, sent_parts=sent)
        if give_up:
            log.error("outbox %d (%s) failed for good after %d tries: %s", row.id, row.topic,
                      row.attempts + 1, failure.error)
            outbox.release_followers(session, row, now)
            return _Outcome.FAILED
        log.warning("outbox %d (%s) will be retried in %s: %s", row.id, row.topic,
                    failure.delay, failure.error)
        return _Outcome.UNHEALTHY if failure.slack_down else _Outcome.FAILED

    # -- Slack ----------------------------------------------------------------------------

    def _send(self, row: OutboxMessage, messages: list[Outgoing]
              ) -> tuple[list[tuple[str, str | None]], Exception | None]:
        """Post or update each message (replies in the thread of their parent): (channel, ts)
        of each sent, and what stopped the sending, if anything. Messages an earlier attempt
        at this row sent (in this process or another: the row keeps them) are not sent
        again."""
        sent: list[tuple[str, str | None]] = [
            (str(part[0]), part[1]) for part in row.sent_parts or ()][:len(messages)]
        try:
            for message in messages[len(sent):]:
                parent = message.thread_parent
                thread_ts = sent[parent][1] if parent is not None and parent < len(sent) \
                    else None
                sent.append(self._deliver(message, thread_ts))
        except Exception as exc:
            return sent, exc
        return sent, None

    def _deliver(self, message: Outgoing, thread_ts: str | None = None
                 ) -> tuple[str, str | None]:
        if message.channel:
            channel = message.channel
        elif message.user_id:
            channel = self._dm_channel(message.user_id)
        else:
            raise BadOutgoing("an Outgoing with neither channel nor user_id")
        if message.update_ts:
            # An empty list removes the old blocks (buttons on a decided card); None keeps them.
            response = self.client.chat_update(channel=channel, ts=message.update_ts,
                                               text=message.text, blocks=list(message.blocks))
        else:
            response = self.client.chat_postMessage(channel=channel, text=message.text,
                                                    blocks=message.blocks or None,
                                                    thread_ts=thread_ts)
        return str(response.get("channel") or channel), response.get("ts")

    def _dm_channel(self, user_id: str) -> str:
        with self._dm_lock:
            known = self._dm_channels.get(user_id)
        if known:
            return known
        response = self.client.conversations_open(users=user_id)
        channel = str(response["channel"]["id"])
        with self._dm_lock:
            self._dm_channels[user_id] = channel
        return channel

    def _classify(self, exc: Exception, row: OutboxMessage) -> _Failure:
        if isinstance(exc, SlackApiError):
            status = exc.response.status_code
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            error = str(data.get("error") or f"HTTP {status}")
            if status == 429 or error in ("ratelimited", "rate_limited"):
                wait = _retry_after(exc.response.headers)
                return _Failure(f"ratelimited (Retry-After {wait} s)",
                                timedelta(seconds=wait), slack_down=True)
            if status >= 500 or error in TRANSIENT_ERRORS:
                return _Failure(f"{error} (HTTP {status})", self._backoff(row), slack_down=True)
            if error in REFUSED_CONTENT:
                metadata = data.get("response_metadata") or {}
                log.error("Slack refused a message of outbox %d (topic %s, request %s, ticket "
                          "%s) with %s: %s", row.id, row.topic, row.request_id, row.ticket_id,
                          error, "; ".join(map(str, metadata.get("messages") or [])) or "-")
            return _Failure(error, timedelta(0), give_up=True)
        if isinstance(exc, BadOutgoing):
            return _Failure(str(exc), timedelta(0), give_up=True)
        if isinstance(exc, OSError | http.client.HTTPException):  # URLError, timeouts, resets
            return _Failure(f"connection: {type(exc).__name__}", self._backoff(row),
                            slack_down=True)
        log.exception("outbox %d (%s): unexpected error while sending", row.id, row.topic)
        return _Failure(f"{type(exc).__name__}", self._backoff(row))

    def _backoff(self, row: OutboxMessage) -> timedelta:
        factor = 2 ** min(row.attempts, 30)
        return min(self.backoff_cap, self.backoff_base * factor)


def _retry_after(headers: Mapping[str, Any]) -> int:
    for key, value in headers.items():
        if key.lower() == "retry-after":
            text = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(1, int(str(text).strip()))
            except ValueError:
                break
    return 1
