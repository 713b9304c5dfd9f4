"""One bot for a whole fuzz module: the real Bolt app served over HTTP by waitress, a fake
Slack Web API, the store on a SQLite file, and the three things a case is judged by.

- the HTTP status of the bot's answer (never 5xx);
- every ERROR logged while the case ran, to its end: a listener that raised ("listener
  failed"), an outbox message that could not be rendered or was refused;
- every Web API call the bot made that Slack refused as malformed (a view or message over
  Block Kit's limits, an `errors` answer naming no input): the user would see "something
  went wrong" from Slack itself.

Listeners go on after the HTTP answer, so a case ends when the bot's listener threads are idle
and the outbox relay has delivered what the case wrote."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from slack_sdk import WebClient

from bot.config import Settings
from bot.devtools.fake_slack import RESPONSE_ACTION_METHOD, FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.slack.server import BackgroundServer, Bot, assemble
from bot.store.db import Store
from tests.partner_teams import make_teams

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "fuzz-signing-secret-0123456789abcdef"
PARTNER, OTHER_PARTNER, REVIEWER, STRANGER = "U0PARTNER", "U0OTHER", "U0REVIEW", "U0NOBODY"
AGENCY, OTHER_AGENCY, IDP = "T0AGENCY", "T0OTHER", "T0IDP"
USERS = (PARTNER, OTHER_PARTNER, REVIEWER, STRANGER)  # the stranger is unknown to users.info
TEAMS = {PARTNER: AGENCY, OTHER_PARTNER: OTHER_AGENCY, REVIEWER: IDP, STRANGER: AGENCY}
REVIEW_CHANNEL, SUPPORT_CHANNEL, GROUP = "C0REVIEW", "C0SUPPORT", "S0REVIEWERS"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday; the Thursday two weeks out
FILES = {"F0LOGO": "benefits-logo.svg", "F0CERT": "benefits-cert.pem",
         "F0PNG": "grants-logo.png", "F0SAMLCERT": "grants-saml-cert.pem"}
# What Slack answers when the bot sent it something malformed (never the partner's fault).
MALFORMED = frozenset({"invalid_arguments", "invalid_blocks", "msg_too_long",
                       "exchanged_trigger_id"})


class ListenerWatch(Executor):
    """Bolt's listener executor, counting what is still running so a case can wait for it."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.running = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self.running += 1
        future = self.inner.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._idle:
            self.running -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 15.0) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self.running == 0, timeout)


class ErrorLog(logging.Handler):
    """Every ERROR (and worse) logged anywhere in the process."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(repr=False)
class FuzzWorld:
    slack: FakeSlack
    bot: Bot
    sender: SignedSender
    client: WebClient  # the fake's Web API, as the bot's own client sees it
    watch: ListenerWatch
    errors: ErrorLog
    seeds: dict[str, Any] = field(default_factory=dict)  # what was filed before fuzzing

    def __repr__(self) -> str:  # a failing case prints its arguments: keep this one short
        return "FuzzWorld()"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # what hypothesis prints
        printer.text(repr(self))

    def open_view(self, view: dict[str, Any], user: str = PARTNER) -> dict[str, Any]:
        """`view` opened for `user` in the fake, as Slack stores it (id, hash, block_ids)."""
        trigger = self.slack.issue_trigger(user)
        return dict(self.client.views_open(trigger_id=trigger, view=view)["view"])

    def settle(self) -> None:
        """Wait for the listeners, then deliver the outbox (what the relay thread does)."""
        assert self.watch.wait_idle(), "a listener was still running after 15 s"
        while self.bot.relay.run_once():
            pass

    @contextmanager
    def case(self) -> Iterator[None]:
        """One fuzz case: on leaving, the bot has finished with it and nothing went wrong."""
        calls, logged = len(self.slack.calls), len(self.errors.records)
        yield
        self.settle()
        failed = [self.errors.format(r) for r in self.errors.records[logged:]]
        assert not failed, "\n".join(failed)
        refused = [(c.method, c.error, (c.response or {}).get("response_metadata"))
                   for c in self.slack.calls[calls:]
                   if not c.ok and (c.error in MALFORMED or c.method == RESPONSE_ACTION_METHOD)]
        assert not refused, refused

    def answer(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code < 500, (response.status_code, response.text)
        return response


def _settings(slack: FakeSlack) -> Settings:
    return Settings(slack_bot_token=SecretStr(slack.bot_token),
                    slack_signing_secret=SecretStr(SECRET), slack_api_url=slack.url,
                    review_channel=REVIEW_CHANNEL, support_channel=SUPPORT_CHANNEL,
                    reviewer_group=GROUP)


@contextmanager
def fuzz_world(directory: Path, migrated_sqlite: Path) -> Iterator[FuzzWorld]:
    """The world on a copy of a migrated SQLite file in `directory`."""
    path = directory / "fuzz.db"
    shutil.copyfile(migrated_sqlite, path)
    store = Store.from_url(f"sqlite:///{path}")
    errors = ErrorLog()
    errors.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        with FakeSlack() as slack:
            slack.add_user(PARTNER, name="pat", team_id=AGENCY)
            slack.add_user(OTHER_PARTNER, name="oli", team_id=OTHER_AGENCY)
            slack.add_user(REVIEWER, name="rae", team_id=IDP)
            slack.add_usergroup(GROUP, [REVIEWER])
            for file_id, name in FILES.items():
                slack.add_file(file_id, name, (EXAMPLES / name).read_bytes())
            make_teams(store, agency_workspace=AGENCY, other_workspace=OTHER_AGENCY)
            bot = assemble(_settings(slack), store, clock=lambda: NOW)
            runner = bot.app.listener_runner
            watch = ListenerWatch(runner.listener_executor)
            runner.listener_executor = watch
            client = WebClient(token=slack.bot_token, base_url=slack.url)
            with BackgroundServer(bot.wsgi) as server, \
                    SignedSender(server.url, SECRET, fake=slack) as sender:
                yield FuzzWorld(slack, bot, sender, client, watch, errors)
    finally:
        root.removeHandler(errors)
        store.dispose()
