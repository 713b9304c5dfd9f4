"""The WSGI app under waitress, over real HTTP: Bolt's signature checks stay on, health checks,
size limits."""

from __future__ import annotations

import io
import json
import shutil
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_bolt import Ack, App
from slack_bolt.request.internals import parse_body
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender, Signing
from bot.slack.server import (
    BackgroundServer,
    SlackWsgiApp,
    _payload,
    assemble,
    create_wsgi_app,
)
from bot.store.db import Store
from bot.store.migrate import upgrade
from tests.slack.conftest import INFRA_SIGNING_SECRET, infra_settings


class PingApp:
    """A minimal Bolt app (a `/ping` command) that counts what reaches its listener."""

    def __init__(self, client: WebClient) -> None:
        self.pings: list[dict[str, Any]] = []
        self.app = App(signing_secret=INFRA_SIGNING_SECRET, client=client,
                       process_before_response=True, token_verification_enabled=False)

        @self.app.command("/ping")
        def ping(ack: Ack, command: dict[str, Any]) -> None:
            self.pings.append(command)
            ack("pong")


@pytest.fixture
def ready() -> dict[str, bool]:
    return {"ok": True}


@pytest.fixture
def ping_app(bare_client: WebClient) -> PingApp:
    return PingApp(bare_client)


@pytest.fixture
def server(ping_app: PingApp, ready: dict[str, bool]) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_wsgi_app(ping_app.app, lambda: ready["ok"])) as running:
        yield running


@pytest.fixture
def sender(server: BackgroundServer, fake_slack: FakeSlack) -> Iterator[SignedSender]:
    with SignedSender(server.url, INFRA_SIGNING_SECRET, fake=fake_slack) as signed:
        yield signed


def test_a_signed_command_reaches_the_listener(sender: SignedSender, ping_app: PingApp) -> None:
    response = sender.slash_command("/ping", "hello", user_id="U0PARTNER")
    assert response.status_code == 200
    assert response.text == "pong"
    assert [p["text"] for p in ping_app.pings] == ["hello"]


@pytest.mark.parametrize("signing", [Signing.FORGED, Signing.REPLAYED, Signing.MISSING])
def test_a_bad_signature_gets_401_and_reaches_no_listener(sender: SignedSender,
                                                          ping_app: PingApp,
                                                          signing: Signing) -> None:
    response = sender.slash_command("/ping", "hello", user_id="U0PARTNER", signing=signing)
    assert response.status_code == 401
    assert ping_app.pings == []


def test_health_and_readiness(server: BackgroundServer, ready: dict[str, bool]) -> None:
    with httpx.Client(base_url=server.url) as http:
        assert (http.get("/healthz").status_code, http.get("/healthz").text) == (200, "ok")
        assert http.get("/readyz").status_code == 200
        ready["ok"] = False
        assert http.get("/readyz").status_code == 503
        assert http.get("/healthz").status_code == 200  # alive, just not ready
        assert http.get("/nowhere").status_code == 404
        assert http.get("/slack/events").status_code == 405
        assert http.post("/healthz").status_code == 405


def test_readiness_follows_the_database(tmp_path: Path, ping_app: PingApp) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    upgrade(f"sqlite:///{directory / 'launchbot.db'}")
    store = Store.from_url(f"sqlite:///{directory / 'launchbot.db'}")
    try:
        with BackgroundServer(create_wsgi_app(ping_app.app, store.ping)) as running, \
                httpx.Client(base_url=running.url) as http:
            assert http.get("/readyz").status_code == 200
            store.engine.dispose()
            shutil.rmtree(directory)  # the database is gone
            response = http.get("/readyz")
            assert (response.status_code, response.text) == (503, "database unreachable")
    finally:
        store.dispose()


def test_a_body_over_1_mb_gets_413_unread(server: BackgroundServer, ping_app: PingApp) -> None:
    # Announce 2 MB and send only the headers: the answer comes without the body.
    with socket.create_connection((server.host, server.port), timeout=5) as conn:
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 2097152\r\n\r\n")
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1] == b"413"
    assert ping_app.pings == []


def test_a_body_over_1_mb_sent_whole_gets_413(server: BackgroundServer,
                                              ping_app: PingApp) -> None:
    try:
        response = httpx.post(f"{server.url}/slack/events", content=b"x" * (1024 * 1024 + 1),
                              headers={"Content-Type": "application/json"})
    except httpx.TransportError:  # the server may hang up mid-upload: refused all the same
        pass
    else:
        assert response.status_code == 413
    assert ping_app.pings == []


def test_the_wsgi_app_refuses_a_large_body_without_reading_it(ping_app: PingApp) -> None:
    class Untouchable(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise AssertionError("the body was read")

    app = SlackWsgiApp(ping_app.app, lambda: True)
    statuses: list[str] = []
    body = app({"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events",
                "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_LENGTH": str(1024 * 1024 + 1),
                "wsgi.input": Untouchable()}, lambda status, headers: statuses.append(status))
    assert statuses == ["413 Content Too Large"]
    assert b"".join(body) == b"request too large"


def test_the_assembled_bot_serves_over_http(db: Store, fake_slack: FakeSlack) -> None:
    """The real app (bot.slack.app.create_app) behind the same server: url_verification is
    answered, a forged request is not."""
    bot = assemble(infra_settings(fake_slack), db)
    with BackgroundServer(bot.wsgi) as running, \
            SignedSender(running.url, INFRA_SIGNING_SECRET, fake=fake_slack) as signed:
        assert httpx.get(f"{running.url}/readyz").status_code == 200
        response = signed.url_verification("challenge-42")
        assert response.status_code == 200 and "challenge-42" in response.text
        assert signed.url_verification(signing=Signing.FORGED).status_code == 401
    assert bot.runtime.poke_relay == bot.relay.poke
    assert not bot.relay.running  # assembled, not started


@pytest.mark.parametrize("value", [
    "plain", "a + b = c & d", "100% sure", "back\\slash \\x41 \\u00e9", "é ✓ 日本 🚀",
    "quotes \" ' and\nnewlines\t", "%41%2B+", "",
])
def test_an_interactivity_payload_is_decoded_as_bolt_decodes_it(value: str) -> None:
    payload = {"type": "view_submission", "user": {"id": "U0A"}, "view": {"text": value}}
    body = "payload=" + urllib.parse.quote_plus(json.dumps(payload, ensure_ascii=False))
    assert _payload(body) == parse_body(body, None) == payload


@pytest.mark.parametrize("body", [
    "payload=%zz", "payload=%4", "payload=not+json", "payload=%5B1%5D", "payload=é",
    "payload=%7B%7D&more=1", "payload=\\x41", "token=a&payload=%7B%7D", "command=%2Flaunch",
])
def test_anything_else_is_left_to_bolt(body: str) -> None:
    assert _payload(body) is None
