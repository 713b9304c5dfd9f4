"""Live checks of a request's production URLs: advisory notes and warnings, never errors (an
environment with its ATO may not be live yet).

For each host (scheme, name, port) among the URLs probed, one GET without credentials, cookies
or body, redirects followed by hand (each one vetted): does the name resolve to a public
address, does it answer over HTTPS with a certificate valid for the name and not expiring
within 30 days, does it stay on https. A short timeout per probe and a cap on probes running at
once; nothing is read past the response headers.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from bot.models import Finding, parse_request
from bot.probes.network import (
    RefusedAddress,
    Resolver,
    Unresolvable,
    VettedBackend,
    VettedTransport,
    system_resolver,
)
from bot.rules.catalog import finding
from bot.rules.urls import urls_of

log = logging.getLogger(__name__)

# The production URLs worth probing: where the identity provider sends people and messages.
PROBED_FIELDS = frozenset({"redirect_uris", "push_notification_url", "failure_to_proof_url",
                           "acs_url", "assertion_consumer_logout_service_url"})
PROBED_KINDS = frozenset({"launch", "change"})  # production; a staging request's are not
USER_AGENT = "launchbot-url-probe/1 (advisory check of a launch request; no data is sent)"
GIVE_WAY_SECONDS = 1.0  # the longest a background probe job waits for Slack's requests to pass


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ProbeOptions:
    timeout: float = 5.0  # seconds, per connection, read or TLS handshake
    concurrency: int = 8  # probes running at once, per process
    max_hosts: int = 20  # hosts probed per request; the rest get one note
    max_redirects: int = 5
    expiry_days: int = 30
    allow_loopback: bool = False  # tests only: their TLS servers listen on 127.0.0.1
    ca_file: str | None = None  # trust these CAs instead of the bundled ones

    @classmethod
    def from_settings(cls, settings: Any) -> ProbeOptions:
        return cls(timeout=settings.url_probe_timeout,
                   concurrency=settings.url_probe_concurrency,
                   allow_loopback=settings.url_probe_allow_loopback,
                   ca_file=settings.url_probe_ca_file)


def _ssl_context(ca_file: str | None) -> ssl.SSLContext:
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    import certifi  # httpx's own trust store

    return ssl.create_default_context(cafile=certifi.where())


def _verify_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _not_after(response: httpx.Response) -> datetime | None:
    stream = response.extensions.get("network_stream")
    tls = stream.get_extra_info("ssl_object") if stream is not None else None
    cert = tls.getpeercert() if tls is not None else None
    if not cert or "notAfter" not in cert:
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not host:
        return None
    return "https", host, port or 443


class Stopped(Exception):
    """The probes' threads are gone: the prober was closed or the process is exiting."""


