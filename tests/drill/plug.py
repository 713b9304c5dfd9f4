"""A TCP relay in front of PostgreSQL whose plug can be pulled: every open connection is cut
and new ones are refused, as when the database server goes away, until it is put back."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from typing import Self


class Plug:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._pulled = False
        self._closed = False

    def start(self) -> Self:
        threading.Thread(target=self._accept, daemon=True, name="plug").start()
        return self

    def pull(self) -> None:
        """The database is gone: cut every connection; refuse new ones."""
        with self._lock:
            self._pulled = True
            for sock in self._open:
                _cut(sock)
            self._open.clear()

    def put_back(self) -> None:
        with self._lock:
            self._pulled = False

    def close(self) -> None:
        self._closed = True
        self.pull()
        self._listener.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._pulled:
                    _cut(client)
                    continue
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    _cut(client)
                    continue
                upstream.settimeout(None)
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
            _cut(source)
            _cut(sink)


def _cut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
