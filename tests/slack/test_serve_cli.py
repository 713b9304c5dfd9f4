"""`launchbot serve` as operators run it: a subprocess configured by the environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from bot.cli import main
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender, Signing
from bot.store.db import make_engine
from bot.store.migrate import is_up_to_date
from tests.conftest import PgSchemas
from tests.slack.conftest import INFRA_REVIEW_CHANNEL, INFRA_SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
            "DATABASE_URL", "PORT", "REVIEW_CHANNEL", "MANIFEST_CHANNEL", "SUPPORT_CHANNEL",
            "DIGEST_CHANNEL", "REVIEWER_GROUP", "REVIEWER_IDS")


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(values)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launchbot(*args: str) -> list[str]:
    """The `launchbot` command of this checkout (PYTHONPATH points at it)."""
    return [sys.executable, "-m", "bot.cli", *args]


def test_a_missing_bot_token_stops_start_up_in_one_line(tmp_path: Path) -> None:
    env = clean_env(SLACK_SIGNING_SECRET="s3cret-value", REVIEW_CHANNEL="C0REVIEW",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", PYTHONPATH=str(ROOT))
    done = subprocess.run(launchbot("serve"), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]
    assert "Traceback" not in done.stderr and "s3cret-value" not in done.stderr + done.stdout
    assert not (tmp_path / "x.db").exists()  # nothing was started


@pytest.mark.parametrize(("env", "args", "named"), [
    ({"SLACK_BOT_TOKEN": "xoxb-1", "REVIEW_CHANNEL": "C1"}, [], "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, [], "REVIEW_CHANNEL"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "REVIEW_CHANNEL": "C1"}, ["--socket-mode"],
     "SLACK_APP_TOKEN"),
    ({}, [], "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and REVIEW_CHANNEL are not set"),
])
def test_each_missing_setting_is_named(env: dict[str, str], args: list[str], named: str,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    for key in SETTINGS:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and named in err


PASSWORD = "hunter2-db-password"


@pytest.fixture
def serve_db_url(backend: str, tmp_path: Path, pg_schemas: PgSchemas | None) -> str:
    """An empty database for `serve` to migrate: a SQLite file, or a fresh PostgreSQL schema
    reached with a password in the URL (trust auth ignores it; the log must not show it)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'launchbot.db'}"
    assert pg_schemas is not None
    return pg_schemas.new().set(password=PASSWORD).render_as_string(hide_password=False)


@pytest.fixture
def served(serve_db_url: str, tmp_path: Path,
           fake_slack: FakeSlack) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    env = clean_env(SLACK_BOT_TOKEN=fake_slack.bot_token,
                    SLACK_SIGNING_SECRET=INFRA_SIGNING_SECRET, SLACK_API_URL=fake_slack.url,
                    REVIEW_CHANNEL=INFRA_REVIEW_CHANNEL, PORT=str(port),
                    DATABASE_URL=serve_db_url, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(launchbot("serve", "--host", "127.0.0.1"),
                               env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "launchbot serve did not become ready"
            time.sleep(0.05)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_serve_starts_migrates_answers_and_stops_on_sigterm(
        served: tuple[subprocess.Popen[str], str], serve_db_url: str,
        fake_slack: FakeSlack) -> None:
    process, url = served
    engine = make_engine(serve_db_url)
    try:
        assert is_up_to_date(engine)
        assert "outbox" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert httpx.get(f"{url}/healthz").text == "ok"
    with SignedSender(url, INFRA_SIGNING_SECRET, fake=fake_slack) as signed:
        assert "c-1" in signed.url_verification("c-1").text
        assert signed.url_verification("c-2", signing=Signing.FORGED).status_code == 401

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "serving HTTP on 127.0.0.1:" in output
    assert "launchbot stopped" in output
    assert "Traceback" not in output
    assert fake_slack.bot_token not in output and INFRA_SIGNING_SECRET not in output
    assert PASSWORD not in output


def _serve_env(monkeypatch: pytest.MonkeyPatch, fake: FakeSlack, database_url: str) -> None:
    for key in SETTINGS:
        monkeypatch.delenv(key, raising=False)
    for key, value in {"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_API_URL": fake.url,
                       "SLACK_SIGNING_SECRET": INFRA_SIGNING_SECRET,
                       "REVIEW_CHANNEL": INFRA_REVIEW_CHANNEL,
                       "DATABASE_URL": database_url}.items():
        monkeypatch.setenv(key, value)


def test_no_migrate_refuses_a_database_behind_the_code(tmp_path: Path, fake_slack: FakeSlack,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    _serve_env(monkeypatch, fake_slack, f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["serve", "--no-migrate", "--host", "127.0.0.1", "--port", "3999"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "launchbot db upgrade" in err


def test_a_port_in_use_is_one_line(tmp_path: Path, fake_slack: FakeSlack,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _serve_env(monkeypatch, fake_slack, f"sqlite:///{tmp_path / 'launchbot.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in err
    assert not [t for t in threading.enumerate() if t.name == "outbox-relay"]


def test_socket_mode_with_slack_unreachable_is_one_line(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    for key, value in {"SLACK_APP_TOKEN": "xapp-1-test", "SLACK_BOT_TOKEN": "xoxb-test",
                       "REVIEW_CHANNEL": "C0REVIEW", "SLACK_API_URL": "http://127.0.0.1:9/api/",
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'launchbot.db'}"}.items():
        monkeypatch.setenv(key, value)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "launchbot: Socket Mode: cannot connect to Slack:" in err
    assert "Traceback" not in err
    assert not [t for t in threading.enumerate() if t.name == "outbox-relay"]


@pytest.mark.parametrize(("args", "words"), [
    (["--port", "99999"], "99999 is not a TCP port"), (["--port", "0"], "0 is not a TCP port"),
    (["--port", "http"], "not a port number"), (["--host", "999.1.1.1"], "not an IP address"),
    (["--host", "a b"], "not an IP address")])
def test_bad_port_and_host_are_refused(args: list[str], words: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", *args])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err
