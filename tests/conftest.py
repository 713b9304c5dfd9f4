"""Database fixtures: every store and workflow test runs on SQLite, and on PostgreSQL when
TEST_DATABASE_URL is set (e.g. postgresql://postgres@127.0.0.1:5432/test).

The schema is made by the migrations, once per session per database: SQLite tests each get a
copy of a migrated file; PostgreSQL tests share a schema of their own (search_path), emptied
after each test. `fresh_url` gives an empty database for the migration tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from bot.store.db import Store, make_engine, normalize_url
from bot.store.migrate import upgrade

PG_ENV = "TEST_DATABASE_URL"
PG_URL = os.environ.get(PG_ENV)
TABLES = ("integration_deploys", "attachments", "audit_events", "outbox", "requests",
          "ticket_messages", "ticket_attachments", "ticket_events", "tickets",
          "integrations", "job_claims", "processed_events", "team_members",
          "team_workspaces", "team_channels", "team_events", "teams")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgresql,
        pytest.mark.skipif(not PG_URL, reason=f"{PG_ENV} is not set"),
    ]),
]


@pytest.fixture(autouse=True)
def _no_url_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live URL probes are off in tests (the probe tests turn them on, on loopback only)."""
    monkeypatch.setenv("URL_PROBES", "false")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against TEST_DATABASE_URL")


def pg_schema_url(schema: str) -> URL:
    """TEST_DATABASE_URL with every connection's search_path set to `schema`."""
    assert PG_URL
    return normalize_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})


class PgSchemas:
    """Creates schemas in the test database and drops them at the end of the session."""

    def __init__(self) -> None:
        # No pool: a connection kept from before the drill restarts PostgreSQL would be dead.
        self.admin = create_engine(normalize_url(PG_URL), isolation_level="AUTOCOMMIT",
                                   poolclass=NullPool)
        self.made: list[str] = []

    def new(self) -> URL:
        schema = f"lbtest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.made.append(schema)
        return pg_schema_url(schema)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for schema in self.made:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[PgSchemas | None]:
    if not PG_URL:
        yield None
        return
    schemas = PgSchemas()
    yield schemas
    schemas.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade(f"sqlite:///{path}")  # disposes its engine: the WAL is checkpointed into the file
    return path


@pytest.fixture(scope="session")
def pg_migrated(pg_schemas: PgSchemas | None) -> URL | None:
    if pg_schemas is None:
        return None
    url = pg_schemas.new()
    upgrade(url)
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path, sqlite_template: Path,
           request: pytest.FixtureRequest) -> Iterator[URL]:
    """A migrated, empty database for this test."""
    if backend == "sqlite":
        path = tmp_path / "launchbot.db"
        shutil.copyfile(sqlite_template, path)
        yield make_url(f"sqlite:///{path}")
        return
    url = request.getfixturevalue("pg_migrated")
    yield url
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def db(db_url: URL) -> Iterator[Store]:
    """A Store on a migrated, empty database (SQLite file, or a PostgreSQL schema)."""
    store = Store.from_url(db_url)
    yield store
    store.dispose()


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path,
              pg_schemas: PgSchemas | None) -> URL:
    """An empty database with no schema at all (for the migration tests)."""
    if backend == "sqlite":
        return make_url(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert pg_schemas is not None
    return pg_schemas.new()
