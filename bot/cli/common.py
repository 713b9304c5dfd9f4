"""What every `launchbot` command shares: exit codes, one-line usage errors, argument types,
settings, tables and JSON output, and opening the store."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NoReturn

from pydantic import ValidationError

from bot.calendar import DeployCalendar
from bot.config import Settings, describe
from bot.request_file import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process stopped by SIGPIPE


class UsageError(InputError):
    """Bad arguments or settings: exit 2 with one line."""


def one_line(text: str) -> str:
    """`text` with every character that is not printable escaped (a file name may hold a
    newline or a record separator): an error stays one line on the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (with where to read more), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


# The years the calendar answers for: the holiday rules are not known outside them, and
# date arithmetic near year 1 or 9999 overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2200
MAX_COUNT = 5000  # deploy days in one listing: about a century of Thursdays


def parse_date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years {FIRST_YEAR} to "
                                         f"{LAST_YEAR}")
    return day


def parse_year(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"not a year between {FIRST_YEAR} and {LAST_YEAR}: {text!r}")
    return int(text)


def parse_positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_COUNT:
        raise argparse.ArgumentTypeError(
            f"not a whole number from 1 to {MAX_COUNT}: {text!r}")
    return int(text)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise UsageError(describe(exc)) from None


def local_today(calendar: DeployCalendar) -> date:
    return datetime.now(calendar.tz).date()


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    widths[-1] = 0  # the last column runs free
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return "\n".join(lines)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def store_url(settings: Settings) -> str:
    from bot.store.db import normalize_url

    try:
        return normalize_url(settings.database_url).render_as_string(hide_password=False)
    except Exception:  # Settings refuses these already; never repeat a URL (its password)
        raise UsageError("DATABASE_URL: not a database URL") from None


def db_error(exc: Exception) -> UsageError:
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return UsageError(f"database: {first}")


def _refuse_missing_sqlite_file(url: str) -> None:
    """Opening a SQLite path creates the file: a mistyped DATABASE_URL would leave an empty
    database behind. Only `db upgrade` (and `serve`, which migrates) make one."""
    from pathlib import Path

    from bot.store.db import normalize_url

    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database \
            and not parsed.database.startswith("file:") and not Path(parsed.database).exists():
        raise UsageError(f"DATABASE_URL: there is no database at {parsed.database}: run "
                         "`launchbot db upgrade` to make it")


def store_for(settings: Settings) -> Any:
    """The Store for DATABASE_URL, its PostgreSQL pool sized by the settings."""
    from bot.store.db import Store, normalize_url

    url = store_url(settings)
    if normalize_url(url).get_backend_name() != "postgresql":
        return Store.from_url(url)
    return Store.from_url(url, pool_size=settings.database_pool_size,
                          max_overflow=settings.database_max_overflow)


def open_store(settings: Settings) -> Any:
    """The Store for DATABASE_URL, refusing a database that is not at the latest schema."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.migrate import is_up_to_date

    _refuse_missing_sqlite_file(store_url(settings))
    store = store_for(settings)
    try:
        if not is_up_to_date(store.engine):
            store.dispose()
            raise UsageError("the database schema is not up to date: run `launchbot db upgrade`")
    except SQLAlchemyError as exc:
        store.dispose()
        raise db_error(exc) from None
    return store
