"""The few statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.db import core_connection


@functools.cache
def _ignoring(dialect: str, table: Table, conflict: tuple[str, ...]) -> Insert:
    """INSERT ... ON CONFLICT (conflict) DO NOTHING, made once: SQLAlchemy then finds it in
    its compiled cache without walking the statement again."""
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    raise NotImplementedError(f"unsupported database {dialect}")  # pragma: no cover


def insert_ignore_many(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]],
                       conflict: Sequence[str]) -> None:
    """`insert_ignore` of several rows (with the same keys) in one statement."""
    if rows:
        stmt = _ignoring(session.get_bind().dialect.name, model.__table__, tuple(conflict))
        core_connection(session).execute(stmt, [dict(row) for row in rows])


def insert_ignore(session: Session, model: type[Any], values: Mapping[str, Any],
                  conflict: Sequence[str]) -> bool:
    """INSERT ... ON CONFLICT (conflict) DO NOTHING; True when the row was inserted.

    Unlike catching IntegrityError, this never aborts the surrounding transaction, and a
    concurrent inserter of the same key waits for the first one and then does nothing.
    """
    # Core insert: the ORM bulk path does not report rowcount. The statement is made once,
    # `values` are bound to it.
    stmt = _ignoring_returning(session.get_bind().dialect.name, model.__table__,
                               tuple(conflict))
    return core_connection(session).execute(stmt, dict(values)).first() is not None


@functools.cache
def _ignoring_returning(dialect: str, table: Table, conflict: tuple[str, ...]) -> Insert:
    # RETURNING says reliably whether a row went in (psycopg reports no rowcount here).
    return _ignoring(dialect, table, conflict).returning(table.c[conflict[0]])
