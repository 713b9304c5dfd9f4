"""Engine behaviour on both databases: time zones, SQLite pragmas, the exactly-once helpers,
state surviving a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import URL, func, select, text

from bot.store import claims, outbox
from bot.store.db import Store, normalize_url
from bot.store.models import JobClaim, OutboxMessage, ProcessedEvent

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_normalize_url() -> None:
    assert normalize_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"
    assert normalize_url(None).database == "launchbot.db"


def test_timestamps_read_back_aware_utc(db: Store) -> None:
    eastern = timezone(timedelta(hours=-5))
    with db.unit_of_work() as s:
        assert claims.record_event(s, "Ev1", now=datetime(2026, 11, 2, 10, 0, tzinfo=eastern))
    with db.reader() as s:
        got = s.scalars(select(ProcessedEvent.received_at)).one()
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert got == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused(db: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.unit_of_work() as s:
        claims.record_event(s, "Ev1", now=datetime(2026, 11, 2, 15, 0))


def test_sqlite_pragmas(db: Store) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite only")
    with db.reader() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_event_ids_are_processed_once(db: Store) -> None:
    with db.unit_of_work() as s:
        assert claims.record_event(s, "Ev1", now=NOW) is True
        assert claims.record_event(s, "Ev1", now=NOW) is False
    with db.unit_of_work() as s:
        assert claims.record_event(s, "Ev1", now=NOW) is False
        assert claims.record_event(s, "Ev2", now=NOW) is True


def test_job_claims_once_per_period(db: Store) -> None:
    with db.unit_of_work() as s:
        assert claims.claim_job(s, "manifest", "2026-11-19", by="a", now=NOW)
    with db.unit_of_work() as s:
        assert not claims.claim_job(s, "manifest", "2026-11-19", by="b", now=NOW)
        assert claims.claim_job(s, "manifest", "2026-11-30", by="b", now=NOW)
        claims.complete_job(s, "manifest", "2026-11-19", now=NOW)
    with db.reader() as s:
        row = claims.job_claim(s, "manifest", "2026-11-19")
        assert row is not None and row.claimed_by == "a" and row.status == "done"
        assert s.scalar(select(func.count()).select_from(JobClaim)) == 2


def test_outbox_dedupes_and_relays_in_order(db: Store) -> None:
    with db.unit_of_work() as s:
        assert outbox.enqueue(s, topic="partner_dm", dedupe_key="k1", user_id="U1",
                              payload={"n": 1}, now=NOW)
        assert not outbox.enqueue(s, topic="partner_dm", dedupe_key="k1", user_id="U1",
                                  payload={"n": 2}, now=NOW)
        assert outbox.enqueue(s, topic="partner_dm", dedupe_key="k2", user_id="U1",
                              payload={"n": 3}, now=NOW + timedelta(minutes=5))
    with db.unit_of_work() as s:
        due = outbox.due(s, NOW)
        assert [m.payload for m in due] == [{"n": 1}]
        outbox.mark_retry(s, due[0].id, now=NOW, error="ratelimited",
                          delay=timedelta(seconds=30))
    with db.unit_of_work() as s:
        assert outbox.due(s, NOW) == []
        due = outbox.due(s, NOW + timedelta(minutes=10))
        assert [m.payload["n"] for m in due] == [1, 3]
        outbox.mark_sent(s, due[0].id, now=NOW, ts="1700000000.000100")
    with db.reader() as s:
        sent = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "k1")).one()
        assert (sent.status, sent.sent_ts, sent.attempts) == ("sent", "1700000000.000100", 2)


def test_state_survives_a_restart(db_url: URL) -> None:
    first = Store.from_url(db_url)
    with first.unit_of_work() as s:
        claims.claim_job(s, "digest", "2026-W45", by="replica-1", now=NOW)
    first.dispose()  # the process goes away
    second = Store.from_url(db_url)
    try:
        with second.unit_of_work() as s:
            assert not claims.claim_job(s, "digest", "2026-W45", by="replica-2", now=NOW)
            assert claims.job_claim(s, "digest", "2026-W45").claimed_by == "replica-1"
        assert second.ping()
    finally:
        second.dispose()


def test_readers_do_not_wait_for_a_writer(db: Store) -> None:
    """SQLite: writers take the write lock up front (BEGIN IMMEDIATE); readers do not, so a
    long write transaction never blocks a read (WAL)."""
    import time

    with db.unit_of_work() as s:
        claims.record_event(s, "Ev0", now=NOW)
        start = time.perf_counter()
        with db.reader() as r:
            assert r.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
        with db.read_rows() as connection:  # the same, as a Core connection
            assert connection.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
        assert time.perf_counter() - start < 2


def test_a_snapshot_sees_one_instant_and_writes_nothing(db: Store) -> None:
    """An export reads in a snapshot: what commits while it runs is not in it, and it cannot
    write (a streamed export on PostgreSQL needs its transaction for the server-side cursor)."""
    with db.unit_of_work() as s:
        claims.record_event(s, "Ev1", now=NOW)
    with db.snapshot() as snap:
        assert snap.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
        with db.unit_of_work() as s:
            claims.record_event(s, "Ev2", now=NOW)
        streamed = snap.connection().execution_options(stream_results=True, max_row_buffer=1)
        assert [r.event_id for r in streamed.execute(select(ProcessedEvent.event_id))] == ["Ev1"]
    if db.dialect == "postgresql":
        with pytest.raises(Exception, match="read-only"), db.snapshot() as snap:
            snap.execute(text("DELETE FROM processed_events"))
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 2
