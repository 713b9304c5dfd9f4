"""Slack adapter benchmark: throughput and p50/p99 latency over real HTTP on 127.0.0.1, with N
concurrent clients (threads, each with its own httpx client and signed requests), against the
fake Slack Web API (bot.devtools.fake_slack), of:

- `/launch-request` on launchbot: the bot's ack, then its views.open to the fake Slack (timed:
  from sending the signed command to the HTTP answer; views.open is counted afterwards);
- the same command on a minimal Bolt app that only acks and opens a one-block modal, served
  the same way (waitress via BackgroundServer + create_wsgi_app): the baseline;
- a full view submission of a valid launch request on launchbot: rules-core validation, logo
  and certificate fetched from the fake Slack (files.info + download), the store write. Each
  form is opened and shaped (kind, protocol) beforehand; only the submissions are timed.

Targets: slash command throughput at least 0.8x the minimal app's; view submissions at least
150 per second and 0.5x the minimal app's command rate with no injected latency, and p99 under
800 ms with `--slack-latency-ms 150` (the fake then answers every Web API call and download
that much later, as Slack does from a US data centre). The server's CPU time per submission
(process CPU / submissions, summed over launchbot's processes with `--server-processes`) is
printed. The outbox relay does not run: outbox delivery is not
part of the measured path. It is a measurement, not a test: it exits 0 whether the targets are
met or not.

    .venv/bin/python bench/slack.py [--commands 2000] [--warmup 100] [--rounds 4]
        [--submissions 400] [--clients 16] [--server-threads 16] [--database-url URL] [--keep]
        [--slack-latency-ms 0]

The store is a migrated SQLite file in a temporary directory, or PostgreSQL with
`--database-url` (e.g. postgresql://postgres@127.0.0.1:5432/test): the data then goes into a
schema of its own (`launchbot_bench_slack_<pid>`, so two runs at once on one server keep apart;
dropped afterwards unless --keep).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import logging
import math
import multiprocessing
import os
import platform
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from pydantic import SecretStr
from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import URL, create_engine, func, select, text

from bot.config import Settings
from bot.devtools.fake_slack import FILES_METHOD, FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.ops.metrics import MULTIPROCESS_DIR
from bot.slack.server import (
    THREADS,
    BackgroundServer,
    assemble,
    create_wsgi_app,
    listening_socket,
)
from bot.store.db import Store, normalize_url
from bot.store.migrate import upgrade
from bot.store.models import Request

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SECRET = "bench-signing-secret-0123456789abcdef"
AGENCY, IDP = "T0AGENCY", "T0IDP"
REVIEWER = "U0REVIEW"
REVIEW_CHANNEL = "C0REVIEW"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, as in the e2e tests
COMMAND = "/launch-request"
SCHEMA = f"launchbot_bench_slack_{os.getpid()}"  # two runs at once keep out of each other's way
RATIO_TARGET = 0.8
P99_TARGET_MS = 800.0  # with --slack-latency-ms 150: about two Slack round trips and our work
SUBMIT_RATE_TARGET = 150.0  # per second, with no injected latency
SUBMIT_RATIO_TARGET = 0.5  # submissions/s over the minimal app's commands/s
DRAIN_TIMEOUT = 60.0  # seconds to wait for views.open calls the bots make after their acks

# A valid launch request (no errors, no warnings), as typed into the form: the e2e flow's
# values with the fixes; the issuer is made unique per submission (ISS-UNIQUE).
VALID = {
    "app_name": "DHS Benefits Portal",
    "friendly_name": "Benefits Portal",
    "agency": "Department of Examples",
    "ial": "1", "default_aal": "1",
    "attribute_bundle": ["email", "verified_at"],
    "logo": ["F0LOGO"], "certificates": ["F0CERT"],
    "redirect_uris": "https://benefits.example.gov/auth/result",
    "help_text.sign_in": "blank", "help_text.sign_up": "first_time",
    "help_text.forgot_password": "troubleshoot_html",
    "iaa_number": "LGABCFY210001-0001-0000",
    "application_url": "https://benefits.example.gov/", "audience": "general_public",
    "estimated_annual_registrations": "120000",
    "contacts.program": "Pat Doe - PM - pat.doe@example.gov - 555",
    "contacts.technical": "Sam Roe - Eng - sam.roe@example.gov - 555",
    "attestations": ["iaa_lists_integration", "production_app_created", "ato_environment",
                     "logo_approved"],
}
ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:bench:app{n}"


# -- measuring ------------------------------------------------------------------------------


class TimedSender(SignedSender):
    """A SignedSender that times each HTTP exchange: from sending the signed request to the
    bot's answer (building the payload before and applying a response_action after are not
    in it)."""

    last_seconds = 0.0

    def post(self, body: str, content_type: str, **kwargs: Any) -> httpx.Response:
        start = time.perf_counter()
        try:
            return super().post(body, content_type, **kwargs)
        finally:
            self.last_seconds = time.perf_counter() - start


@dataclass
class Result:
    name: str
    requests: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds
    non_200: int = 0
    unexpected: Counter[str] = field(default_factory=Counter)  # 200, but not the answer wanted
    slack_failures: Counter[str] = field(default_factory=Counter)  # failed fake Slack calls
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.non_200 + sum(self.unexpected.values()) + sum(self.slack_failures.values())

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in ms."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def run_clients(clients: int, count: int, make_sender: Callable[[int], TimedSender],
                work: Callable[[TimedSender, int, int], tuple[bool, str | None]],
                result: Result) -> None:
    """`count` requests from `clients` threads sharing one work counter; `work(sender, client,
    n)` sends request n and says whether the HTTP status was 200 and what was unexpected.
    Timed from when every client is ready until the last answer."""
    counter = itertools.count()
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def client(index: int) -> None:
        with make_sender(index) as sender:
            ready.wait()
            while True:
                with lock:
                    n = next(counter)
                if n >= count:
                    return
                try:
                    ok, unexpected = work(sender, index, n)
                except httpx.HTTPError as exc:  # no answer at all (counted once, here)
                    ok, unexpected = True, f"no answer: {type(exc).__name__}"
                except Exception as exc:  # a bug here: stop the run, don't hide it
                    errors.append(exc)
                    return
                with lock:
                    result.latencies.append(sender.last_seconds)
                    if not ok:
                        result.non_200 += 1
                    if unexpected:
                        result.unexpected[unexpected] += 1

    threads = [threading.Thread(target=client, args=(i,), name=f"bench-client-{i}")
               for i in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    result.elapsed += time.perf_counter() - start
    result.requests += count
    if errors:
        raise errors[0]


def slack_failures(slack: FakeSlack) -> Counter[str]:
    """Failed calls the fake Slack saw since its last reset (downloads included)."""
    failed = Counter(f"{c.method}: {c.error or c.status}" for c in slack.errors())
    failed.update(f"{c.method}: HTTP {c.status}" for c in slack.calls_to(FILES_METHOD)
                  if c.status != 200)
    return failed


def wait_for_calls(slack: FakeSlack, method: str, count: int,
                   timeout: float = DRAIN_TIMEOUT) -> float:
    """Wait until the fake has seen `count` calls to `method` (ok or not); the seconds waited."""
    start = time.perf_counter()
    while len(slack.calls_to(method)) < count and time.perf_counter() - start < timeout:
        time.sleep(0.005)
    return time.perf_counter() - start


# -- the apps -------------------------------------------------------------------------------

MINIMAL_VIEW = {
    "type": "modal", "callback_id": "minimal",
    "title": {"type": "plain_text", "text": "Deployment request"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello."}}],
}


def minimal_app(api_url: str, bot_token: str) -> App:
    """The baseline: Bolt's defaults (as launchbot's: process_before_response off), ack, then
    views.open with a one-block modal."""
    client = WebClient(token=bot_token, base_url=api_url)
    app = App(client=client, signing_secret=SECRET, token_verification_enabled=False)

    @app.command(COMMAND)
    def open_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MINIMAL_VIEW)

    return app


def _serve(kind: str, api_url: str, bot_token: str, store_url: str, threads: int,
           urls: Any, stop: Any, cpu: Any, sock: socket.socket | None = None) -> None:
    """One app on waitress in a process of its own, as `launchbot serve` runs it: the bot does
    not share an interpreter (and its GIL) with the clients and the fake Slack. `cpu` answers
    each message with the CPU time the process has used so far (all its threads). With
    `sock`, one of several such processes accepting on that socket (SERVE_PROCESSES)."""
    quiet_logs()

    def answer_cpu() -> None:
        with contextlib.suppress(EOFError, OSError):
            while cpu.recv() is not None:
                cpu.send(time.process_time())

    threading.Thread(target=answer_cpu, name="bench-cpu", daemon=True).start()
    if kind == "launchbot":
        settings = Settings(slack_bot_token=SecretStr(bot_token),
                            slack_signing_secret=SecretStr(SECRET), slack_api_url=api_url,
                            review_channel=REVIEW_CHANNEL, reviewer_group="S0REVIEWERS")
        store = Store.from_url(store_url)
        wsgi = assemble(settings, store, clock=lambda: NOW).wsgi  # the relay is not started
    else:
        wsgi = create_wsgi_app(minimal_app(api_url, bot_token), lambda: True)
    parent = multiprocessing.parent_process()
    with BackgroundServer(wsgi, threads=threads, sock=sock) as server:
        urls.put(server.url)
        while not stop.wait(1.0):
            if parent is not None and not parent.is_alive():
                break  # the benchmark was killed: do not outlive it


@dataclass
class AppProcess:
    url: str
    _cpus: list[Any]

    def cpu_seconds(self) -> float:
        """CPU time (user + system, every thread) the app's processes have used so far."""
        for cpu in self._cpus:
            cpu.send("cpu")
        return sum(float(cpu.recv()) for cpu in self._cpus)


