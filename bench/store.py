"""Store benchmark: seed PostgreSQL (or SQLite) with 100,000 requests and 1,000,000 audit
events, then time the reads the bot makes all day (median of N runs, each in its own read
transaction):

- the manifest for one deploy day (with attachment facts and diffs),
- one partner team's request list, newest first, as `/launch-request list` shows it (the
  21 newest of a team with 500 requests),
- the reviewer queue (undecided, oldest first),
- the weekly digest counts (by state, new this week).

Target: each under 10 ms median.

    python bench/store.py [--url URL] [--schema NAME] [--runs 50] [--keep]

The URL defaults to BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test; the
data goes into a schema of its own (default `launchbot_bench`, dropped and re-created), so
test data in the same database is never touched. A `sqlite:///FILE` URL seeds that file
instead (removed first, and afterwards unless --keep). The schema is made by the migrations.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import URL, create_engine, text

from bot.calendar import DeployCalendar
from bot.requests import Actor, digest_counts, manifest_for, review_queue, team_requests
from bot.store.db import Store, normalize_url
from bot.store.migrate import upgrade

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
REQUESTS = 100_000
AUDIT_EVENTS = 1_000_000
TEAMS = 500
TEAM = 42  # the partner team whose list is timed: every 200th request is its (500 in all)
LIST_SHOWN = 21  # what `/launch-request list` reads (20 shown, one more says there are more)
NOW = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # a Monday
# Mostly history; a realistic few percent still open.
STATES = [("deployed", 81), ("rejected", 4), ("withdrawn", 4), ("approved", 1),
          ("changes_requested", 2), ("submitted", 5), ("in_review", 3)]
TARGET_MS = 10.0


def schema_url(url: str, schema: str) -> URL:
    return normalize_url(url).update_query_dict({"options": f"-csearch_path={schema}"})


def reset_schema(url: str, schema: str) -> None:
    admin = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()


def drop_schema(url: str, schema: str) -> None:
    admin = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def partner_team(rid: int) -> int:
    """TEAM owns every 200th request; the rest are spread over the other teams."""
    if rid % 200 == TEAM:
        return TEAM
    other = rid % (TEAMS - 1) + 1
    return other + 1 if other >= TEAM else other


Row = tuple[Any, ...]
REQUEST_COLUMNS = (
    "id", "kind", "state", "version", "issuer", "integration_id", "requester_user_id",
    "requester_team_id", "partner_team_id", "submitted", "findings", "diff",
    "earliest_deploy_date", "target_deploy_date", "lead_time_days", "slip_count",
    "idempotency_key", "reviewer_id", "decided_by", "decided_at", "decision_note",
    "submitted_at", "created_at", "updated_at")
TABLES: dict[str, tuple[str, ...]] = {
    "teams": ("id", "slug", "name", "agency", "created_at", "updated_at"),
    "requests": REQUEST_COLUMNS,
    "attachments": ("request_id", "role", "name", "content", "sha256", "size", "created_at"),
    "audit_events": ("request_id", "actor", "action", "from_state", "to_state", "detail",
                     "at"),
}


def rows(calendar: DeployCalendar, rng: random.Random) -> tuple[dict[str, Iterator[Row]], date]:
    """The rows of each table (made as they are written) and the busy deploy day."""
    past = calendar.deploy_days(date(2023, 11, 16), until=NOW.date())
    future = calendar.deploy_days(NOW.date(), count=12)
    states = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
    span = (NOW - datetime(2023, 11, 16, tzinfo=UTC)).total_seconds()
    busy_day = future[0].date
    approved_ids: list[int] = []

    def teams() -> Iterator[Row]:
        for tid in range(1, TEAMS + 1):
            yield tid, f"team-{tid}", f"Team {tid}", f"Agency {tid}", NOW, NOW

    def requests() -> Iterator[Row]:
        for rid in range(1, REQUESTS + 1):
            state = rng.choices(states, weights)[0]
            created = NOW - timedelta(seconds=span * (1 - rid / REQUESTS))
            kind = rng.choice(("launch", "change", "change", "staging"))
            team = f"T{rid % TEAMS:05d}"
            issuer = f"urn:gov:gsa:openidconnect.profiles:sp:sso:agency{rid % TEAMS}:app{rid}"
            if state in ("approved", "submitted", "in_review", "changes_requested"):
                target = busy_day if state == "approved" and rid % 10 == 0 \
                    else rng.choice(future).date
            else:
                target = rng.choice(past).date
            if state == "approved":
                approved_ids.append(rid)
            decided = state not in ("submitted", "in_review")
            submitted = {
                "kind": kind, "issuer": issuer, "friendly_name": f"App {rid}",
                "agency": f"Agency {rid % TEAMS}", "protocol": "oidc_private_key_jwt",
                "ial": 1, "default_aal": 2, "redirect_uris": [
                    f"https://app{rid}.agency{rid % TEAMS}.gov/auth/result"],
                "logo": "logo.svg", "certificates": ["cert.pem"]}
            diff = {"default_aal": {"old": 1, "new": 2}} if kind == "change" else None
            yield (rid, kind, state, 3 if decided else 1, issuer, None,
                   f"U{rid % 3000:06d}", team, partner_team(rid), json.dumps(submitted),
                   '[{"rule": "CAL-EARLIEST", "severity": "info", "field": null, '
                   '"message": "earliest deploy"}]',
                   json.dumps(diff) if diff else None, target, target, 14, 0,
                   f"key-{rid}", "U0REVIEW" if state != "submitted" else None,
                   "U0REVIEW" if decided else None,
                   created + timedelta(days=2) if decided else None, None,
                   created, created, created)

    def attachments() -> Iterator[Row]:  # after requests(): the approved ones' files
        for rid in approved_ids:
            for role, name in (("logo", "logo.svg"), ("certificate", "cert.pem")):
                blob = rng.randbytes(2048)
                yield rid, role, name, blob, f"{rid:064x}", len(blob), NOW

    def audit_events() -> Iterator[Row]:
        actions = ("submit", "claim", "request_changes", "resubmit", "approve", "deploy")
        per = AUDIT_EVENTS // REQUESTS
        for rid in range(1, REQUESTS + 1):
            created = NOW - timedelta(seconds=span * (1 - rid / REQUESTS))
            for k in range(per):
                yield (rid, "U0REVIEW", actions[k % len(actions)], "submitted", "in_review",
                       "{}", created + timedelta(minutes=k))

    return ({"teams": teams(), "requests": requests(), "attachments": attachments(),
             "audit_events": audit_events()}, busy_day)


def seed(store: Store, calendar: DeployCalendar, rng: random.Random) -> dict[str, Any]:
    """Writes the rows (COPY on PostgreSQL); returns facts the timed queries use (a busy day,
    a team)."""
    tables, busy_day = rows(calendar, rng)
    raw = store.engine.raw_connection()
    try:
        if store.dialect == "postgresql":
            _copy(raw.driver_connection, tables)
        else:
            _insert(raw.driver_connection, tables)
    finally:
        raw.close()
    return {"day": busy_day, "team": TEAM}


def _copy(conn: Any, tables: dict[str, Iterator[Row]]) -> None:
    with conn.cursor() as cur:
        for table, produced in tables.items():
            with cur.copy(f"COPY {table} ({', '.join(TABLES[table])}) FROM STDIN") as copy:
                for row in produced:
                    copy.write_row(row)
        for table in tables:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:
        # What autovacuum does to a table that grew by inserts (PostgreSQL 13+): statistics
        # and the visibility map, so counts can be answered from an index alone.
        for table in (*tables, "integrations"):
            cur.execute(f"VACUUM (ANALYZE) {table}")


def _sqlite_value(value: Any) -> Any:
    """As bot.store.types.UTCDateTime and SQLAlchemy's Date store them on SQLite."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _insert(conn: Any, tables: dict[str, Iterator[Row]]) -> None:
    conn.execute("BEGIN")
    for table, produced in tables.items():
        columns = TABLES[table]
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            f"({', '.join('?' * len(columns))})",
            (tuple(_sqlite_value(v) for v in row) for row in produced))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")


