"""Run the Alembic migrations from code: `launchbot db upgrade` and the server's start-up.

Safe when several replicas start at once: the whole upgrade runs in one transaction that first
takes a lock (PostgreSQL: a transaction-level advisory lock; SQLite: BEGIN IMMEDIATE, the
database's write lock). The replicas that wait then find the schema at head: a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

from bot.store.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
# Any fixed 64-bit number; it names "launchbot schema upgrade" among advisory locks.
ADVISORY_LOCK_KEY = 0x6C61756E6368  # "launch"


def alembic_config(url: str | URL | None = None) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    if url is not None:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        cfg.set_main_option("sqlalchemy.url", str(url).replace("%", "%%"))
    return cfg


@contextmanager
def upgrade_lock(connection: Connection) -> Iterator[None]:
    """Hold the schema-upgrade lock for the rest of `connection`'s current transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": ADVISORY_LOCK_KEY})
    # SQLite: the transaction began with BEGIN IMMEDIATE (bot.store.db), which is the lock.
    yield


def upgrade(url: str | URL | Engine | None = None, revision: str = "head") -> None:
    """Bring the database at `url` (or DATABASE_URL's default) to `revision`."""
    _migrate(command.upgrade, url, revision)


def downgrade(url: str | URL | Engine | None = None, revision: str = "base") -> None:
    _migrate(command.downgrade, url, revision)


def _migrate(step: Callable[[Config, str], None], url: str | URL | Engine | None,
             revision: str) -> None:
    """Run an Alembic `step` to `revision` under the upgrade lock, in one transaction."""
    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        with engine.begin() as connection, upgrade_lock(connection):
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            step(cfg, revision)
    finally:
        if not isinstance(url, Engine):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