class Prober:
    """One per process (its pool is the cap on concurrent probes). Thread-safe.

    `give_way(seconds)` waits while the process is answering Slack (bot.ops.inflight): a job
    in the background first lets the requests waiting on their 3 seconds go, for at most
    GIVE_WAY_SECONDS, as probes are advice that can come a little later."""

    def __init__(self, options: ProbeOptions | None = None, *,
                 resolve: Resolver = system_resolver,
                 clock: Callable[[], datetime] = wall_clock,
                 ssl_context: ssl.SSLContext | None = None,
                 give_way: Callable[[float], object] | None = None) -> None:
        self.options = options or ProbeOptions()
        self.clock = clock
        self.give_way = give_way
        self.backend = VettedBackend(resolve, allow_loopback=self.options.allow_loopback)
        self.ssl_context = ssl_context or _ssl_context(self.options.ca_file)
        self.pool = ThreadPoolExecutor(max_workers=self.options.concurrency,
                                       thread_name_prefix="url-probe")
        # Whole requests probed after the fact; each hands its URLs to `pool`.
        self.jobs = ThreadPoolExecutor(max_workers=2, thread_name_prefix="url-probe-job")
        self._closed = threading.Event()
        self._said_dropped = threading.Lock()

    def later(self, job: Callable[[], None]) -> None:
        """Run `job` (probing a request, keeping the results) in the background. Once the
        prober is closed (the process stopping), a job is dropped: probes are advice."""
        def run() -> None:
            if self.give_way is not None:
                self.give_way(GIVE_WAY_SECONDS)
            try:
                job()
            except Stopped:
                self._dropped()
            except Exception:  # advice that failed is logged, never raised at anyone
                if self._closed.is_set():  # its pool went away under it: shutting down
                    self._dropped()
                    return
                log.exception("a URL probe job failed")
        if self._closed.is_set():
            self._dropped()
            return
        try:
            self.jobs.submit(run)
        except RuntimeError:  # closed since the check above
            self._dropped()

    def _dropped(self) -> None:
        """Said once: the jobs left when the process stops are not an error each."""
        if self._said_dropped.acquire(blocking=False):
            log.info("URL probes stopped: the process is shutting down")

    def close(self) -> None:
        self._closed.set()
        self.jobs.shutdown(wait=False, cancel_futures=True)
        self.pool.shutdown(wait=False, cancel_futures=True)

    # One URL

    def probe_url(self, url: str, field: str | None = None) -> list[Finding]:
        """What probing `url` found: findings on `field`."""
        options = self.options
        host = _origin(url)
        if host is None:
            return []
        name = host[1]
        timeout = httpx.Timeout(options.timeout)
        transport = VettedTransport(self.backend, self.ssl_context)
        found: list[Finding] = []
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False,
                          trust_env=False, headers={"User-Agent": USER_AGENT}) as client:
            current = url
            for _hop in range(options.max_redirects + 1):
                current_host = urlsplit(current).hostname or name
                client.cookies.clear()  # nothing a server set is ever sent back
                try:
                    with client.stream("GET", current) as response:
                        expires = _not_after(response)
                        location = response.headers.get("location")
                        status = response.status_code
                except RefusedAddress as refused:
                    return [*found, finding("PROBE-ADDRESS", field, (
                        f"{refused.host} resolves to {refused.address}, {refused.why}: "
                        "not probed. A production URL must be reachable from the internet."))]
                except Unresolvable:
                    return [*found, finding("PROBE-DNS", field, (
                        f"{current_host} does not resolve (yet): fine if the environment is "
                        "not live, but it must be by the deploy day."))]
                except httpx.TimeoutException:
                    return [*found, finding("PROBE-HTTPS", field, (
                        f"{current_host} did not answer over HTTPS within "
                        f"{options.timeout:g} seconds."))]
                except httpx.HTTPError as exc:
                    bad_cert = _verify_error(exc)
                    if bad_cert is not None:
                        why = bad_cert.verify_message or str(bad_cert)
                        return [*found, finding("PROBE-CERT", field, (
                            f"{current_host} presents a certificate that is not valid: "
                            f"{why}."))]
                    return [*found, finding("PROBE-HTTPS", field, (
                        f"{current_host} does not answer over HTTPS: "
                        f"{type(exc).__name__}."))]
                if expires is not None and expires - self.clock() < timedelta(
                        days=options.expiry_days):
                    found.append(finding("PROBE-CERT-EXPIRY", field, (
                        f"{current_host}'s certificate expires on {expires:%Y-%m-%d}, within "
                        f"{options.expiry_days} days: renew it before the deploy.")))
                if not (300 <= status < 400 and location):
                    until = f"; certificate valid until {expires:%Y-%m-%d}" if expires else ""
                    return [*found, finding("PROBE-OK", field, (
                        f"{current_host} answers over HTTPS (HTTP {status}{until})."))]
                target = urljoin(current, location)
                if urlsplit(target).scheme.lower() != "https":
                    return [*found, finding("PROBE-HTTP-REDIRECT", field, (
                        f"{current_host} redirects to plain http ({target[:200]}): "
                        "keep every hop on https."))]
                current = target
        return [*found, finding("PROBE-HTTPS", field, (
            f"{name} redirects more than {options.max_redirects} times: not followed further."))]

    # A request

    def targets(self, data: Mapping[str, Any] | Any) -> tuple[list[tuple[str, str]], int]:
        """(field path, URL) of the first URL of each host probed, and how many hosts are
        left out over the cap."""
        request = data
        if isinstance(data, Mapping):
            request, _ = parse_request(data)
        if request is None or request.kind.value not in PROBED_KINDS:
            return [], 0
        first: dict[tuple[str, str, int], tuple[str, str]] = {}
        for name, path, url in urls_of(request):
            host = _origin(url) if name in PROBED_FIELDS else None
            if host is not None and host not in first:
                first[host] = (path, url)
        chosen = list(first.values())
        return chosen[: self.options.max_hosts], max(0, len(chosen) - self.options.max_hosts)

    def probe_request(self, data: Mapping[str, Any] | Any) -> list[Finding]:
        """The findings of probing a request's production URLs (YAML/JSON data or a parsed
        bot.models.Request); [] when it has none."""
        chosen, left_out = self.targets(data)
        try:
            futures = [self.pool.submit(self.probe_url, url, path) for path, url in chosen]
        except RuntimeError as exc:  # the pool is shut down: closed, or the interpreter exiting
            raise Stopped from exc
        # Each probe has its own timeouts; this bounds a stuck DNS lookup, which has none.
        budget = self.options.timeout * (self.options.max_redirects + 2) * 2
        wait(futures, timeout=budget)
        found: list[Finding] = []
        for (path, url), future in zip(chosen, futures, strict=True):
            if not future.done():
                future.cancel()
                found.append(finding("PROBE-HTTPS", path, (
                    f"{urlsplit(url).hostname} did not finish answering in time.")))
                continue
            try:
                found.extend(future.result())
            except Exception:  # a probe is advice: its failure is a note, never the caller's
                log.exception("probing %s failed", urlsplit(url).hostname)
                found.append(finding("PROBE-HTTPS", path, (
                    f"{urlsplit(url).hostname} could not be probed.")))
        if left_out:
            found.append(finding("PROBE-SKIPPED", None, (
                f"{left_out} more hosts not probed (at most {self.options.max_hosts} per "
                "request).")))
        return found


def probe_findings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule.startswith("PROBE-")]
