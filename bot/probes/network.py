"""The only way a probe reaches the network: an httpx transport whose connections go to
addresses vetted after DNS resolution.

httpx resolves and connects in one step, so a name that resolves to a public address when
checked and to a private one when connected (DNS rebinding) would slip through a check made
beforehand. Here the transport's network backend resolves the name itself, refuses it when any
address is not public (`addresses.refusal`), and connects to the vetted address; TLS still
verifies the certificate against the name. Every redirect is a new connection through the same
backend, so it is vetted too.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

from bot.probes.addresses import Address, refusal

Resolver = Callable[[str, int], Sequence[Address]]


class Unresolvable(Exception):
    """The host has no address."""


class RefusedAddress(Exception):
    """The host resolves to an address a probe must not connect to."""

    def __init__(self, host: str, address: Address, why: str) -> None:
        super().__init__(f"{host} resolves to {address}, {why}")
        self.host, self.address, self.why = host, address, why


def system_resolver(host: str, port: int) -> list[Address]:
    """The host's addresses from the system resolver (an IP literal is its own address)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(host) from exc
    found: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


class VettedBackend(httpcore.NetworkBackend):
    """Resolves, refuses what is not public, connects to what is."""

    def __init__(self, resolve: Resolver, *, allow_loopback: bool = False) -> None:
        self.resolve = resolve
        self.allow_loopback = allow_loopback
        self.inner = httpcore.SyncBackend()

    def vetted(self, host: str, port: int) -> list[Address]:
        addresses = list(self.resolve(host, port))
        if not addresses:
            raise Unresolvable(host)
        for address in addresses:  # one bad address is enough: the name could pick it later
            why = refusal(address, allow_loopback=self.allow_loopback)
            if why:
                raise RefusedAddress(host, address, why)
        return addresses

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in self.vetted(host, port):
            try:
                return self.inner.connect_tcp(str(address), port, timeout=timeout,
                                              local_address=local_address,
                                              socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("a probe never connects to a local socket")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class VettedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on a VettedBackend (HTTP/1.1, no proxies)."""

    def __init__(self, backend: VettedBackend, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, max_connections=4,
                                             network_backend=backend)
