"""Reliability drill: `launchbot serve` on PostgreSQL through a deadline-day burst, a Slack
outage and a database restart; then count that nothing was lost, doubled or left undelivered.

What happens (all on 127.0.0.1; the real `launchbot serve` in its own process, the fake Slack
Web API and the simulated people in this one):

- `--partners` partners (in `--teams` agencies) each start within `--window` seconds: type
  `/launch-request`, pick the kind and protocol, fill the form with a valid launch request
  (uploading a logo and a certificate) and submit. Like people, they try again after a short
  pause whenever something fails (the form does not open, a field says "try again").
- `--reviewers` reviewers decide each card as it arrives in the review channel: most approve,
  some request changes or reject (with a comment modal); a tenth of the cards are clicked by
  two reviewers at once. A card that does not change after a decision is clicked again.
- The fake Slack answers 429 (Retry-After: 1) and 500, in turn, to every call for the first
  `--outage` seconds: views, file downloads, messages.
- `--restart-at` seconds in, PostgreSQL is restarted (`pg_ctlcluster VERSION CLUSTER restart`,
  as root); `/readyz` is polled throughout.

Afterwards it checks: every acknowledged submission stored exactly once (and nothing stored that
its partner was not told of); every decision applied once; every outbox row delivered exactly
once (no message posted twice); no HTTP 5xx; no request waited 3 seconds for its answer. It
prints the counts and the p50/p99 answer times, and exits 1 if a guarantee failed.

    .venv/bin/python bench/drill.py [--partners 200] [--reviewers 20] [--teams 20]
        [--window 60] [--outage 30] [--restart-at 40 | --no-restart]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--keep]
        [--slack-latency-ms 0]

`--slack-latency-ms` makes the fake Slack answer every Web API call and file download that
much later (Slack answers in 100-300 ms from a US data centre). Target: answer p99 under 1,000
ms with the defaults; with 150 ms of latency, still no answer at or over 3 s.

The data goes into a PostgreSQL schema of its own (`launchbot_drill_<pid>`), dropped first
and afterwards (unless --keep, which prints its name). `tests/drill` runs a reduced drill in CI.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import URL, create_engine, func, select, text

from bench.slack import VALID, machine, quiet_logs
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.devtools.view_inputs import find_element
from bot.slack.ids import Action
from bot.slack.notes import NOTE_BLOCK
from bot.store.db import Store, normalize_url
from bot.store.models import Attachment, AuditEvent, OutboxMessage, Request, public_id

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
# One schema per drill process: two drills at once (or the drill and tests/drill) must not drop
# each other's tables.
SCHEMA = f"launchbot_drill_{os.getpid()}"
SECRET = "drill-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-drill-token-0123456789"
REVIEW_CHANNEL, MANIFEST_CHANNEL = "C0REVIEW", "C0MANIFEST"
COMMAND = "/launch-request"
ACK_LIMIT = 3.0  # seconds Slack waits for an answer
DECISIONS = ("approve", "request_changes", "reject")
LR_ID = re.compile(r"LR-\d+")
ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:drill:p{n}"


@dataclass
class DrillConfig:
    partners: int = 200
    reviewers: int = 20
    teams: int = 20
    window: float = 60.0  # every partner starts within this many seconds
    outage: float = 30.0  # the fake Slack fails every call for this long, from the start
    restart_at: float | None = 40.0  # seconds into the burst; None: no restart
    deadline: float = 300.0  # seconds after the start to stop waiting for anything
    database_url: str = DEFAULT_DATABASE_URL
    seed: int = 2026
    keep: bool = False
    pause: tuple[float, float] = (0.5, 1.5)  # a person's pause before trying again
    slack_latency: float = 0.0  # seconds the fake Slack takes for every answer and download


# -- what was seen ----------------------------------------------------------------------------


@dataclass
class Seen:
    """Every answer the bot gave, thread-safe."""

    latencies: list[float] = field(default_factory=list)
    surfaces: dict[str, list[float]] = field(default_factory=dict)  # what was answered -> times
    statuses: Counter[int] = field(default_factory=Counter)
    no_answer: int = 0
    form_errors: Counter[str] = field(default_factory=Counter)  # what the form said, shortened
    acked: dict[str, str] = field(default_factory=dict)  # partner -> LR id
    clicks: int = 0
    refusals: Counter[str] = field(default_factory=Counter)  # ephemerals a reviewer got
    ready: list[tuple[float, int]] = field(default_factory=list)  # (t, /readyz status)
    probes: list[float] = field(default_factory=list)  # how long each /readyz took
    restart: tuple[float, float] | None = None  # (start, end) seconds into the burst
    started: float = field(default_factory=time.monotonic)  # the burst's t0, once it starts
    slow_at: list[float] = field(default_factory=list)  # when each answer of 1 s or more came
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, seconds: float, status: int, surface: str = "other") -> None:
        with self.lock:
            self.latencies.append(seconds)
            if seconds >= 1.0:
                self.slow_at.append(time.monotonic() - self.started)
            self.surfaces.setdefault(surface, []).append(seconds)
            self.statuses[status] += 1


class TimedSender(SignedSender):
    """Times every exchange with the bot into `seen` (an exception is counted as no answer),
    by surface: the command, each action, the form's submission and a note's."""

    def __init__(self, url: str, seen: Seen, fake: FakeSlack, team_id: str) -> None:
        super().__init__(url, SECRET, fake=fake, team_id=team_id, timeout=15.0)
        self.seen = seen
        self.surface = "other"  # one sender per thread: set by the call being made

    def slash_command(self, command: str, *args: Any, **kwargs: Any) -> httpx.Response:
        self.surface = f"command {command}"
        return super().slash_command(command, *args, **kwargs)

    def block_action(self, action_id: str, **kwargs: Any) -> httpx.Response:
        self.surface = f"action {action_id}"
        return super().block_action(action_id, **kwargs)

    def view_submission(self, view: Any, **kwargs: Any) -> httpx.Response:
        self.surface = f"submit {view.get('callback_id') or 'view'}"
        return super().view_submission(view, **kwargs)

    def post(self, body: str, content_type: str, **kwargs: Any) -> httpx.Response:
        start = time.perf_counter()
        try:
            response = super().post(body, content_type, **kwargs)
        except httpx.HTTPError:
            with self.seen.lock:
                self.seen.no_answer += 1
            raise
        self.seen.answer(time.perf_counter() - start, response.status_code, self.surface)
        return response


def eventually(probe: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# -- the people -------------------------------------------------------------------------------


class Partner:
    """Files one launch request, trying again (after a pause) until it is acknowledged."""

    def __init__(self, n: int, team: str, url: str, fake: FakeSlack, seen: Seen,
                 config: DrillConfig, rng: random.Random, give_up_at: float) -> None:
        self.n, self.user, self.team = n, f"U0P{n:04d}", team
        self.url, self.fake, self.seen, self.config = url, fake, seen, config
        self.rng = rng
        self.give_up_at = give_up_at
        self.values = {**VALID, "issuer": ISSUER.format(n=n), "logo": [f"F{team}LOGO"],
                       "certificates": [f"F{team}CERT"]}
        self.views_seen: set[str] = set()

    def pause(self) -> None:
        time.sleep(self.rng.uniform(*self.config.pause))

    def run(self, start_at: float) -> None:
        time.sleep(max(0.0, start_at - time.monotonic()))
        with TimedSender(self.url, self.seen, self.fake, self.team) as sender:
            while time.monotonic() < self.give_up_at:
                try:
                    view = self.open_form(sender)
                    if view is not None and self.submit(sender, view):
                        return
                except httpx.HTTPError:
                    pass  # counted as no answer; try again like a person would
                self.pause()

    def open_form(self, sender: TimedSender) -> dict[str, Any] | None:
        """`/launch-request`, then kind and protocol picked; the shaped form, or None."""
        sender.slash_command(COMMAND, user_id=self.user, team_id=self.team)

        def fresh() -> dict[str, Any] | None:
            view = self.fake.last_view(self.user, type="modal")
            return view if view and view["id"] not in self.views_seen else None

        view = eventually(fresh, 2.0)
        if view is None:
            return None
        self.views_seen.add(view["id"])
        for action, value in ((Action.pick_kind, "launch"),
                              (Action.pick_protocol, "oidc_private_key_jwt")):
            for _ in range(5):  # the click works, but the form may not follow (views.update)
                old = view["hash"]
                sender.block_action(action.value, user_id=self.user, view=view, value=value)
                changed = eventually(lambda v=view["id"], h=old: (
                    (current := self.fake.view(v)) and current["hash"] != h and current), 2.0)
                if changed:
                    view = changed
                    break
                self.pause()
            else:
                return None
        return view

    def submit(self, sender: TimedSender, view: dict[str, Any]) -> bool:
        """Submit until acknowledged (True), or until the form needs opening again."""
        for _ in range(40):
            if time.monotonic() > self.give_up_at:
                return False
            response = sender.view_submission(view, user_id=self.user, values=self.values)
            answer = _json(response)
            action = answer.get("response_action")
            if response.status_code == 200 and action == "update":
                found = LR_ID.search(str(answer.get("view")))
                if found:
                    with self.seen.lock:
                        self.seen.acked[self.user] = found.group(0)
                    return True
                view = self.fake.view(view["id"]) or view  # the warnings, shown once
                continue
            if action == "errors":
                for message in (answer.get("errors") or {}).values():
                    with self.seen.lock:
                        self.seen.form_errors[_gist(str(message))] += 1
            self.pause()
        return False


class Reviewers:
    """Hands each new card to its reviewer (a tenth to two at once) and clicks again on cards
    that did not change; each reviewer works through their queue in a thread."""

    def __init__(self, count: int, url: str, fake: FakeSlack, seen: Seen,
                 config: DrillConfig) -> None:
        self.ids = [f"U0R{i:03d}" for i in range(count)]
        self.url, self.fake, self.seen, self.config = url, fake, seen, config
        self.queues: list[list[dict[str, Any]]] = [[] for _ in self.ids]
        self.cond = threading.Condition()
        self.handed: dict[str, float] = {}  # card ts -> when last handed out
        self.stop = threading.Event()

    @staticmethod
    def undecided(card: dict[str, Any]) -> bool:
        try:
            find_element(card.get("blocks") or [], Action.approve.value)
        except ValueError:
            return False
        return True

    def dispatch(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            for card in self.fake.messages_in(REVIEW_CHANNEL):
                if not self.undecided(card):
                    continue
                last = self.handed.get(card["ts"])
                if last is not None and now - last < 8.0:
                    continue
                self.handed[card["ts"]] = now
                key = zlib.crc32(card["ts"].encode())
                owners = {key % len(self.ids)}
                if key % 10 == 0 and len(self.ids) > 1:  # two reviewers at once
                    owners.add((key // 10 + 1 + key) % len(self.ids))
                with self.cond:
                    for owner in owners:
                        self.queues[owner].append(card)
                    self.cond.notify_all()
            self.stop.wait(0.3)

    def work(self, index: int) -> None:
        user = self.ids[index]
        with TimedSender(self.url, self.seen, self.fake, "T0IDP") as sender:
            while not self.stop.is_set():
                with self.cond:
                    if not self.queues[index]:
                        self.cond.wait(0.5)
                        continue
                    card = self.queues[index].pop(0)
                decision = DECISIONS[0 if zlib.crc32(card["ts"].encode()) % 10 < 8
                                     else 1 + zlib.crc32(card["ts"].encode()) % 2]
                with suppress(httpx.HTTPError, ValueError):
                    self.decide(sender, user, card, decision)

    def decide(self, sender: TimedSender, user: str, card: dict[str, Any],
               decision: str) -> None:
        with self.seen.lock:
            self.seen.clicks += 1
        if decision == "approve":
            sender.block_action(decision, user_id=user, message=card)
            return
        before = self.fake.last_view(user, type="modal")
        sender.block_action(decision, user_id=user, message=card)
        modal = eventually(lambda: (
            (v := self.fake.last_view(user, type="modal")) and (before is None or v["id"] !=
                                                                before["id"]) and v), 2.0)
        if modal:
            sender.view_submission(modal, user_id=user, values={
                NOTE_BLOCK: "Please use the production logo and a new certificate."})

    def tally_refusals(self) -> None:
        for user in self.ids:
            for ephemeral in self.fake.ephemerals_to(user):
                self.seen.refusals[_gist(ephemeral["text"])] += 1


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200 or not response.content:
        return {}
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _gist(message: str) -> str:
    return re.sub(r"LR-\d+|<@\w+>|U0\w+", "…", message)[:70]


# -- the machinery ----------------------------------------------------------------------------


def drill_url(database_url: str) -> URL:
    base = normalize_url(database_url)
    if base.get_backend_name() != "postgresql":
        raise SystemExit("the drill needs PostgreSQL (--database-url postgresql://...)")
    return base.update_query_dict({"options": f"-csearch_path={SCHEMA}"})


@contextmanager
def drill_schema(database_url: str, keep: bool) -> Iterator[URL]:
    admin = create_engine(normalize_url(database_url), isolation_level="AUTOCOMMIT",
                          pool_pre_ping=True)  # the drill restarts the server
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    try:
        yield drill_url(database_url)
    finally:
        if not keep:
            wait_for_database(database_url, 60)
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        admin.dispose()


def wait_for_database(database_url: str, timeout: float) -> bool:
    engine = create_engine(normalize_url(database_url), pool_pre_ping=True,
                           connect_args={"connect_timeout": 2})
    try:
        def answers() -> bool:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return True
            except Exception:  # not up yet
                return False
        return bool(eventually(answers, timeout, 0.2))
    finally:
        engine.dispose()


def postgres_cluster(database_url: str) -> tuple[str, str] | None:
    """(version, cluster) of the local cluster serving the URL's port, if pg_ctlcluster can
    restart it here (Debian's postgresql-common, as root)."""
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None \
            or os.geteuid() != 0:
        return None
    port = normalize_url(database_url).port or 5432
    listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True,
                            check=False).stdout
    for line in listed.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == str(port) and parts[3] == "online":
            return parts[0], parts[1]
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launchbot_command() -> list[str]:
    script = Path(sys.executable).with_name("launchbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


@contextmanager
def serve(fake: FakeSlack, url: URL, reviewers: list[str], log_path: Path) -> Iterator[str]:
    """`launchbot serve` in a process of its own, configured by environment as an operator
    would; yields its base URL once /healthz answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env.update({
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "SLACK_BOT_TOKEN": fake.bot_token, "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url, "REVIEW_CHANNEL": REVIEW_CHANNEL,
        "MANIFEST_CHANNEL": MANIFEST_CHANNEL, "REVIEWER_IDS": ",".join(reviewers),
        "PORT": str(port),
    })
    with log_path.open("wb") as log:
        process = subprocess.Popen([*launchbot_command(), "serve", "--host", "127.0.0.1"],
                                   env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        def healthy() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"launchbot serve exited: {log_path.read_text()[-2000:]}")
            with suppress(httpx.HTTPError):
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            return False
        if not eventually(healthy, 60, 0.1):
            raise RuntimeError("launchbot serve did not answer /healthz within 60 s")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def make_fake(config: DrillConfig) -> tuple[FakeSlack, list[str]]:
    fake = FakeSlack(bot_token=BOT_TOKEN, latency=config.slack_latency).start()
    for channel, name in ((REVIEW_CHANNEL, "launch-review"), (MANIFEST_CHANNEL, "deploys")):
        fake.add_channel(channel, name=name)
    teams = [f"T0AG{t:03d}" for t in range(config.teams)]
    logo, cert = (EXAMPLES / "benefits-logo.svg").read_bytes(), \
        (EXAMPLES / "benefits-cert.pem").read_bytes()
    for team in teams:
        fake.add_file(f"F{team}LOGO", "benefits-logo.svg", logo, team_id=team)
        fake.add_file(f"F{team}CERT", "benefits-cert.pem", cert, team_id=team)
    for n in range(config.partners):
        fake.add_user(f"U0P{n:04d}", name=f"partner{n}", team_id=teams[n % len(teams)])
    reviewers = [f"U0R{i:03d}" for i in range(config.reviewers)]
    for user in reviewers:
        fake.add_user(user, name=user.lower(), team_id="T0IDP")
    return fake, teams


def restart_postgres(cluster: tuple[str, str], seen: Seen, t0: float, at: float) -> None:
    time.sleep(max(0.0, t0 + at - time.monotonic()))
    began = time.monotonic() - t0
    subprocess.run(["pg_ctlcluster", cluster[0], cluster[1], "restart", "--", "-m", "fast"],
                   check=True, capture_output=True, timeout=120)
    seen.restart = (began, time.monotonic() - t0)


def watch_readiness(base: str, seen: Seen, t0: float, stop: threading.Event) -> None:
    with httpx.Client(timeout=3.0) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                status = client.get(f"{base}/readyz").status_code
            except httpx.HTTPError:
                status = 0
            with seen.lock:
                seen.ready.append((time.monotonic() - t0, status))
                seen.probes.append(time.perf_counter() - start)
            stop.wait(0.05)


def percentile(seconds: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `seconds`, in ms."""
    ordered = sorted(seconds)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


# -- the count --------------------------------------------------------------------------------


@dataclass
class Count:
    """What the store and the fake Slack hold afterwards, against what people were told."""

    partners: int
    acked: int
    stored: int
    lost: list[str]  # acknowledged, not stored
    duplicated: list[str]  # a partner or an issuer with more than one request
    untold: list[str]  # stored, but its partner never saw the confirmation
    half_written: list[str]  # a request without its submit event or its attachments
    decided: int
    decision_events: int
    decided_twice: list[str]
    undecided: int
    outbox: Counter[str]
    posts: int
    duplicate_posts: list[str]
    cards_not_one: list[str]  # requests without exactly one card in the review channel


def count(store: Store, fake: FakeSlack, seen: Seen, partners: int) -> Count:
    with store.reader() as session:
        requests = session.execute(select(Request.id, Request.requester_user_id,
                                          Request.issuer, Request.state)).all()
        submits = Counter(session.scalars(select(AuditEvent.request_id)
                                          .where(AuditEvent.action == "submit")).all())
        files = Counter(session.scalars(select(Attachment.request_id)).all())
        decisions = Counter(session.scalars(select(AuditEvent.request_id).where(
            AuditEvent.action.in_(("approve", "request_changes", "reject")))).all())
        outbox = Counter(dict(session.execute(select(OutboxMessage.status, func.count())
                                              .group_by(OutboxMessage.status)).all()))
    ids = {r.id: public_id(r.id) for r in requests}
    by_partner = Counter(r.requester_user_id for r in requests)
    by_issuer = Counter(r.issuer for r in requests)
    stored_ids = {public for public in ids.values()}
    posts = [c for c in fake.calls_to("chat.postMessage") if c.ok]
    by_content = Counter((c.response or {}).get("channel", "") + "|" + str(c.params.get("text"))
                         for c in posts)
    cards = Counter(m for card in fake.messages_in(REVIEW_CHANNEL)
                    for m in set(LR_ID.findall(str(card))))
    return Count(
        partners=partners, acked=len(seen.acked), stored=len(requests),
        lost=sorted(set(seen.acked.values()) - stored_ids),
        duplicated=sorted([u for u, n in by_partner.items() if n > 1]
                          + [str(i) for i, n in by_issuer.items() if n > 1]),
        untold=sorted(ids[r.id] for r in requests
                      if seen.acked.get(r.requester_user_id) != ids[r.id]),
        half_written=sorted(ids[r.id] for r in requests
                            if submits[r.id] != 1 or files[r.id] != 2),
        decided=sum(1 for r in requests if r.state in ("approved", "changes_requested",
                                                      "rejected")),
        decision_events=sum(decisions.values()),
        decided_twice=sorted(ids[i] for i, n in decisions.items() if n > 1),
        undecided=sum(1 for r in requests if r.state in ("submitted", "in_review")),
        outbox=outbox, posts=len(posts),
        duplicate_posts=sorted(k for k, n in by_content.items() if n > 1),
        cards_not_one=sorted(public for public in stored_ids if cards[public] != 1))


def outbox_settled(store: Store) -> bool:
    try:
        with store.reader() as session:
            return not session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status == "pending"))
    except Exception:  # the database is still coming back
        return False


