"""`launchbot db backup PATH`: a consistent copy of the SQLite store while the bot runs.

SQLite's online backup API copies the database page by page inside one read transaction, so
the copy is the database as of one moment even while `serve` writes (WAL: the bot's writers are
not blocked). The copy is written beside PATH, checked (`PRAGMA integrity_check`), switched to
a single-file journal so it is one self-contained file, then renamed into place. PostgreSQL has
its own tools (pg_dump); this command says so rather than copy half of something.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.request_file import InputError
from bot.store.db import BUSY_TIMEOUT_MS, normalize_url


class BackupError(InputError):
    """The backup cannot be made: one line for the operator."""


@dataclass(frozen=True)
class Backup:
    source: Path
    path: Path
    size: int  # bytes


def backup_sqlite(database_url: str, destination: Path) -> Backup:
    url = normalize_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError("db backup copies the SQLite store; for PostgreSQL use pg_dump "
                          "(see README: back up and restore)")
    source = Path(url.database or "")
    if not source.is_file():
        raise BackupError(f"no SQLite store at {source}")
    if destination.exists():
        raise BackupError(f"{destination} exists; give a new file name (nothing overwritten)")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent} is not a directory")
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # all pages in one read transaction: one consistent moment
                dst.execute("PRAGMA journal_mode=DELETE")
                checked = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if checked != "ok":
            raise BackupError(f"the copy failed its integrity check ({checked}); nothing kept")
        os.replace(partial, destination)
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed: {exc}") from None
    except OSError as exc:
        raise BackupError(f"backup failed: {exc.strerror or exc}: {exc.filename or ''}"
                          ) from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(source=source, path=destination, size=destination.stat().st_size)
