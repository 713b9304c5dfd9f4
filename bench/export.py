"""Export benchmark: a year of records (default 20,000 requests with 200,000 audit events, of
which 40,000 decisions), exported by `bot.exports` as CSV and JSON; prints the time of each and
the peak Python memory of a requests export, which stays flat because rows are streamed.

    python bench/export.py [--requests 20000] [--events-per-request 10] [--url URL]

Default store: a migrated SQLite file in a temporary directory. With --url (PostgreSQL), the
rows go into a schema of its own (`launchbot_bench_export`, dropped at the end).
Target: a year of data in seconds (each export under 10 s).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import URL, create_engine, insert, text

from bot.exports import Scope, export
from bot.store.db import Store, normalize_url
from bot.store.migrate import upgrade
from bot.store.models import AuditEvent, Request

START = datetime(2025, 12, 1, 14, tzinfo=UTC)
TARGET_S = 10.0
SCHEMA = "launchbot_bench_export"


class Sink:
    """A text stream that counts what is written (the export's output, thrown away)."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def seed(store: Store, n: int, per_request: int, rng: random.Random) -> None:
    requests: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        at = START + timedelta(seconds=rng.randrange(365 * 86400))
        state = rng.choice(["deployed"] * 8 + ["rejected", "approved"])
        decided = at + timedelta(days=2)
        requests.append(dict(
            id=i, kind=rng.choice(["launch", "change", "staging"]), state=state, version=3,
            issuer=f"urn:gov:gsa:openidconnect.profiles:sp:sso:agency:app{i}",
            requester_user_id=f"U{i % 700:05d}", requester_team_id=f"T{i % 500:04d}",
            submitted={"friendly_name": f"App {i}", "agency": "Department of Examples",
                       "iaa_number": "LGABCFY210001-0001-0000",
                       "redirect_uris": [f"https://app{i}.example.gov/auth/result"]},
            findings=[], diff=None, earliest_deploy_date=(at + timedelta(days=14)).date(),
            target_deploy_date=(at + timedelta(days=14)).date(), lead_time_days=14,
            slip_count=0, decided_by="U0REVIEW", decided_at=decided,
            decision_note=None if state != "rejected" else "a duplicate",
            deployed_by="U0REVIEW" if state == "deployed" else None,
            deployed_at=at + timedelta(days=15) if state == "deployed" else None,
            submitted_at=at, created_at=at, updated_at=decided))
        for k in range(per_request):
            action = ("submit", "claim", "approve", "request_changes", "resubmit",
                      "deploy")[min(k, 5)] if k < 6 else "slip"
            events.append(dict(request_id=i, actor="U0REVIEW", action=action,
                               from_state="submitted", to_state="approved",
                               detail={"comment": "fix it"} if action == "request_changes"
                               else {}, at=at + timedelta(hours=k)))
    with store.unit_of_work() as session:
        for chunk in range(0, len(requests), 5000):
            session.execute(insert(Request), requests[chunk:chunk + 5000])
        for chunk in range(0, len(events), 20000):
            session.execute(insert(AuditEvent), events[chunk:chunk + 20000])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--events-per-request", type=int, default=10)
    parser.add_argument("--url", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    admin = None
    if args.url:
        admin = create_engine(normalize_url(args.url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        url: str | URL = normalize_url(args.url).update_query_dict(
            {"options": f"-csearch_path={SCHEMA}"})
    else:
        url = f"sqlite:///{Path(tmp.name) / 'export.db'}"
    try:
        upgrade(url)
        store = Store.from_url(url)
        began = time.perf_counter()
        seed(store, args.requests, args.events_per_request, random.Random(18))
        print(f"seeded {args.requests:,} requests and "
              f"{args.requests * args.events_per_request:,} audit events in "
              f"{time.perf_counter() - began:.1f} s ({store.dialect})")
        scope = Scope(tz=ZoneInfo("America/New_York"))
        worst = 0.0
        for what in ("requests", "decisions", "audit"):
            for fmt in ("csv", "json"):
                sink = Sink()
                began = time.perf_counter()
                with store.snapshot() as session:
                    count = export(session, sink, what, fmt=fmt, scope=scope)  # type: ignore[arg-type]
                took = time.perf_counter() - began
                worst = max(worst, took)
                print(f"{what:9} {fmt:4} {count:>9,} records {sink.chars / 1e6:7.1f} MB "
                      f"{took:6.2f} s  ({count / took:,.0f} records/s)")
        tracemalloc.start()
        with store.snapshot() as session:
            export(session, Sink(), "requests", fmt="csv", scope=scope)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak Python memory while exporting requests as CSV: {peak / 1e6:.1f} MB "
              f"(the output was not kept)")
        print(f"slowest export {worst:.2f} s: target < {TARGET_S:.0f} s "
              f"{'met' if worst < TARGET_S else 'NOT met'}")
        print("command: python bench/export.py " + " ".join(sys.argv[1:]))
        store.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            admin.dispose()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
