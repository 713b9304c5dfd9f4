"""The abuse and security tests' world: the real bot (Bolt app, waitress, outbox relay,
scheduler) over HTTP, real signed requests, the fake Slack Web API, the store on SQLite and
PostgreSQL; a partner team, another team, reviewers and a bystander; and a hostile HTTP server
("evil") that must never be contacted.

The bot is installed in the identity provider's workspace (T0IDP). Actors:

    PARTNER             the agency's team, over Slack Connect (T0AGENCY, bound to the team)
    TEAMMATE            the agency's team: a guest in T0IDP, an explicit member
    OTHER               another agency's team, over Slack Connect (T0OTHER, bound to it)
    GUEST               another agency's team: a guest in T0IDP like TEAMMATE, an explicit
                        member of the other team (only the partner team tells them apart)
    REVIEWER, REVIEWER2 the reviewer group (S0REVIEWERS), in T0IDP; REVIEWER2 also files
                        requests as a member of the agency's team
    ANYONE              a T0IDP member who is on no partner team and not a reviewer
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.config import Settings
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender, Signing
from bot.requests import Actor, RequestRecord, submit
from bot.slack.server import BackgroundServer, Bot, assemble
from bot.store.db import Store
from bot.store.models import Base
from bot.teams.manage import add_members
from bot.tickets.use_cases import TicketRecord, file_ticket
from tests.partner_teams import AGENCY_TEAM, OTHER_TEAM, make_teams

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "security-signing-secret-5f0c2a9e7d41b386"
BOT_TOKEN = "xoxb-security-bot-token-8d3f1a6c2e9b"
APP_TOKEN = "xapp-1-security-app-token-4b7e0c9a2f61"

PARTNER, TEAMMATE, OTHER, GUEST = "U0PARTNER", "U0TEAMMATE", "U0OTHER", "U0GUEST"
REVIEWER, REVIEWER2, ANYONE = "U0STAFF", "U0STAFF2", "U0ANYONE"
AGENCY, OTHER_AGENCY, IDP = "T0AGENCY", "T0OTHER", "T0IDP"
GROUP = "S0REVIEWERS"
REVIEW_CHANNEL, SUPPORT_CHANNEL, MANIFEST_CHANNEL = "C0REVIEW", "C0SUPPORT", "C0MANIFEST"
TEAMS = {PARTNER: AGENCY, TEAMMATE: IDP, OTHER: OTHER_AGENCY, GUEST: IDP, REVIEWER: IDP,
         REVIEWER2: IDP, ANYONE: IDP}
# Partner teams (tests.partner_teams), bound to the partners' workspaces in the Slack world.
PARTNER_TEAMS = {PARTNER: AGENCY_TEAM, TEAMMATE: AGENCY_TEAM, OTHER: OTHER_TEAM,
                 GUEST: OTHER_TEAM, REVIEWER2: AGENCY_TEAM}

# Monday 2026-11-02, 10:00 in New York: 14 days' notice makes Thursday 2026-11-19.
FILED = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
MANIFEST_AT = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)  # 09:00 in New York

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float = 5.0) -> T:
    """Listeners go on working after the HTTP answer: wait for what they do."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def text_of(value: Any) -> str:
    """Every string in a payload, blocks included, joined (for "is it shown" checks)."""
    if isinstance(value, Mapping):
        return " ".join(text_of(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(text_of(v) for v in value)
    return value if isinstance(value, str) else ""


def launch_data(n: int = 1, **changes: Any) -> dict[str, Any]:
    """The example OIDC launch with issuer number `n` (issuers are unique among requests)."""
    data = yaml.safe_load((EXAMPLES / "launch-oidc.yaml").read_text())
    data.update({"issuer": f"urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:app{n}", **changes})
    return data


def launch_files() -> dict[str, bytes]:
    return {name: (EXAMPLES / name).read_bytes()
            for name in ("benefits-logo.svg", "benefits-cert.pem")}


TICKET = {"category": "redirect problem", "environment": "production",
          "summary": "Redirect fails after sign-in",
          "description": "Users land on an error page.",
          "production_account_email": "pat.doe@example.gov"}


def actor(user: str) -> Actor:
    teams = frozenset({PARTNER_TEAMS[user]}) if user in PARTNER_TEAMS else frozenset()
    return Actor(user_id=user, team_id=TEAMS[user], is_reviewer=user in (REVIEWER, REVIEWER2),
                 teams=teams)


class Clock:
    """The bot's clock, moved by the tests (time is injected, never today's)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class HostileSender(SignedSender):
    """A SignedSender an attacker holds: `tamper` sends each body changed after signing it (one
    trailing space, which keeps a form or JSON body parseable: only the signature can tell);
    `extra_headers` override the signature headers (malformed values). `last_sent` is the
    (body, headers) last posted, for replaying it byte for byte."""

    tamper = False
    extra_headers: Mapping[str, str | bytes] = {}
    last_sent: tuple[bytes, dict[str, Any]] | None = None

    def post(self, body: str, content_type: str, *, signing: Signing = Signing.VALID,
             headers: Mapping[str, str] | None = None) -> httpx.Response:
        sent: dict[str, Any] = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0",
                                **self.signed_headers(body, signing), **(headers or {}),
                                **self.extra_headers}
        content = (body + " " if self.tamper else body).encode()
        self.last_sent = (content, sent)
        return self.client.post(self.url, content=content, headers=sent)

    def replay(self) -> httpx.Response:
        """The last request again, byte for byte (a captured request sent twice)."""
        assert self.last_sent is not None
        content, sent = self.last_sent
        return self.client.post(self.url, content=content, headers=sent)


@dataclass
class World:
    slack: FakeSlack
    bot: Bot
    sender: HostileSender
    clock: Clock
    store: Store
    url: str

    def deliver(self) -> None:
        """Run the outbox relay until nothing is due (what its thread does in production)."""
        while self.bot.relay.run_once():
            pass

    def view_calls(self) -> int:
        return len([c for c in self.slack.calls if c.method.startswith("views.") and c.ok])

    def view_of(self, user: str, after: int) -> dict[str, Any]:
        """The user's modal once Slack has seen more than `after` successful view calls."""
        eventually(lambda: self.view_calls() > after)
        return eventually(lambda: self.slack.last_view(user, type="modal"))

    def message_about(self, channel: str, public_id: str) -> dict[str, Any]:
        """The bot's message in `channel` that names `public_id` (a card, a DM)."""
        return eventually(lambda: next(
            (m for m in reversed(self.slack.messages_in(channel))
             if public_id in text_of(m.get("blocks")) + m.get("text", "")), None))

    def file_request(self, n: int = 1, user: str = PARTNER, **changes: Any) -> RequestRecord:
        """A launch filed straight through the workflow (fast), its card and DM delivered."""
        with self.store.unit_of_work() as session:
            record = submit(session, launch_data(n, **changes), actor=actor(user),
                            now=self.clock(), calendar=self.bot.runtime.calendar,
                            files=launch_files())
        self.deliver()
        return record

    def file_ticket(self, user: str = PARTNER, **changes: Any) -> TicketRecord:
        with self.store.unit_of_work() as session:
            record = file_ticket(session, {**TICKET, **changes}, actor=actor(user),
                                 now=self.clock())
        self.deliver()
        return record

    def counts(self) -> dict[str, int]:
        """Rows per table: "no database change" is these, unchanged."""
        with self.store.reader() as session:
            return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
                    for table in Base.metadata.sorted_tables}


def make_world(store: Store, slack: FakeSlack, **settings: Any) -> tuple[Bot, Clock]:
    slack.team_id = IDP  # the bot is installed in the identity provider's workspace
    for user, team in TEAMS.items():
        slack.add_user(user, team_id=team)
    slack.add_usergroup(GROUP, [REVIEWER, REVIEWER2])
    make_teams(store, agency_workspace=AGENCY, other_workspace=OTHER_AGENCY)
    with store.unit_of_work() as session:
        for user, team in PARTNER_TEAMS.items():
            if TEAMS[user] == IDP:  # guests of the host workspace: explicit members
                add_members(session, "agency" if team == AGENCY_TEAM else "other", [user],
                            actor="U0SETUP", now=FILED)
    values: dict[str, Any] = {
        "slack_bot_token": SecretStr(slack.bot_token),
        "slack_signing_secret": SecretStr(SECRET), "slack_api_url": slack.url,
        "review_channel": REVIEW_CHANNEL, "support_channel": SUPPORT_CHANNEL,
        "manifest_channel": MANIFEST_CHANNEL, "reviewer_group": GROUP, **settings}
    clock = Clock(FILED)
    return assemble(Settings(**values), store, clock=clock), clock


@pytest.fixture
def db(db: Store) -> Store:
    """The migrated store, with the agency's team and another agency's."""
    make_teams(db)
    return db


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with FakeSlack(bot_token=BOT_TOKEN, team_id=IDP) as slack:
        bot, clock = make_world(db, slack)
        with BackgroundServer(bot.wsgi) as server, \
                HostileSender(server.url, SECRET, fake=slack) as sender:
            yield World(slack, bot, sender, clock, db, server.url)


# --- the hostile server -------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Evil:
    """An HTTP server on loopback playing an attacker's host: it records every request (and
    answers a Slack-looking file, so a client that got here would be "rewarded")."""

    port: int
    seen: list[Seen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tokens_seen(self) -> list[str]:
        return [h for s in self.seen for k, h in s.headers.items()
                if k.lower() == "authorization"]


@pytest.fixture
def evil() -> Iterator[Evil]:
    record: Evil = Evil(port=0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            record.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
            body = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
