"""Tokens and secrets never reach the logs. Every logger (slack_sdk, slack_bolt, waitress,
sqlalchemy, httpx, the bot's own) is captured at DEBUG while the bot takes forged requests, a
listener fails, the relay meets 500s and invalid_auth, files are fetched with the bot token and
a PostgreSQL URL with a password cannot connect; `launchbot serve` runs as operators run it,
with a setting missing, with a database it cannot reach, and with everything set. Then the
captured text is searched for the bot token, the signing secret, the app token and the
database password.

A forged request's body is not logged either: Bolt would log it at INFO (attacker-sized text
and, for a genuine request refused as stale, its response_url and the legacy verification
token); bot.slack.app keeps the fact and drops the request."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import Signing
from bot.ops.logs import JsonFormatter
from bot.slack.server import BackgroundServer
from bot.store.db import Store

from .conftest import (
    APP_TOKEN,
    BOT_TOKEN,
    IDP,
    PARTNER,
    SECRET,
    TICKET,
    HostileSender,
    World,
    eventually,
    make_world,
)

ROOT = Path(__file__).resolve().parents[2]
DB_PASSWORD = "Db-Passw0rd-7c1e9a"
UNREACHABLE_PG = f"postgresql://launchbot:{DB_PASSWORD}@127.0.0.1:1/launchbot"
FORGED_MARKER = "forged-request-body-3e8d"
FILE_MARKER = b"partner-file-content-9b71"
LOGGERS = ("", "slack_sdk", "slack_bolt", "waitress", "sqlalchemy", "sqlalchemy.engine",
           "sqlalchemy.pool", "httpx", "httpcore", "urllib3", "apscheduler", "alembic", "bot",
           "launchbot")
SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
            "DATABASE_URL", "PORT", "REVIEW_CHANNEL", "MANIFEST_CHANNEL", "SUPPORT_CHANNEL",
            "DIGEST_CHANNEL", "REVIEWER_GROUP", "REVIEWER_IDS")


def leaks(text: str) -> list[str]:
    secrets = {"bot token": BOT_TOKEN, "signing secret": SECRET, "app token": APP_TOKEN,
               "database password": DB_PASSWORD}
    return [name for name, value in secrets.items() if value in text]


class Everything(logging.Handler):
    """Every record, formatted with its traceback, whatever the logger: as text, or as the JSON
    lines of LOG_FORMAT=json."""

    def __init__(self, log_format: str = "text") -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter() if log_format == "json" else
                          logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture(params=["text", "json"])
def captured(request: pytest.FixtureRequest) -> Iterator[Everything]:
    """All loggers at DEBUG, from before the bot is built (Bolt's loggers copy the root's
    level when they are made)."""
    handler = Everything(request.param)
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def logged_world(captured: Everything, db: Store) -> Iterator[World]:
    with FakeSlack(bot_token=BOT_TOKEN, team_id=IDP) as slack:
        bot, clock = make_world(db, slack, slack_app_token=APP_TOKEN)
        with BackgroundServer(bot.wsgi) as server, \
                HostileSender(server.url, SECRET, fake=slack) as sender:
            yield World(slack, bot, sender, clock, db, server.url)


def test_no_secret_in_any_log_at_debug(logged_world: World, captured: Everything) -> None:
    world, slack, sender = logged_world, logged_world.slack, logged_world.sender

    # Forged, stale and unsigned requests, their bodies carrying a marker.
    for signing in (Signing.FORGED, Signing.REPLAYED, Signing.MISSING):
        assert sender.slash_command("/launch-request", f"status {FORGED_MARKER}",
                                    user_id=PARTNER, signing=signing).status_code == 401

    # A ticket with an attachment: files.info, then a download with the bearer token.
    slack.add_file("F0SHOT", "shot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    sender.slash_command("/support-ticket", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    answer = sender.view_submission(view, user_id=PARTNER,
                                    values={**TICKET, "attachments": ["F0SHOT"]}).json()
    assert answer["response_action"] == "update", answer
    assert slack.calls_to("files-pri")[-1].headers["Authorization"] == f"Bearer {BOT_TOKEN}"

    # A listener that fails (Slack answers 500 to views.open): logged with its traceback.
    slack.fail_next(status=500, method="views.open")
    sender.slash_command("/launch-request", user_id=PARTNER)
    eventually(lambda: "listener failed" in captured.text)

    # The relay: a 500, then the token revoked (invalid_auth).
    slack.fail_next(2, status=500, method="chat.postMessage")
    world.deliver()
    slack.bot_token = "xoxb-rotated-elsewhere"
    world.file_ticket()
    world.deliver()
    slack.bot_token = BOT_TOKEN

    # A database that cannot be reached, its URL carrying a password.
    unreachable = Store.from_url(UNREACHABLE_PG)
    try:
        assert unreachable.ping() is False
    finally:
        unreachable.dispose()

    text = captured.text
    assert "invalid_auth" in text and "listener failed" in text  # the failures were logged
    assert "Invalid request signature detected" in text  # the refusals too, ...
    assert FORGED_MARKER not in text  # ... but not what was sent
    assert "legacy-verification-token" not in text
    assert len(captured.lines) > 100  # DEBUG was on: slack_sdk, sqlalchemy, httpx spoke
    assert not leaks(text), leaks(text)


# --- `launchbot serve` as operators run it ------------------------------------------------


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **values)
    return env


def _serve(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "serve", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_serve_with_a_setting_missing_or_the_database_unreachable(tmp_path: Path) -> None:
    missing = _serve(_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                          DATABASE_URL=UNREACHABLE_PG), tmp_path)
    assert missing.returncode == 2 and "REVIEW_CHANNEL" in missing.stderr
    unreachable = _serve(_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                              REVIEW_CHANNEL="C0REVIEW", DATABASE_URL=UNREACHABLE_PG),
                         tmp_path)
    assert unreachable.returncode == 2
    assert unreachable.stderr.startswith("launchbot: database:"), unreachable.stderr
    for done in (missing, unreachable):
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert not leaks(done.stdout + done.stderr)
    # Socket Mode (SLACK_APP_TOKEN set) with Slack refusing the app token.
    with FakeSlack(bot_token=BOT_TOKEN) as slack:
        refused = _serve(_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                              SLACK_API_URL=slack.url, REVIEW_CHANNEL="C0REVIEW",
                              DATABASE_URL=f"sqlite:///{tmp_path / 'socket.db'}"), tmp_path)
    assert refused.returncode != 0 and "invalid_auth" in refused.stderr
    assert not leaks(refused.stdout + refused.stderr)


@pytest.mark.parametrize(("log_format", "log_level"), [("text", "INFO"), ("json", "DEBUG")])
def test_serve_with_everything_set_logs_no_secret(tmp_path: Path, log_format: str,
                                                   log_level: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeSlack(bot_token=BOT_TOKEN) as slack:
        slack.add_user(PARTNER, team_id="T0OTHER")  # over Slack Connect: a team on first use
        database = make_url(f"sqlite:///{tmp_path / 'launchbot.db'}")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"],
            env=_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                     SLACK_API_URL=slack.url, REVIEW_CHANNEL="C0REVIEW",
                     SUPPORT_CHANNEL="C0SUPPORT", REVIEWER_IDS="U0STAFF", PORT=str(port),
                     DATABASE_URL=database.render_as_string(hide_password=False),
                     LOG_FORMAT=log_format, LOG_LEVEL=log_level),
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, process.communicate()[0]
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "launchbot serve did not become ready"
                time.sleep(0.05)
            # A loaded machine at DEBUG: allow the subprocess more than the default 10 s.
            with HostileSender(url, SECRET, fake=slack, timeout=30) as sender:
                for signing in (Signing.FORGED, Signing.REPLAYED, Signing.MISSING):
                    assert sender.slash_command(
                        "/launch-request", f"status {FORGED_MARKER}", user_id=PARTNER,
                        signing=signing).status_code == 401
                assert "LR-404" in sender.slash_command("/launch-request", "status LR-404",
                                                        user_id=PARTNER).text
                # A ticket with a file: its content is never logged (at DEBUG either).
                slack.add_file("F0SHOT", "shot.png", b"\x89PNG\r\n\x1a\n" + FILE_MARKER * 4)
                sender.slash_command("/support-ticket", user_id=PARTNER)
                form = eventually(lambda: slack.last_view(PARTNER, type="modal"))
                filed = sender.view_submission(form, user_id=PARTNER, values={
                    **TICKET, "attachments": ["F0SHOT"]}).json()
                assert filed["response_action"] == "update", filed
                slack.fail_next(status=500, method="views.open")
                sender.slash_command("/launch-request", user_id=PARTNER)
                eventually(lambda: len(slack.calls_to("views.open")) >= 2)
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    assert process.returncode == 0, output
    assert "Invalid request signature detected" in output and "listener failed" in output
    assert "authenticated to workspace" in output  # auth.test at start
    assert "`token` will be unused" not in output  # Bolt's notice at every start, by design
    assert FILE_MARKER.decode() not in output
    assert FORGED_MARKER not in output
    assert not leaks(output), leaks(output)
    if log_format == "json":  # every line one object; the failed listener names its user
        lines = [json.loads(line) for line in output.splitlines()]
        assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
        failed = [line for line in lines if line["message"].startswith("listener failed")]
        assert failed and failed[0]["user"] == PARTNER
        assert any(line["level"] == "DEBUG" for line in lines)
