"""How many Slack requests are waiting for their answer right now.

The HTTP server counts them; background work that only has to happen soon (the outbox relay
between two rows) gives way while any is waiting, as Slack's 3 seconds run for each of them and
the process has one interpreter lock for all of its threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class InFlight:
    """A thread-safe count of requests being answered."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Counts the request for as long as the block runs."""
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1
                if not self._count:
                    self._idle.notify_all()

    @property
    def count(self) -> int:
        return self._count

    def give_way(self, timeout: float) -> bool:
        """Wait until no request is being answered, at most `timeout` seconds; True if none
        was (or none is left)."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._count, timeout)
