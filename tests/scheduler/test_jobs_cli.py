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
WALL = "2026-12-04T12:00-05:00"  # the commands' wall clock: every --at below is before it


def _env(db_url: URL, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SLACK_") and k not in ("DATABASE_URL", "TIMEZONE")
           and not k.endswith("_CHANNEL")}
    env.update(DATABASE_URL=db_url.render_as_string(hide_password=False),
               MANIFEST_CHANNEL=MANIFEST, LAUNCHBOT_TEST_NOW=WALL, **extra)
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


def _footprint(db: Store) -> tuple[int, int, int, list[tuple[int, str, str]]]:
    """What a run can change: outbox, claims, audit rows, and each request's state/target."""
    from bot.store.models import AuditEvent, JobClaim, Request

    with db.reader() as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model)) or 0  # noqa: E731
        states = [(r.id, r.state, str(r.target_deploy_date))
                  for r in s.scalars(select(Request).order_by(Request.id))]
        return count(OutboxMessage), count(JobClaim), count(AuditEvent), states


def _cli_env(monkeypatch: pytest.MonkeyPatch, db_url: URL, **extra: str) -> None:
    for name in ("SLACK_BOT_TOKEN", "MANIFEST_CHANNEL", "DIGEST_CHANNEL", "REVIEW_CHANNEL",
                 "SUPPORT_CHANNEL", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"DATABASE_URL": db_url.render_as_string(hide_password=False),
                        "LAUNCHBOT_TEST_NOW": "2026-11-27T12:00-05:00", **extra}.items():
        monkeypatch.setenv(name, value)


def test_a_future_at_is_refused_and_changes_nothing(
        db: Store, db_url: URL, cal: DeployCalendar, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    approved(db, cal, 1, deploy=date(2026, 11, 19))  # the slip of Friday 11-20 would move it
    before = _footprint(db)
    _cli_env(monkeypatch, db_url, MANIFEST_CHANNEL=MANIFEST)
    assert main(["jobs", "run", "slip", "--at", "2026-12-01T09:00-05:00"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is in the future" in err and "--preview" in err
    assert _footprint(db) == before


def test_preview_prints_the_posts_and_changes_nothing(
        db: Store, db_url: URL, cal: DeployCalendar, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    a = approved(db, cal, 1, deploy=MONDAY)
    before = _footprint(db)
    _cli_env(monkeypatch, db_url, MANIFEST_CHANNEL=MANIFEST)
    assert main(["jobs", "run", "manifest", "--at", AT, "--preview"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PREVIEW as of Mon 2026-11-30 09:00 EST: nothing is posted, changed "
                          "or claimed.")
    assert "manifest 2026-11-30 (due Mon 2026-11-30 09:00 EST): would post 1 message" in out
    assert f"in {MANIFEST}:" in out and a.public_id in out
    assert _footprint(db) == before
    # the slip's preview: the request stays where it is
    assert main(["jobs", "run", "slip", "--at", "2026-12-01T09:00-05:00", "--preview"]) == 0
    assert "would post" in capsys.readouterr().out
    assert _footprint(db) == before


def test_a_job_whose_channel_is_not_set_claims_nothing(
        db: Store, db_url: URL, cal: DeployCalendar, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    approved(db, cal, 1, deploy=date(2026, 11, 19))
    before = _footprint(db)
    _cli_env(monkeypatch, db_url)  # no MANIFEST_CHANNEL here, while the server has one
    assert main(["jobs", "run", "manifest", "--at", "2026-11-19T09:00-05:00"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "manifest posts to MANIFEST_CHANNEL, which is not set here" in err
    assert "nothing claimed" in err
    assert main(["jobs", "run", "tickets", "--at", "2026-11-19T10:00-05:00"]) == 2
    assert "SUPPORT_CHANNEL or REVIEW_CHANNEL" in capsys.readouterr().err
    assert _footprint(db) == before
