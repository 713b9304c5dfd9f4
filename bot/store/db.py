"""Engine, sessions and the unit of work.

`DATABASE_URL` chooses the database: a SQLite file (the default) or PostgreSQL via psycopg 3.
On SQLite every write transaction starts with BEGIN IMMEDIATE: writers queue on the database
lock (up to the busy timeout) instead of failing with "database is locked" when a read
transaction tries to upgrade to a write; read-only sessions keep the default deferred BEGIN so
they never wait on writers (WAL). Before that, writers of every process queue in the kernel
(`SqliteWriters`), so SQLite's lock is free whenever one asks.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.config import DEFAULT_DATABASE_URL

try:
    import fcntl
except ImportError:  # not a POSIX system: SQLite's busy timeout alone between processes
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 2
# Connections kept open, and opened on top of them in a burst (closed again when returned).
# SQLAlchemy's default of 5 made a busy server connect and disconnect for most transactions
# (a new PostgreSQL backend, the time zone set, a ping: several round trips each); the
# overflow covers the HTTP and listener threads of `launchbot serve` at once.
PG_POOL_SIZE = 12
PG_MAX_OVERFLOW = 36
# execution option: IMMEDIATE | DEFERRED | NONE (each statement its own transaction)
_SQLITE_BEGIN = "launchbot_sqlite_begin"


def normalize_url(url: str | URL | None) -> URL:
    """`postgresql://` and `postgres://` mean psycopg 3; no URL means the default SQLite file."""
    parsed = make_url(url or DEFAULT_DATABASE_URL)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    parsed = normalize_url(url)
    # Statement parameters are what partners submitted (files, names, URLs): SQLAlchemy's
    # DEBUG/INFO lines and its error messages show a placeholder instead.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)  # a restarted server's dead connections are replaced
    kwargs.setdefault("pool_size", PG_POOL_SIZE)
    kwargs.setdefault("max_overflow", PG_MAX_OVERFLOW)
    kwargs.setdefault("json_deserializer", _json_from_server)
    connect_args = kwargs.pop("connect_args", {})
    # An unreachable server fails a request (and /readyz) in seconds instead of hanging.
    connect_args.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Timestamps come back in the session's time zone: in UTC (what the bot works in)
        # psycopg attaches datetime.UTC itself, which reads twice as fast as a zoneinfo zone
        # and needs no conversion after (bot.store.types.UTCDateTime).
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()

    return engine


_decode_json = json.JSONDecoder().decode


def _json_from_server(data: bytes | memoryview | str) -> Any:
    """psycopg hands JSON values over as bytes, and `json.loads` would first sniff which UTF
    they are in: PostgreSQL sends UTF-8 (its client encoding), so decode them as such. A
    third off every stored payload read (lists, the manifest)."""
    return _decode_json(data if isinstance(data, str) else str(data, "utf-8"))


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so that BEGIN is ours (see `_on_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if url.database and url.database != ":memory:":
                _wal(cursor)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: durable at checkpoint
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_SQLITE_BEGIN, "IMMEDIATE")
        if mode != "NONE":
            conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _wal(cursor: Any) -> None:
    """Switch the file to WAL (it stays so). The switch needs the file to itself and SQLite
    does not wait on the busy timeout for it, so several processes opening a new database at
    once retry here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


@contextmanager
def _read_only(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session of `sessions` whose work is rolled back at the end, whatever it did."""
    with sessions() as session:
        try:
            yield session
        finally:
            session.rollback()


def core_connection(session: Session) -> Connection:
    """The session's connection, for a Core statement: flushed first, as `session.execute`
    would be (nothing when nothing is pending), without the ORM execution path, which costs
    more than the small statements run this way."""
    if session.autoflush:
        session.flush()
    return session.connection()


class Store:
    """The database a process talks to: an engine and its sessions.

    `unit_of_work()` is one write transaction (commit on success, rollback on any error);
    `reader()` a read-only one. Objects stay readable after the session ends. `read_rows()`
    is `reader()` as a Core connection, for rows rather than ORM objects; `snapshot()` a
    read-only transaction on one snapshot.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = sessionmaker(engine, expire_on_commit=False)
        if engine.dialect.name == "sqlite":
            reader_bind = engine.execution_options(**{_SQLITE_BEGIN: "DEFERRED"})
            # One statement is its own transaction: `read_rows` skips the BEGIN.
            self._rows_bind = engine.execution_options(**{_SQLITE_BEGIN: "NONE"})
            # A deferred read transaction sees one snapshot already (WAL).
            snapshot_bind = reader_bind
        else:
            # Under READ COMMITTED each statement sees its own snapshot, in a transaction or
            # not: a reader's BEGIN and ROLLBACK would be two round trips that change nothing.
            reader_bind = self._rows_bind = engine.execution_options(
                isolation_level="AUTOCOMMIT")
            # Many statements that must agree, or a server-side cursor (which PostgreSQL opens
            # only inside a transaction): one read-only transaction on one snapshot.
            snapshot_bind = engine.execution_options(isolation_level="REPEATABLE READ",
                                                     postgresql_readonly=True)
        self._reader = sessionmaker(reader_bind, expire_on_commit=False)
        self._snapshot = sessionmaker(snapshot_bind, expire_on_commit=False)
        # SQLite has one writer: writers queue (see `SqliteWriters`) instead of retrying on
        # "database is locked" with growing sleeps, which starves some of them for seconds.
        self._write_lock = SqliteWriters(engine.url.database) \
            if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_url(cls, url: str | URL | None = None, **kwargs: Any) -> Store:
        return cls(make_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        if self._write_lock is None:
            with self._writer.begin() as session:
                yield session
            return
        with self._write_lock, self._writer.begin() as session:
            yield session

    def reader(self) -> AbstractContextManager[Session]:
        return _read_only(self._reader)

    def snapshot(self) -> AbstractContextManager[Session]:
        """A read-only transaction that sees the database as it was at its first statement,
        whatever commits meanwhile: for an export streamed over a server-side cursor."""
        return _read_only(self._snapshot)

    @contextmanager
    def read_rows(self) -> Iterator[Connection]:
        """A Core connection for one read-only statement (each statement sees the database as
        committed when it starts, as `reader()` on PostgreSQL): a Session costs more to set up
        and run a statement through than one small read takes."""
        with self._rows_bind.connect() as connection:
            yield connection

    def ping(self) -> bool:
        """Whether the database answers (for /readyz)."""
        try:
            with self.reader() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means "not ready"; the caller reports it
            return False

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_lock is not None:
            self._write_lock.close()


class SqliteWriters:
    """The queue of writers to one SQLite file: a thread lock for this process's threads, then
    an exclusive flock on `<file>-writers` for other processes' (serve's worker processes, a
    command run beside the bot). Both wait in the kernel and wake at the release. SQLite's own
    busy handler polls instead, every 100 ms after the first tries: a process whose threads
    hand the database on to one another back to back leaves another process's writer polling
    for gaps of microseconds until its busy timeout runs out. An in-memory database, or a
    place where the lock file cannot be made, has only the thread lock (and the busy
    timeout)."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        shared = fcntl is not None and database and database != ":memory:" \
            and not database.startswith("file:")
        self._path = f"{database}-writers" if shared else None
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            fd = self._open()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _open(self) -> int | None:
        if self._fd is None and self._path is not None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:  # a read-only directory: the busy timeout alone
                self._path = None
        return self._fd

    def close(self) -> None:
        with self._threads:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