def timed(store: Store, fn: Callable[[Any], Any],
          runs: int) -> tuple[float, float, float, Any]:
    """Median and p95 wall time and median CPU time of this process (ms) of `fn(session)`,
    each run in its own read transaction."""
    samples, cpu = [], []
    result = None
    for i in range(runs + 3):
        start, start_cpu = time.perf_counter(), time.process_time()
        with store.reader() as session:
            result = fn(session)
        elapsed = (time.perf_counter() - start) * 1000
        if i >= 3:  # warm-up runs are not counted
            samples.append(elapsed)
            cpu.append((time.process_time() - start_cpu) * 1000)
    samples.sort()
    return (statistics.median(samples), samples[int(len(samples) * 0.95) - 1],
            statistics.median(cpu), result)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise SystemExit("a SQLite URL needs a file: sqlite:///path/to/bench.db")
    return Path(url.database)


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--schema", default="launchbot_bench")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true",
                        help="keep the schema (or SQLite file) afterwards")
    args = parser.parse_args(argv)
    parsed = normalize_url(args.url)
    postgres = parsed.get_backend_name() == "postgresql"

    calendar = DeployCalendar()
    rng = random.Random(20261116)
    print(f"load average at start: {load_average()}")
    started = time.perf_counter()
    if postgres:
        reset_schema(args.url, args.schema)
        url: str | URL = schema_url(args.url, args.schema)
        where = f"schema {args.schema!r}"
    else:
        remove_sqlite(sqlite_file(parsed))
        url = parsed
        where = str(sqlite_file(parsed))
    upgrade(url)
    store = Store.from_url(url)
    try:
        facts = seed(store, calendar, rng)
        seeded = time.perf_counter() - started
        print(f"seeded {REQUESTS:,} requests and {AUDIT_EVENTS:,} audit events into {where} "
              f"in {seeded:.1f} s")
        team_actor = Actor(user_id="U000042", team_id="T00042", teams=frozenset({facts["team"]}))
        cases = [
            (f"manifest for {facts['day']}", lambda s: manifest_for(s, facts["day"]),
             lambda r: f"{len(r)} items"),
            (f"team {facts['team']} request list", lambda s: team_requests(
                s, actor=team_actor, limit=LIST_SHOWN),
             lambda r: f"{len(r)} requests"),
            ("reviewer queue (oldest first)", lambda s: review_queue(s),
             lambda r: f"{len(r)} requests"),
            ("weekly digest counts", lambda s: digest_counts(s, now=NOW),
             lambda r: f"{sum(r.by_state.values()):,} total, {r.new_this_week} new"),
        ]
        print(f"{'query':<34} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7}  result")
        worst = 0.0
        for name, fn, describe in cases:
            median, p95, cpu, result = timed(store, fn, args.runs)
            worst = max(worst, median)
            flag = "" if median < TARGET_MS else "  OVER TARGET"
            print(f"{name:<34} {median:>10.2f} {p95:>8.2f} {cpu:>7.2f}  {describe(result)}{flag}")
        verdict = "met" if worst < TARGET_MS else "NOT met"
        print(f"target: each median under {TARGET_MS:.0f} ms: {verdict}; "
              f"total {time.perf_counter() - started:.1f} s; "
              f"load average at end: {load_average()}")
        print("CPU ms: this process's CPU time per run (the bot's side of a query)")
    finally:
        store.dispose()
        if not args.keep:
            if postgres:
                drop_schema(args.url, args.schema)
            else:
                remove_sqlite(sqlite_file(parsed))
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
