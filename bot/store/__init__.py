"""Persistence: SQLAlchemy 2 models, the engine and unit of work, queries, the outbox and
exactly-once bookkeeping. Migrations (`bot.store.migrate`) are the only way the schema is made."""

from bot.store.db import Store, make_engine, normalize_url
from bot.store.models import OPEN_STATES, UNDECIDED_STATES, RequestState

__all__ = ["OPEN_STATES", "UNDECIDED_STATES", "RequestState", "Store", "make_engine",
           "normalize_url"]
