"""Alembic environment. The URL comes from the caller (`bot.store.migrate` passes an open
connection, or `sqlalchemy.url` on the Config), else from DATABASE_URL via Settings: it is never
written in a file."""

from __future__ import annotations

from typing import Any

from alembic import context

from bot.store.models import Base
from bot.store.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations spell plain SQLAlchemy types, so they never import application code.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs by copying
        render_item=_render_item,
        compare_type=True,
    )


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.config import Settings

    return Settings().database_url


def run_migrations_offline() -> None:
    from bot.store.db import normalize_url

    context.configure(url=normalize_url(_url()), target_metadata=target_metadata,
                      literal_binds=True, render_item=_render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from bot.store.db import make_engine
    from bot.store.migrate import upgrade_lock

    engine = make_engine(_url())
    try:
        with engine.begin() as connection, upgrade_lock(connection):
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
