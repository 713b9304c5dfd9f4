"""An outage in the log: one line when it starts, a reminder at most once a minute while it
lasts, one line when it ends (instead of one line per retry)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

REMINDER_SECONDS = 60.0


class OutageLog:
    def __init__(self, log: logging.Logger, what: str, *, reminder: float = REMINDER_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.log = log
        self.what = what
        self.reminder = reminder
        self.clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._last_line = 0.0
        self._failures = 0

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, error: str, *, exc_info: BaseException | None = None) -> None:
        """One more failure: logged when it starts the outage, or as the minute's reminder."""
        with self._lock:
            now = self.clock()
            self._failures += 1
            if self._since is None:
                self._since = self._last_line = now
                self.log.error("%s unavailable: %s", self.what, error, exc_info=exc_info)
            elif now - self._last_line >= self.reminder:
                self._last_line = now
                self.log.warning("%s still unavailable after %.0f s (%d failures): %s",
                                 self.what, now - self._since, self._failures, error)

    def ok(self) -> None:
        """A success: ends the outage, with one line, if there was one."""
        with self._lock:
            if self._since is None:
                return
            self.log.warning("%s back after %.0f s (%d failures)", self.what,
                             self.clock() - self._since, self._failures)
            self._since = None
            self._failures = 0
