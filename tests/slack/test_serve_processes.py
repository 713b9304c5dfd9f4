"""`launchbot serve` with SERVE_PROCESSES=2: worker processes on one port, as operators run it
(a subprocess configured by the environment), with the fake Slack and signed requests."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import URL, select

from bot.cli import main
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.store.db import Store
from bot.store.models import Ticket
from tests.partner_teams import make_teams
from tests.slack.conftest import INFRA_REVIEW_CHANNEL, INFRA_SIGNING_SECRET
from tests.slack.test_serve_cli import ROOT, SETTINGS, clean_env, free_port, launchbot

AGENCY = "T0AGENCY"
PARTNERS = [f"U0PARTNER{i}" for i in range(8)]
TICKET = {
    "category": "redirect problem", "environment": "production",
    "issuer": "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits",
    "summary": "Redirect fails after sign-in",
    "description": "Users land on an error page instead of /auth/result.",
    "started": "2026-11-24 09:30 ET", "ongoing": ["true"], "browser": "Firefox 132",
    "steps_to_reproduce": "1. Open https://benefits.example.gov\n2. Sign in",
    "technical_contact": "Sam Roe - Eng - sam.roe@example.gov - 555",
    "production_account_email": "pat.doe@example.gov",
}
WORKER = re.compile(r"worker (\d) of 2 \(pid (\d+)\) serving HTTP")


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    metrics_parent: Path
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def workers(self) -> dict[int, int]:
        """Worker index -> pid, once both said they serve."""
        deadline = time.monotonic() + 30
        while True:
            found = {int(m[1]): int(m[2]) for m in WORKER.finditer(self.output)}
            if len(found) == 2:
                return found
            assert self.process.poll() is None, self.output
            assert time.monotonic() < deadline, self.output
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.process.wait(30)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0): it has ended; only its parent has not reaped it yet.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


@pytest.fixture
def served(db_url: URL, db: Store, tmp_path: Path,
           fake_slack: FakeSlack) -> Iterator[Served]:
    make_teams(db, agency_workspace=AGENCY)
    for user in PARTNERS:
        fake_slack.add_user(user, name=user.lower(), team_id=AGENCY)
    port = free_port()
    env = clean_env(SLACK_BOT_TOKEN=fake_slack.bot_token,
                    SLACK_SIGNING_SECRET=INFRA_SIGNING_SECRET, SLACK_API_URL=fake_slack.url,
                    REVIEW_CHANNEL=INFRA_REVIEW_CHANNEL, PORT=str(port), SERVE_PROCESSES="2",
                    DATABASE_URL=db_url.render_as_string(hide_password=False),
                    PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", TMPDIR=str(tmp_path))
    process = subprocess.Popen(launchbot("serve", "--host", "127.0.0.1"), env=env,
                               cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    serving = Served(process, f"http://127.0.0.1:{port}", tmp_path)
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: serving.lines.extend(iter(process.stdout.readline,
                                                                         "")), daemon=True)
    reader.start()
    try:
        yield serving
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for pid in {int(m[2]) for m in WORKER.finditer(serving.output)}:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
        reader.join(5)


def metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name))


def test_two_workers_share_the_port_file_each_ticket_once_and_stop_on_sigterm(
        served: Served, fake_slack: FakeSlack, db: Store) -> None:
    pids = served.workers()
    assert pids[1] != pids[2] and served.process.pid not in pids.values()
    (metrics_dir,) = served.metrics_parent.glob("launchbot-metrics-*")

    # Slack's requests reach both workers: each writes its ack histogram file.
    answered: set[int] = set()
    for _ in range(200):
        with SignedSender(served.url, INFRA_SIGNING_SECRET, fake=fake_slack) as signed:
            assert signed.url_verification("c-1").status_code == 200
        answered = {int(p.stem.split("_")[-1]) for p in metrics_dir.glob("histogram_*.db")}
        if answered == set(pids.values()):
            break
    assert answered == set(pids.values())

    # Eight partners submit at once: every ticket is filed, once (SQLite: two processes'
    # writers wait on the database lock rather than fail).
    def submit(user: str) -> dict[str, Any]:
        with SignedSender(served.url, INFRA_SIGNING_SECRET, fake=fake_slack) as signed:
            assert signed.slash_command("/support-ticket", user_id=user,
                                        team_id=AGENCY).status_code == 200
            deadline = time.monotonic() + 10
            while (view := fake_slack.last_view(user, type="modal")) is None:
                assert time.monotonic() < deadline, "no ticket form"
                time.sleep(0.02)
            return signed.view_submission(view, user_id=user, values=TICKET).json()

    with ThreadPoolExecutor(len(PARTNERS)) as pool:
        answers = list(pool.map(submit, PARTNERS))
    assert [a["response_action"] for a in answers] == ["update"] * len(PARTNERS), answers
    with db.reader() as session:
        filed = session.scalars(select(Ticket.requester_user_id)).all()
    assert sorted(filed) == sorted(PARTNERS)

    # /metrics counts every worker's answers, whichever worker takes the scrape.
    for _ in range(4):
        text = httpx.get(f"{served.url}/metrics").text
        assert metric(text, 'launchbot_ack_seconds_count{surface="view_submission"}') == 8
    assert httpx.get(f"{served.url}/healthz").text == "ok"
    assert httpx.get(f"{served.url}/readyz").text == "ready"

    assert served.stop() == 0, served.output
    assert all(gone(pid) for pid in pids.values())
    assert "worker 1 of 2" in served.output and "worker 2 of 2" in served.output
    assert served.output.count("stopped") == 3, served.output  # both workers, then the parent
    assert "Traceback" not in served.output
    assert not metrics_dir.exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the supervisor's alone
def test_a_worker_that_dies_stops_the_rest_with_an_error(served: Served) -> None:
    pids = served.workers()
    os.kill(pids[2], signal.SIGKILL)
    assert served.process.wait(30) == 1
    assert gone(pids[1])
    assert f"worker 2 (pid {pids[2]}) ended with exit code -9: stopping the others" \
        in served.output


@pytest.mark.parametrize(("env", "args", "words"), [
    ({"SERVE_PROCESSES": "0"}, [], "SERVE_PROCESSES: Input should be greater than or equal to 1"),
    ({"SERVE_PROCESSES": "two"}, [], "SERVE_PROCESSES: Input should be a valid integer"),
    ({"SERVE_PROCESSES": "65"}, [], "SERVE_PROCESSES: Input should be less than or equal to 64"),
    ({}, ["--processes", "0"], "not a number of processes from 1 to 64: '0'"),
    ({"SLACK_APP_TOKEN": "xapp-1", "SERVE_PROCESSES": "2"}, [],
     "SERVE_PROCESSES: Socket Mode is one connection to Slack"),
])
def test_a_bad_number_of_processes_is_one_line(env: dict[str, str], args: list[str], words: str,
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for key in (*SETTINGS, "SERVE_PROCESSES"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                       "REVIEW_CHANNEL": "C1",
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit) if args else contextlib.nullcontext():
        assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err
    assert not (tmp_path / "x.db").exists()  # refused before anything started