@contextmanager
def app_process(kind: str, slack: FakeSlack, store_url: str, threads: int,
                processes: int = 1) -> Iterator[AppProcess]:
    """Start `_serve` in a spawned process (or `processes` of them on one listening socket,
    as `launchbot serve` with SERVE_PROCESSES does); yield the base URL and CPU probe; stop."""
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    sock = listening_socket("127.0.0.1", 0) if processes > 1 else None
    metrics_dir = tempfile.mkdtemp(prefix="bench-metrics-") if processes > 1 else None
    started, cpus = [], []
    try:
        with _environ(MULTIPROCESS_DIR, metrics_dir):
            for i in range(processes):
                ours, theirs = context.Pipe()
                process = context.Process(
                    target=_serve, name=f"bench-{kind}-{i + 1}", daemon=True, args=(
                        kind, slack.url, slack.bot_token, store_url, threads, urls, stop,
                        theirs, sock))
                process.start()
                started.append(process)
                cpus.append(ours)
        ready = [urls.get(timeout=120) for _ in started]  # every process serves
        yield AppProcess(ready[0], cpus)
    finally:
        stop.set()
        for process in started:
            process.join(timeout=15)
            if process.is_alive():
                process.terminate()
        if sock is not None:
            sock.close()
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


@contextmanager
def _environ(name: str, value: str | None) -> Iterator[None]:
    """`name` set to `value` (None: left as it is) for the processes spawned meanwhile."""
    saved = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


def quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    # "Task queue depth is 1": a keep-alive client's next request arrives while its previous
    # thread is still finishing up; with as many clients as threads it says nothing useful.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def fake_slack(latency: float = 0.0) -> FakeSlack:
    # Installed in the identity provider's workspace: partners come in over Slack Connect.
    slack = FakeSlack(latency=latency, team_id=IDP).start()
    slack.add_user(REVIEWER, name="rae", team_id=IDP)
    slack.add_usergroup("S0REVIEWERS", [REVIEWER])
    slack.add_channel(REVIEW_CHANNEL, name="launch-review")
    slack.add_file("F0LOGO", "benefits-logo.svg", (EXAMPLES / "benefits-logo.svg").read_bytes())
    slack.add_file("F0CERT", "benefits-cert.pem", (EXAMPLES / "benefits-cert.pem").read_bytes())
    return slack


def user_id(client: int) -> str:
    return f"U0BENCH{client:03d}"


# -- the store ------------------------------------------------------------------------------


@contextmanager
def bench_store(database_url: str | None, keep: bool) -> Iterator[tuple[Store, str]]:
    """A migrated, empty store: SQLite in a temporary directory, or a PostgreSQL schema."""
    if database_url is None:
        with tempfile.TemporaryDirectory(prefix="launchbot-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'launchbot.db'}"
            upgrade(url)
            store = Store.from_url(url)
            try:
                yield store, "SQLite (a file in a temporary directory, WAL)"
            finally:
                store.dispose()
        return
    base = normalize_url(database_url)
    if base.get_backend_name() != "postgresql":
        raise SystemExit("--database-url must be a PostgreSQL URL (SQLite is the default)")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    url: URL = base.update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    store = None
    try:
        upgrade(url)
        store = Store.from_url(url)
        yield store, f"PostgreSQL ({base.render_as_string(hide_password=True)}, schema {SCHEMA})"
    finally:
        if store is not None:
            store.dispose()
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        admin.dispose()


def requests_filed(store: Store) -> int:
    with store.reader() as session:
        return int(session.scalar(select(func.count()).select_from(Request)) or 0)


# -- the cases ------------------------------------------------------------------------------


@dataclass
class SlashCase:
    """`/launch-request` on one app; the timed rounds add up in `result`."""

    name: str
    url: str
    result: Result = field(init=False)
    commands: int = 0
    opened_ok: int = 0
    opened: int = 0
    drained: float = 0.0  # seconds from the last ack to the last views.open, summed

    def __post_init__(self) -> None:
        self.result = Result(self.name)

    def note(self) -> None:
        r = self.result
        r.notes.append(f"views.open: {self.opened_ok} ok of {self.opened} calls for "
                       f"{self.commands} commands, the last {self.drained * 1000:.0f} ms after "
                       f"the last ack (summed over rounds); counting that wait, "
                       f"{self.commands / (r.elapsed + self.drained):,.0f} commands/s")


def _slash_work(slack: FakeSlack, url: str) -> tuple[Callable[[int], TimedSender],
                                                      Callable[..., tuple[bool, str | None]]]:
    def make_sender(index: int) -> TimedSender:
        return TimedSender(url, SECRET, fake=slack, timeout=30.0)

    def work(sender: TimedSender, client: int, n: int) -> tuple[bool, str | None]:
        response = sender.slash_command(COMMAND, user_id=user_id(client), team_id=AGENCY)
        body = response.text
        unexpected = f"answered {body[:60]!r}" if response.status_code == 200 and body else None
        return response.status_code == 200, unexpected

    return make_sender, work


def slash_warmup(case: SlashCase, slack: FakeSlack, *, count: int, clients: int) -> None:
    """Untimed commands (Bolt, the users.info and reviewer caches, connections)."""
    if count:
        make_sender, work = _slash_work(slack, case.url)
        run_clients(clients, count, make_sender, work, Result("warm-up"))
        wait_for_calls(slack, "views.open", count)
    slack.reset()


def slash_round(case: SlashCase, slack: FakeSlack, *, count: int, clients: int) -> None:
    """`count` signed `/launch-request` commands, timed; then wait for the app's views.open
    calls (made after the ack) and count them."""
    slack.reset()
    make_sender, work = _slash_work(slack, case.url)
    run_clients(clients, count, make_sender, work, case.result)
    case.drained += wait_for_calls(slack, "views.open", count)
    opened = slack.calls_to("views.open")
    case.commands += count
    case.opened += len(opened)
    case.opened_ok += sum(1 for c in opened if c.ok)
    case.result.slack_failures.update(slack_failures(slack))
    if len(opened) < count:
        case.result.slack_failures["views.open: not made"] += count - len(opened)
    slack.reset()


@dataclass
class Form:
    user: str
    view: dict[str, Any]


def _wait_view(slack: FakeSlack, probe: Callable[[], dict[str, Any] | None],
               timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = probe()
        if view is not None:
            return view
        time.sleep(0.003)
    raise RuntimeError(f"the form did not appear/change in {timeout} s; fake Slack errors: "
                       f"{slack_failures(slack)}")


def open_forms(url: str, slack: FakeSlack, *, count: int, clients: int) -> list[Form]:
    """`count` launch forms, each opened by its own `/launch-request` (a fresh FormMeta key)
    and shaped like a partner does: kind launch, protocol OIDC private_key_jwt."""
    forms: list[Form] = []
    lock = threading.Lock()
    counter = itertools.count()
    failures: list[BaseException] = []

    def client(index: int) -> None:
        user = user_id(index)
        seen: set[str] = set()
        try:
            with SignedSender(url, SECRET, fake=slack, timeout=30.0) as sender:
                while next(counter) < count:
                    assert sender.slash_command(COMMAND, user_id=user,
                                                team_id=AGENCY).status_code == 200

                    def fresh() -> dict[str, Any] | None:
                        view = slack.last_view(user, type="modal")
                        return view if view and view["id"] not in seen else None

                    view = _wait_view(slack, fresh)
                    seen.add(view["id"])
                    for action, value in (("pick_kind", "launch"),
                                          ("pick_protocol", "oidc_private_key_jwt")):
                        old_hash = view["hash"]
                        assert sender.block_action(action, user_id=user, view=view,
                                                   value=value).status_code == 200

                        def changed(view_id: str = view["id"],
                                    old: str = old_hash) -> dict[str, Any] | None:
                            current = slack.view(view_id)
                            return current if current and current["hash"] != old else None

                        view = _wait_view(slack, changed)
                    with lock:
                        forms.append(Form(user, view))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"could not prepare the forms: {failures[0]!r}") from failures[0]
    return forms


def submissions(app: AppProcess, slack: FakeSlack, store: Store, forms: list[Form], *,
                clients: int) -> Result:
    """Each prepared form submitted once with a valid launch request (unique issuer)."""
    slack.reset()  # keeps users and files; the forms' views go, which the bot never reads
    before = requests_filed(store)
    result = Result("view submission, launchbot")
    url = app.url

    def make_sender(index: int) -> TimedSender:
        return TimedSender(url, SECRET, fake=slack, timeout=30.0)

    def work(sender: TimedSender, client: int, n: int) -> tuple[bool, str | None]:
        form = forms[n]
        values = {**VALID, "issuer": ISSUER.format(n=n)}
        response = sender.view_submission(form.view, user_id=form.user, values=values)
        if response.status_code != 200:
            return False, None
        try:
            answer = response.json()
        except ValueError:
            return True, f"not JSON: {response.text[:60]!r}"
        if answer.get("response_action") != "update":
            detail = answer.get("errors") or answer.get("response_action")
            return True, f"response_action {answer.get('response_action')}: {str(detail)[:80]}"
        if "LR-" not in str(answer.get("view")):
            return True, "no request ID in the confirmation"
        return True, None

    cpu_before, ours_before, busy_before = (app.cpu_seconds(), time.process_time(),
                                            machine_busy_seconds())
    run_clients(clients, len(forms), make_sender, work, result)
    cpu = app.cpu_seconds() - cpu_before
    ours = time.process_time() - ours_before
    result.notes.append(f"server CPU time {cpu:.2f} s for {len(forms)} submissions: "
                        f"{cpu / len(forms) * 1000:.1f} ms per submission (process CPU / "
                        f"submissions, all threads)")
    busy_after = machine_busy_seconds()
    if busy_before is not None and busy_after is not None:
        busy = (busy_after - busy_before) / len(forms)
        result.notes.append(
            f"the whole machine: {busy * 1000:.1f} ms of CPU per submission (the server "
            f"{cpu / len(forms) * 1000:.1f}, this benchmark's clients and fake Slack "
            f"{ours / len(forms) * 1000:.1f}, the rest the database server and anything "
            f"else running); {usable_cpus()} cores at that cost allow at most "
            f"{usable_cpus() / busy:.0f} submissions/s")
    filed = requests_filed(store) - before
    downloads = [c for c in slack.calls_to(FILES_METHOD) if c.status == 200]
    infos = [c for c in slack.calls_to("files.info") if c.ok]
    result.notes.append(f"store: {filed} requests filed for {len(forms)} submissions; fake "
                        f"Slack: {len(infos)} files.info, {len(downloads)} downloads served")
    if filed != len(forms):
        result.unexpected["not filed"] += max(0, len(forms) - filed - sum(
            result.unexpected.values()))
    result.slack_failures.update(slack_failures(slack))
    slack.reset()
    return result


# -- report ---------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    print(f"{'case':<36} {'requests':>8} {'elapsed s':>9} {'req/s':>8} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6}")
    for r in results:
        print(f"{r.name:<36} {r.requests:>8} {r.elapsed:>9.2f} {r.throughput:>8,.0f} "
              f"{r.percentile(50):>7.1f} {r.percentile(99):>7.1f} {r.errors:>6}")
    for r in results:
        for note in r.notes:
            print(f"  {r.name}: {note}")
        if r.non_200:
            print(f"  {r.name}: {r.non_200} answers were not HTTP 200")
        for what, n in (r.unexpected + r.slack_failures).most_common(5):
            print(f"  {r.name}: {n} x {what}")


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_busy_seconds() -> float | None:
    """CPU seconds every core of the machine has spent busy since boot (Linux's /proc/stat:
    everything but idle and iowait), or None where there is no such file."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpus = os.cpu_count()
    usable = usable_cpus()
    return (f"{usable} usable CPUs (os.cpu_count {cpus}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000,
                        help="timed /launch-request commands per app (default 2000)")
    parser.add_argument("--warmup", type=int, default=100,
                        help="untimed commands per app first (default 100)")
    parser.add_argument("--submissions", type=int, default=400,
                        help="timed view submissions (default 400)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="the commands are sent in this many rounds per app, alternating "
                             "between the apps (default 4)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--server-threads", type=int, default=THREADS,
                        help=f"waitress threads per app (default {THREADS}, as launchbot serve)")
    parser.add_argument("--server-processes", type=int, default=1,
                        help="launchbot's worker processes on one port, as SERVE_PROCESSES "
                             "(default 1; the minimal app stays one process)")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--slack-latency-ms", type=float, default=0.0,
                        help="delay every fake Slack Web API answer and file download by this "
                             "much (default 0)")
    args = parser.parse_args(argv)
    if min(args.commands, args.rounds, args.clients, args.server_threads,
           args.server_processes) < 1 \
            or min(args.submissions, args.warmup) < 0:
        parser.error("counts must be positive (--submissions and --warmup may be 0)")

    quiet_logs()
    results: list[Result] = []
    slack = fake_slack(args.slack_latency_ms / 1000)
    for i in range(args.clients):
        slack.add_user(user_id(i), name=f"partner{i}", team_id=AGENCY)
    try:
        with bench_store(args.database_url, args.keep) as (store, store_name):
            store_url = store.engine.url.render_as_string(hide_password=False)
            with app_process("launchbot", slack, store_url, args.server_threads,
                             args.server_processes) as bot, \
                    app_process("minimal", slack, store_url, args.server_threads) as minimal:
                bot_url, minimal_url = bot.url, minimal.url
                print(f"launchbot Slack benchmark: {args.clients} clients over HTTP on "
                      f"127.0.0.1; each app in a process of its own on waitress "
                      f"({args.server_threads} threads, BackgroundServer + create_wsgi_app; "
                      f"launchbot in {args.server_processes} such process(es) on one "
                      f"socket, CPU summed over them); "
                      f"clients and the fake Slack Web API in this process; store: "
                      f"{store_name}")
                print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
                print(f"fake Slack latency: {args.slack_latency_ms:g} ms on every Web API "
                      "answer and file download")
                print("outbox delivery (the relay) is not running: it is not part of the "
                      "measured path")
                print(f"timed: {args.commands} commands per app after {args.warmup} warm-up, "
                      f"in {args.rounds} rounds alternating between the apps; "
                      f"{args.submissions} submissions (forms opened and shaped first)")
                print()
                cases = [SlashCase("/launch-request, minimal Bolt app", minimal_url),
                         SlashCase("/launch-request, launchbot", bot_url)]
                for case in cases:
                    slash_warmup(case, slack, count=args.warmup, clients=args.clients)
                # Rounds in ABBA order, so a drift in the machine's speed touches both alike.
                sizes = [args.commands // args.rounds + (i < args.commands % args.rounds)
                         for i in range(args.rounds)]
                for i, size in enumerate(sizes):
                    for case in cases if i % 2 == 0 else reversed(cases):
                        slash_round(case, slack, count=size, clients=args.clients)
                for case in cases:
                    case.note()
                    results.append(case.result)
                if args.submissions:
                    forms = open_forms(bot_url, slack, count=args.submissions,
                                       clients=args.clients)
                    results.append(submissions(bot, slack, store, forms,
                                               clients=args.clients))
    finally:
        slack.stop()

    print_table(results)
    print()
    baseline, slash = results[0], results[1]
    ratio = slash.throughput / baseline.throughput if baseline.throughput else math.nan
    print(f"slash command throughput / minimal app throughput: {ratio:.2f} "
          f"({slash.throughput:,.0f} / {baseline.throughput:,.0f} req/s; target >= "
          f"{RATIO_TARGET}): {'met' if ratio >= RATIO_TARGET else 'NOT met'}")
    if len(results) > 2:
        submit = results[2]
        p99 = submit.percentile(99)
        print(f"view submission p99: {p99:.0f} ms (target < {P99_TARGET_MS:.0f} ms with "
              f"--slack-latency-ms 150; this run: {args.slack_latency_ms:g} ms): "
              f"{'met' if p99 < P99_TARGET_MS else 'NOT met'}")
        sub_ratio = submit.throughput / baseline.throughput if baseline.throughput else math.nan
        print(f"view submissions: {submit.throughput:,.0f}/s (target >= "
              f"{SUBMIT_RATE_TARGET:.0f}/s with no latency): "
              f"{'met' if submit.throughput >= SUBMIT_RATE_TARGET else 'NOT met'}; "
              f"{sub_ratio:.2f}x the minimal app's command rate (target >= "
              f"{SUBMIT_RATIO_TARGET} with no latency): "
              f"{'met' if sub_ratio >= SUBMIT_RATIO_TARGET else 'NOT met'}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine "
          "counts in every figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
