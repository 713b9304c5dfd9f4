"""Running it as a service: the systemd unit (checked by systemd-analyze where it exists), the
environment file example, and `launchbot db backup` taking a consistent copy while the store
is written."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops.backup import BackupError, backup_sqlite
from bot.store import outbox
from bot.store.db import Store
from bot.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
LAUNCHBOT = Path(sys.executable).with_name("launchbot")
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def unit_options() -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    for line in (DEPLOY / "launchbot.service").read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            options.setdefault(key, []).append(value)
    return options


def test_the_unit_is_hardened_and_runs_serve_as_its_own_user() -> None:
    options = unit_options()
    assert options["User"] == ["launchbot"] and options["StateDirectory"] == ["launchbot"]
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                       ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                       ("CapabilityBoundingSet", "")):
        assert options[key] == [value], key
    assert options["ExecStart"][0].endswith("launchbot serve")
    # Secrets as systemd credentials, read through NAME_FILE; the SQLite default in the state
    # directory, which is also the working directory.
    assert "SLACK_BOT_TOKEN_FILE=%d/slack-bot-token" in options["Environment"]
    assert "DATABASE_URL=sqlite:////var/lib/launchbot/launchbot.db" in options["Environment"]
    assert options["WorkingDirectory"] == ["/var/lib/launchbot"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # verify wants ExecStart to exist: point it at this checkout's launchbot.
    unit = tmp_path / "launchbot.service"
    unit.write_text((DEPLOY / "launchbot.service").read_text().replace(
        "/opt/launchbot/.venv/bin/launchbot", str(LAUNCHBOT)))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "launchbot.service" not in result.stderr, result.stderr  # no unknown keys


def test_the_environment_example_names_real_settings_and_no_secret() -> None:
    names = set()
    for line in (DEPLOY / "launchbot.env.example").read_text().splitlines():
        match = re.fullmatch(r"#?([A-Z_]+)=.*", line)
        if match:
            names.add(match.group(1))
    assert names, "no settings in the example"
    assert names <= {name.upper() for name in Settings.model_fields}, names
    assert not names & {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"}
    assert {"REVIEW_CHANNEL", "LOG_FORMAT", "SLACK_API_URL"} <= names


# --- db backup ----------------------------------------------------------------------------


@pytest.fixture
def sqlite_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'launchbot.db'}"
    upgrade(url)
    return url


def _write(store: Store, n: int, prefix: str) -> None:
    for i in range(n):
        with store.unit_of_work() as session:
            outbox.enqueue(session, topic="test", dedupe_key=f"{prefix}-{i}", now=NOW,
                           channel="C0TEST")


def test_backup_is_a_consistent_copy_taken_while_the_bot_writes(
        sqlite_store: str, tmp_path: Path) -> None:
    store = Store.from_url(sqlite_store)
    try:
        _write(store, 200, "before")
        stop = threading.Event()

        def writer() -> None:
            i = 0
            while not stop.is_set():
                _write(store, 1, f"during-{i}")
                i += 1
        thread = threading.Thread(target=writer)
        thread.start()
        try:
            made = backup_sqlite(sqlite_store, tmp_path / "copy.db")
        finally:
            stop.set()
            thread.join()
    finally:
        store.dispose()
    assert made.size > 0 and not list(tmp_path.glob(".copy.db.partial"))
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
        keys = [k for (k,) in copy.execute("SELECT dedupe_key FROM outbox")]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        copy.close()
    assert sum(k.startswith("before-") for k in keys) == 200
    # Whole transactions only: the writes made during the copy are a prefix, without gaps.
    during = sorted(int(k.split("-")[1]) for k in keys if k.startswith("during-"))
    assert during == list(range(len(during)))
    # The copy is a store the bot opens (restore: put it back as launchbot.db).
    restored = Store.from_url(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        assert restored.ping()
    finally:
        restored.dispose()


def test_backup_refuses_what_it_cannot_do_in_one_line(sqlite_store: str,
                                                      tmp_path: Path) -> None:
    (tmp_path / "taken.db").write_bytes(b"keep me")
    with pytest.raises(BackupError, match="exists"):
        backup_sqlite(sqlite_store, tmp_path / "taken.db")
    assert (tmp_path / "taken.db").read_bytes() == b"keep me"
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite("postgresql://launchbot@db/launchbot", tmp_path / "x.db")
    with pytest.raises(BackupError, match="no SQLite store"):
        backup_sqlite(f"sqlite:///{tmp_path / 'absent.db'}", tmp_path / "y.db")
    with pytest.raises(BackupError, match="not a directory"):
        backup_sqlite(sqlite_store, tmp_path / "nowhere" / "z.db")


def test_db_backup_command(sqlite_store: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_store}
    done = subprocess.run([str(LAUNCHBOT), "db", "backup", str(tmp_path / "nightly.db")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "nightly.db" in done.stdout and done.stderr == ""
    again = subprocess.run([str(LAUNCHBOT), "db", "backup", str(tmp_path / "nightly.db")],
                           capture_output=True, text=True, env=env, timeout=60)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "exists" in again.stderr
