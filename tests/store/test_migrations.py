"""The migrations make the schema, agree with the models, and are safe to run again and from
several replicas at once."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, inspect

from bot.store.db import make_engine
from bot.store.migrate import current_revision, downgrade, head_revision, upgrade
from bot.store.models import Base


def _diff(url: URL) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_models_and_migrations_agree(fresh_url: URL) -> None:
    upgrade(fresh_url)
    assert _diff(fresh_url) == []


def test_upgrade_twice_is_a_no_op(fresh_url: URL) -> None:
    upgrade(fresh_url)
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        assert current_revision(engine) == head_revision()
        assert {"requests", "outbox", "job_claims"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_replicas_upgrading_at_once(fresh_url: URL) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def replica() -> None:
        try:
            barrier.wait()
            upgrade(fresh_url)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _diff(fresh_url) == []


def test_downgrade_to_base_and_back(fresh_url: URL) -> None:
    upgrade(fresh_url)
    downgrade(fresh_url, "base")
    engine = make_engine(fresh_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(fresh_url)
    assert _diff(fresh_url) == []