def all_decided(store: Store) -> bool:
    try:
        with store.reader() as session:
            return not session.scalar(select(func.count()).select_from(Request).where(
                Request.state.in_(("submitted", "in_review"))))
    except Exception:
        return False


# -- the drill --------------------------------------------------------------------------------


@dataclass
class DrillResult:
    config: DrillConfig
    count: Count
    seen: Seen
    elapsed: float
    burst_seconds: float
    injected_failures: int
    restarted: bool
    log_errors: int
    secrets_in_log: list[str]

    @property
    def http_5xx(self) -> int:
        return sum(n for status, n in self.seen.statuses.items() if status >= 500)

    @property
    def slow(self) -> int:
        return sum(1 for s in self.seen.latencies if s >= ACK_LIMIT)

    def percentile(self, p: float) -> float:
        return percentile(self.seen.latencies, p)

    def by_surface(self) -> list[str]:
        """A line per surface (slowest p99 first): count, p50 / p99 / max in ms."""
        rows = sorted(self.seen.surfaces.items(), key=lambda kv: -percentile(kv[1], 99))
        width = max((len(name) for name, _ in rows), default=0)
        return [f"  {name:<{width}} {len(times):>6}  {percentile(times, 50):>6.0f} / "
                f"{percentile(times, 99):>6.0f} / {max(times) * 1000:>6.0f} ms"
                for name, times in rows] + ([
            f"  {'(/readyz probes, not above)':<{width}} {len(self.seen.probes):>6}  "
            f"{percentile(self.seen.probes, 50):>6.0f} / {percentile(self.seen.probes, 99):>6.0f}"
            f" / {max(self.seen.probes) * 1000:>6.0f} ms"] if self.seen.probes else [])

    @property
    def not_ready_seconds(self) -> float:
        """How long /readyz said not ready (samples 0.05 s apart)."""
        down = [t for t, status in self.seen.ready if status != 200]
        return (max(down) - min(down)) if down else 0.0

    @property
    def recovered(self) -> bool:
        """/readyz answered 200 after its last failure."""
        ready = self.seen.ready
        last_down = max((i for i, (_, s) in enumerate(ready) if s != 200), default=-1)
        return any(s == 200 for _, s in ready[last_down + 1:])

    def problems(self) -> list[str]:
        c = self.count
        found = []
        for name, items in (("lost", c.lost), ("duplicated", c.duplicated),
                            ("stored but not acknowledged", c.untold),
                            ("half-written", c.half_written),
                            ("decided twice", c.decided_twice),
                            ("posted twice", c.duplicate_posts),
                            ("without exactly one card", c.cards_not_one)):
            if items:
                found.append(f"{len(items)} {name}: {', '.join(items[:5])}")
        if c.acked != c.partners:
            found.append(f"{c.partners - c.acked} partners never got an acknowledgement")
        if c.undecided:
            found.append(f"{c.undecided} requests left undecided")
        if c.decision_events != c.decided:
            found.append(f"{c.decision_events} decision events for {c.decided} decisions")
        if c.outbox.get("pending") or c.outbox.get("failed"):
            found.append(f"outbox not delivered: {dict(c.outbox)}")
        if self.http_5xx:
            found.append(f"{self.http_5xx} answers were HTTP 5xx")
        if self.slow:
            found.append(f"{self.slow} requests waited {ACK_LIMIT:.0f} s or more")
        if self.seen.no_answer:
            found.append(f"{self.seen.no_answer} requests got no answer")
        if self.restarted and not self.recovered:
            found.append("/readyz did not come back after the restart")
        if self.secrets_in_log:
            found.append(f"secrets in the server log: {', '.join(self.secrets_in_log)}")
        return found

    def report(self) -> str:
        c, s, cfg = self.count, self.seen, self.config
        restart = (f"PostgreSQL restarted {s.restart[0]:.1f}–{s.restart[1]:.1f} s into the "
                   f"burst; /readyz not ready for {self.not_ready_seconds:.1f} s "
                   f"({sum(1 for _, x in s.ready if x != 200)} of {len(s.ready)} probes), "
                   f"{'recovered by itself' if self.recovered else 'DID NOT RECOVER'}"
                   if self.restarted and s.restart else "PostgreSQL not restarted")
        lines = [
            f"launchbot drill: {cfg.partners} partners in {cfg.teams} teams within "
            f"{cfg.window:.0f} s, {cfg.reviewers} reviewers; Slack failing (429/500) for the "
            f"first {cfg.outage:.0f} s ({self.injected_failures} calls refused)",
            f"machine: {machine()}; fake Slack latency {cfg.slack_latency * 1000:g} ms",
            f"took {self.elapsed:.1f} s (burst {self.burst_seconds:.1f} s, then delivery)",
            restart,
            "",
            f"submissions acknowledged    {c.acked:>6} of {c.partners}",
            f"requests stored             {c.stored:>6}",
            f"lost                        {len(c.lost):>6}",
            f"duplicated                  {len(c.duplicated):>6}",
            f"stored, not acknowledged    {len(c.untold):>6}",
            f"half-written                {len(c.half_written):>6}",
            f"decisions applied           {c.decision_events:>6} "
            f"({c.decided} requests decided, {s.clicks} clicks)",
            f"decided twice               {len(c.decided_twice):>6}",
            f"outbox rows                 {sum(c.outbox.values()):>6} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(c.outbox.items()))})",
            f"messages posted             {c.posts:>6}",
            f"posted twice                {len(c.duplicate_posts):>6}",
            f"HTTP requests to the bot    {len(s.latencies):>6} "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(s.statuses.items()))})",
            f"HTTP 5xx                    {self.http_5xx:>6}",
            f"no answer                   {s.no_answer:>6}",
            f"answer time p50 / p99 / max {self.percentile(50):>6.0f} / "
            f"{self.percentile(99):.0f} / {max(s.latencies, default=0) * 1000:.0f} ms "
            f"(limit {ACK_LIMIT * 1000:.0f} ms; {self.slow} at or over)",
            f"server log ERROR lines      {self.log_errors:>6} (tracebacks stay in the log)",
        ]
        lines.append("answer time by surface       count     p50 /    p99 /    max")
        lines += self.by_surface()
        if s.slow_at:
            tens = Counter(int(t // 10) * 10 for t in s.slow_at)
            lines.append("answers of 1 s or more, by when they came (s into the burst): "
                         + ", ".join(f"{t}–{t + 10}: {n}" for t, n in sorted(tens.items())))
        if s.form_errors:
            lines.append("what the form told partners (then they tried again):")
            lines += [f"  {n:>5} x {text}" for text, n in s.form_errors.most_common(6)]
        if s.refusals:
            lines.append("what reviewers were told:")
            lines += [f"  {n:>5} x {text}" for text, n in s.refusals.most_common(4)]
        problems = self.problems()
        lines.append("")
        lines.append("RESULT: " + ("zero lost, zero duplicated, zero 5xx: every guarantee held"
                                   if not problems else "FAILED: " + "; ".join(problems)))
        return "\n".join(lines)


def run_drill(config: DrillConfig, *, log_dir: Path | None = None) -> DrillResult:
    """The whole drill; raises only if it cannot be set up (no PostgreSQL, no serve)."""
    cluster = postgres_cluster(config.database_url) if config.restart_at is not None else None
    if config.restart_at is not None and cluster is None:
        raise RuntimeError("cannot restart PostgreSQL here (needs pg_ctlcluster as root and a "
                           "local cluster on the URL's port); use --no-restart")
    rng = random.Random(config.seed)
    fake, teams = make_fake(config)
    seen = Seen()
    started = time.monotonic()
    tmp = tempfile.TemporaryDirectory(prefix="launchbot-drill-")
    log_path = Path(log_dir or tmp.name) / "serve.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with drill_schema(config.database_url, config.keep) as url, \
                serve(fake, url, [f"U0R{i:03d}" for i in range(config.reviewers)],
                      log_path) as base:
            store = Store.from_url(url)
            reviewers = Reviewers(config.reviewers, base, fake, seen, config)
            stop_watch = threading.Event()
            t0 = seen.started = time.monotonic()
            fake.fail_for(config.outage, status=(429, 500), retry_after=1)
            give_up_at = t0 + config.deadline
            partners = [Partner(n, teams[n % len(teams)], base, fake, seen, config,
                                random.Random(rng.random()), give_up_at)
                        for n in range(config.partners)]
            threads = [threading.Thread(target=p.run, args=(t0 + rng.uniform(0, config.window),),
                                        name=f"partner-{p.n}") for p in partners]
            helpers = [threading.Thread(target=reviewers.dispatch, name="cards"),
                       threading.Thread(target=watch_readiness,
                                        args=(base, seen, t0, stop_watch), name="readyz"),
                       *(threading.Thread(target=reviewers.work, args=(i,), name=f"rev-{i}")
                         for i in range(config.reviewers))]
            if cluster is not None and config.restart_at is not None:
                helpers.append(threading.Thread(target=restart_postgres, name="restart",
                                                args=(cluster, seen, t0, config.restart_at)))
            for thread in (*threads, *helpers):
                thread.daemon = True
                thread.start()
            for thread in threads:
                thread.join(max(0.0, give_up_at - time.monotonic()))
            burst = time.monotonic() - t0
            eventually(lambda: all_decided(store), max(0.0, give_up_at - time.monotonic()), 0.5)
            reviewers.stop.set()
            eventually(lambda: outbox_settled(store), max(0.0, give_up_at - time.monotonic()),
                       0.5)
            stop_watch.set()
            for thread in helpers:
                thread.join(30)
            reviewers.tally_refusals()
            wait_for_database(config.database_url, 60)
            result_count = count(store, fake, seen, config.partners)
            store.dispose()
            injected = sum(1 for c in fake.calls if c.status in (429, 500))
        log = log_path.read_text(errors="replace")
        return DrillResult(
            config=config, count=result_count, seen=seen, elapsed=time.monotonic() - started,
            burst_seconds=burst, injected_failures=injected, restarted=cluster is not None,
            log_errors=sum(1 for line in log.splitlines() if " ERROR " in line),
            secrets_in_log=[name for name, secret in (("bot token", BOT_TOKEN),
                                                      ("signing secret", SECRET))
                            if secret in log])
    finally:
        fake.stop()
        tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = DrillConfig()
    parser.add_argument("--partners", type=int, default=defaults.partners)
    parser.add_argument("--reviewers", type=int, default=defaults.reviewers)
    parser.add_argument("--teams", type=int, default=defaults.teams)
    parser.add_argument("--window", type=float, default=defaults.window,
                        help="seconds within which every partner starts (default 60)")
    parser.add_argument("--outage", type=float, default=defaults.outage,
                        help="seconds of 429/500 from the fake Slack at the start (default 30)")
    parser.add_argument("--restart-at", type=float, default=defaults.restart_at,
                        help="restart PostgreSQL this many seconds in (default 40)")
    parser.add_argument("--no-restart", action="store_true", help="do not restart PostgreSQL")
    parser.add_argument("--deadline", type=float, default=defaults.deadline,
                        help="stop waiting this many seconds after the start (default 300)")
    parser.add_argument("--database-url", default=defaults.database_url)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--keep", action="store_true", help="keep the drill's schema")
    parser.add_argument("--log-dir", type=Path, help="keep the server log here")
    parser.add_argument("--slack-latency-ms", type=float, default=0.0,
                        help="delay every fake Slack Web API answer and file download by this "
                             "much, as Slack's own (default 0)")
    args = parser.parse_args(argv)
    if min(args.partners, args.reviewers, args.teams) < 1:
        parser.error("--partners, --reviewers and --teams must be at least 1")
    quiet_logs()
    config = DrillConfig(partners=args.partners, reviewers=args.reviewers, teams=args.teams,
                         window=args.window, outage=args.outage,
                         restart_at=None if args.no_restart else args.restart_at,
                         deadline=args.deadline, database_url=args.database_url,
                         seed=args.seed, keep=args.keep,
                         slack_latency=args.slack_latency_ms / 1000)
    try:
        result = run_drill(config, log_dir=args.log_dir)
    except RuntimeError as exc:
        print(f"drill: {exc}", file=sys.stderr)
        return 2
    print(result.report())
    if config.keep:
        print(f"the drill's data is kept in the schema {SCHEMA}")
    return 0 if not result.problems() else 1


if __name__ == "__main__":
    sys.exit(main())
