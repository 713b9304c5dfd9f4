"""A scheduler instance killed in the middle of a post (PostgreSQL): its claim and outbox rows
were one transaction, so they die with it, and the next instance posts the manifest, once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, func, select, text

from bot.calendar import DeployCalendar
from bot.devtools.fake_slack import FakeSlack
from bot.store.db import Store, normalize_url
from bot.store.models import JobClaim
from tests.conftest import BACKENDS
from tests.scheduler.test_jobs_cli import AT, MONDAY, _env, _launchbot

from .conftest import MANIFEST, approved, rows

pytestmark = pytest.mark.parametrize("backend", [BACKENDS[1]], indirect=True)


def _waiting_on_outbox(admin: object, url: URL) -> bool:
    """Whether some transaction waits for a lock on the schema's outbox table."""
    with admin.connect() as conn:  # type: ignore[attr-defined]
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT l.granted AND c.relname = 'outbox' AND n.nspname = :schema"),
            {"schema": url.query["options"].split("=", 1)[1]}).scalar())


def test_a_post_killed_halfway_is_made_once_by_the_next_instance(
        db: Store, db_url: URL, cal: DeployCalendar, tmp_path: Path) -> None:
    first = approved(db, cal, 1, deploy=MONDAY)
    second = approved(db, cal, 2, deploy=MONDAY)
    admin = create_engine(normalize_url(db_url))
    with FakeSlack() as slack:
        env = _env(db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.url)
        # Hold the outbox so the instance's post stops halfway: claimed, rows not yet written.
        holder = admin.connect()
        holder.execute(text("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE"))
        killed = subprocess.Popen([sys.executable, "-m", "bot.cli", "jobs", "run", "manifest",
                                   "--at", AT], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not _waiting_on_outbox(admin, db_url):
                assert killed.poll() is None, killed.communicate()
                assert time.monotonic() < deadline, "the post never reached the outbox"
                time.sleep(0.05)
            killed.kill()
            killed.wait(30)
        finally:
            holder.rollback()
            holder.close()

        done = _launchbot(tmp_path, env, "jobs", "run", "manifest", "--at", AT)
        again = _launchbot(tmp_path, env, "jobs", "run", "manifest", "--at", AT)
        admin.dispose()

        assert done.returncode == 0, done.stderr
        assert "manifest 2026-11-30 (due Mon 2026-11-30 09:00 EST): 1 post queued" in done.stdout
        assert "Delivered" in done.stdout  # the manifest, and the approvals' cards and DMs
        assert "nothing posted" in again.stdout
        [posted] = slack.messages_in(MANIFEST)
        assert first.public_id in str(posted) and second.public_id in str(posted)
        assert len([c for c in slack.calls_to("chat.postMessage")
                    if c.params.get("channel") == MANIFEST]) == 1
    [manifest] = rows(db, "deploy_manifest")
    assert manifest.status == "sent"
    with db.reader() as session:
        claims = session.execute(select(JobClaim.claimed_by, JobClaim.status)
                                 .where(JobClaim.job == "manifest")).all()
        assert session.scalar(select(func.count()).select_from(JobClaim)) == 1
    [(by, status)] = claims
    assert by.startswith("cli:") and status in ("posted", "done")
