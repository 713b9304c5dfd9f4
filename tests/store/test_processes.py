"""Several processes writing one SQLite file (serve's worker processes, a command beside the
bot): every write waits its turn, none fails with "database is locked"."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import URL, func, select
from sqlalchemy.exc import OperationalError

from bot.store import claims
from bot.store.db import Store
from bot.store.models import ProcessedEvent

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
THREADS, WRITES = 4, 30
BUSY_MS = 250  # SQLite's busy timeout, short: a writer left polling fails within the test


def _writer(url: str, name: str, go: Any, results: Any) -> None:
    """A process of THREADS threads, each writing WRITES events one transaction at a time,
    each transaction holding the database a few milliseconds as a filing does."""
    from bot.store import db as store_db

    store_db.BUSY_TIMEOUT_MS = BUSY_MS
    store = Store.from_url(url)
    failed: list[str] = []

    def work(thread: int) -> None:
        for n in range(WRITES):
            try:
                with store.unit_of_work() as session:
                    claims.record_event(session, f"{name}-{thread}-{n}", now=NOW)
                    time.sleep(0.004)
            except OperationalError as exc:
                failed.append(str(exc.orig))

    go.wait(30)
    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.dispose()
    results.put((name, failed))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_two_processes_writing_at_once_all_succeed(db_url: URL, db: Store) -> None:
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    url = db_url.render_as_string(hide_password=False)
    processes = [context.Process(target=_writer, args=(url, name, go, results))
                 for name in ("a", "b")]
    for process in processes:
        process.start()
    time.sleep(0.5)  # both have imported and opened their store (or nearly): start together
    go.set()
    outcome = dict(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(10)
    assert outcome == {"a": [], "b": []}
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) \
            == 2 * THREADS * WRITES
