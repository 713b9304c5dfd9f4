"""`launchbot jobs list` and `launchbot jobs run NAME [--at TIME]`, as a subprocess against a
real database: running a job twice posts once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select

from bot.calendar import DeployCalendar
from bot.cli import main
from bot.devtools.fake_slack import FakeSlack
from bot.store.db import Store
from bot.store.models import OutboxMessage

from .conftest import MANIFEST, approved, rows

MONDAY = date(2026, 11, 30)
AT = "2026-11-30T09:00-05:00"


def _env(db_url: URL, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SLACK_") and k not in ("DATABASE_URL", "TIMEZONE")
           and not k.endswith("_CHANNEL")}
    env.update(DATABASE_URL=db_url.render_as_string(hide_password=False),
               MANIFEST_CHANNEL=MANIFEST, **extra)
    return env


def _launchbot(tmp_path: Path, env: dict[str, str], *args: str
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def _outbox_count(db: Store) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_jobs_run_manifest_twice_posts_once(db: Store, db_url: URL, cal: DeployCalendar,
                                            tmp_path: Path) -> None:
    a = approved(db, cal, 1, deploy=MONDAY)
    b = approved(db, cal, 2, deploy=MONDAY)
    before = _outbox_count(db)
    env = _env(db_url)
    first = _launchbot(tmp_path, env, "jobs", "run", "manifest", "--at", AT)
    assert first.returncode == 0, first.stderr
    assert "manifest 2026-11-30 (due Mon 2026-11-30 09:00 EST): 1 post queued" in first.stdout
    assert "launchbot serve` delivers them" in first.stdout
    [manifest] = rows(db, "deploy_manifest")
    assert (manifest.channel, manifest.payload["ids"]) == (MANIFEST, [a.id, b.id])
    assert _outbox_count(db) == before + 1

    again = _launchbot(tmp_path, env, "jobs", "run", "manifest", "--at", AT)
    assert again.returncode == 0, again.stderr
    assert "already done by cli:" in again.stdout and "nothing posted" in again.stdout
    assert _outbox_count(db) == before + 1

    early = _launchbot(tmp_path, env, "jobs", "run", "manifest", "--at", "2026-11-29T09:00")
    assert "manifest: nothing due as of Sun 2026-11-29 09:00 EST" in early.stdout
    assert "(next: Mon 2026-11-30 09:00 EST for 2026-11-30)" in early.stdout


def test_jobs_run_delivers_when_slack_is_configured(db: Store, db_url: URL,
                                                   tmp_path: Path) -> None:
    with FakeSlack() as slack:
        env = _env(db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.url)
        done = _launchbot(tmp_path, env, "jobs", "run", "manifest", "--at",
                          "2026-12-03T09:00-05:00")
        assert done.returncode == 0, done.stderr
        assert "Delivered 1 outbox message to Slack." in done.stdout
        [posted] = slack.messages_in(MANIFEST)
        assert "nothing to deploy today" in posted["text"]
        assert not slack.errors()


def test_jobs_list_and_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "list", "--at", "2026-11-23T08:00-05:00", "--json"]) == 0
    listed = {j["name"]: j for j in json.loads(capsys.readouterr().out)}
    assert set(listed) == {"manifest", "preview", "not_deployed", "slip", "reminders",
                           "tickets", "digest", "prune"}
    assert listed["manifest"]["next_run"] == "2026-11-26T09:00:00-05:00"  # the shift notice
    assert listed["preview"]["period"] == "2026-11-30"
    assert listed["digest"]["next_run"] == "2026-11-23T09:00:00-05:00"
    assert main(["jobs", "list", "--at", "2026-11-23T08:00-05:00"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["JOB", "NEXT", "RUN", "FOR", "WHAT"]
    assert "Thu 2026-11-26 09:00 EST" in table
    assert main(["jobs", "run", "nope"]) == 2
    assert "no job 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad:
        main(["jobs", "run", "manifest", "--at", "monday"])
    assert bad.value.code == 2
