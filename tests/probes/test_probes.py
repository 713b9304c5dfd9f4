"""Live URL probes against real TLS servers on 127.0.0.1 with their own CA, and the refusal of
every non-public address class, judged on the resolved address before any connection is made.

No packet leaves the loopback range: names resolve through a table here, and the backend that
would connect to anything else is replaced by one that records the attempt and refuses it.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.models import Severity
from bot.ops.inflight import InFlight
from bot.probes import ProbeOptions, Prober, probe
from bot.probes.addresses import refusal
from bot.probes.network import Unresolvable
from bot.rules import RULES
from tests.probes.tls import authority, silent_server, tls_server

LOOPBACK = ipaddress.ip_address("127.0.0.1")


class Names:
    """A resolver from a table; a name not in it does not resolve."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = dict(table or {})
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[Any]:
        self.asked.append(host)
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        if host not in self.table:
            raise Unresolvable(host)
        return [ipaddress.ip_address(a) for a in self.table[host]]


class Recorder:
    """Stands in for the socket layer: records each connection attempt and lets only
    loopback through."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.attempts: list[str] = []

    def connect_tcp(self, host: str, port: int, **kwargs: Any) -> Any:
        self.attempts.append(host)
        assert ipaddress.ip_address(host).is_loopback, f"a probe tried to reach {host}"
        return self.inner.connect_tcp(host, port, **kwargs)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def prober(names: Names, tmp_path: Path, *, allow_loopback: bool = True,
           timeout: float = 2.0, max_hosts: int = 20) -> Prober:
    options = ProbeOptions(timeout=timeout, concurrency=4, allow_loopback=allow_loopback,
                           max_hosts=max_hosts,
                           ca_file=authority().write(tmp_path / "ca.pem"))
    made = Prober(options, resolve=names)
    made.backend.inner = Recorder(made.backend.inner)  # type: ignore[assignment]
    return made


@pytest.fixture
def names() -> Names:
    return Names()


@pytest.fixture
def probes(names: Names, tmp_path: Path) -> Iterator[Prober]:
    made = prober(names, tmp_path)
    yield made
    made.close()


def rules_of(found: list[Any]) -> list[str]:
    return [f.rule for f in found]


def test_a_healthy_url_is_a_note(probes: Prober, names: Names, tmp_path: Path) -> None:
    with tls_server("app.probe.test", tmp=tmp_path) as server:
        names.table["app.probe.test"] = ["127.0.0.1"]
        found = probes.probe_url(f"https://app.probe.test:{server.port}/auth/result",
                                 "redirect_uris[0]")
    assert rules_of(found) == ["PROBE-OK"]
    assert found[0].severity is Severity.info and found[0].field == "redirect_uris[0]"
    assert "answers over HTTPS (HTTP 200; certificate valid until" in found[0].message
    request = server.requests[0]
    assert request["path"] == "/auth/result"
    assert "Cookie" not in request and "Authorization" not in request
    assert request["User-Agent"].startswith("launchbot-url-probe")


@pytest.mark.parametrize(("server_kwargs", "rule", "says"), [
    ({"expired": True}, "PROBE-CERT", "certificate has expired"),
    ({"name": "elsewhere.probe.test"}, "PROBE-CERT", "not valid for 'app.probe.test'"),
    ({"valid_days": 10}, "PROBE-CERT-EXPIRY", "within 30 days"),
    ({"status": 302, "location": "http://app.probe.test/plain"}, "PROBE-HTTP-REDIRECT",
     "redirects to plain http (http://app.probe.test/plain)"),
])
def test_certificate_and_redirect_problems_are_warnings(
        probes: Prober, names: Names, tmp_path: Path, server_kwargs: dict[str, Any], rule: str,
        says: str) -> None:
    kwargs = dict(server_kwargs)
    name = kwargs.pop("name", "app.probe.test")
    names.table["app.probe.test"] = ["127.0.0.1"]
    with tls_server(name, tmp=tmp_path, **kwargs) as server:
        found = probes.probe_url(f"https://app.probe.test:{server.port}/", "acs_url")
    warned = [f for f in found if f.rule == rule]
    assert warned and warned[0].severity is Severity.warning, found
    assert says in warned[0].message
    assert all(f.severity is not Severity.error for f in found)


def test_an_untrusted_certificate_is_a_warning(names: Names, tmp_path: Path) -> None:
    """Without the test CA (the bundled trust store), the test server is not trusted."""
    made = Prober(ProbeOptions(timeout=2, allow_loopback=True), resolve=names)
    names.table["app.probe.test"] = ["127.0.0.1"]
    with tls_server("app.probe.test", tmp=tmp_path) as server:
        found = made.probe_url(f"https://app.probe.test:{server.port}/", "acs_url")
    made.close()
    assert rules_of(found) == ["PROBE-CERT"] and "unable to get local issuer" in found[0].message


def test_a_server_that_never_answers_times_out(names: Names, tmp_path: Path) -> None:
    made = prober(names, tmp_path, timeout=0.3)
    names.table["slow.probe.test"] = ["127.0.0.1"]
    with silent_server() as server:
        found = made.probe_url(f"https://slow.probe.test:{server.port}/", "acs_url")
    made.close()
    assert rules_of(found) == ["PROBE-HTTPS"]
    assert "did not answer over HTTPS within 0.3 seconds" in found[0].message
    assert found[0].severity is Severity.info
    assert server.connections


def test_a_name_that_does_not_resolve_is_a_note(probes: Prober) -> None:
    found = probes.probe_url("https://not-live-yet.probe.test/", "failure_to_proof_url")
    assert rules_of(found) == ["PROBE-DNS"] and found[0].severity is Severity.info


REFUSED = [
    ("10.1.2.3", "a private address"),
    ("172.16.0.9", "a private address"),
    ("192.168.1.10", "a private address"),
    ("100.64.0.1", "a private address"),  # carrier-grade NAT
    ("fd12:3456::1", "a private address"),  # unique local
    ("169.254.10.20", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("169.254.170.2", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("100.100.100.200", "a cloud metadata address"),
    ("127.0.0.1", "a loopback address"),
    ("127.8.9.10", "a loopback address"),
    ("::1", "a loopback address"),
    ("::ffff:10.0.0.1", "a private address"),  # IPv4-mapped
    ("::ffff:127.0.0.1", "a loopback address"),
    ("64:ff9b::a9fe:a9fe", "a cloud metadata address"),  # NAT64 of 169.254.169.254
    ("2002:c0a8:0101::1", "a private address"),  # 6to4 of 192.168.1.1
    ("0.0.0.0", "an unspecified address"),
    ("::", "an unspecified address"),
    ("224.0.0.251", "a multicast address"),
    ("ff02::1", "a multicast address"),
    ("240.0.0.1", "a reserved address"),
    ("198.18.0.1", "a private address"),  # benchmarking
]


@pytest.mark.parametrize(("address", "why"), REFUSED)
def test_every_non_public_address_class_is_refused_before_connecting(
        tmp_path: Path, address: str, why: str) -> None:
    names = Names({"inside.probe.test": [address]})
    made = prober(names, tmp_path, allow_loopback=False)
    found = made.probe_url("https://inside.probe.test/", "redirect_uris[3]")
    made.close()
    assert refusal(ipaddress.ip_address(address)) == why
    assert rules_of(found) == ["PROBE-ADDRESS"]
    assert found[0].severity is Severity.warning and found[0].field == "redirect_uris[3]"
    assert f"resolves to {ipaddress.ip_address(address)}, {why}: not probed" in found[0].message
    assert made.backend.inner.attempts == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
                                     "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_ip_literals_are_judged_too(tmp_path: Path) -> None:
    made = prober(Names(), tmp_path, allow_loopback=False)
    for url in ("https://169.254.169.254/latest/meta-data/", "https://[::1]:8443/",
                "https://10.0.0.1/"):
        assert rules_of(made.probe_url(url, "acs_url")) == ["PROBE-ADDRESS"], url
    made.close()
    assert made.backend.inner.attempts == []  # type: ignore[attr-defined]


def test_one_private_address_among_public_ones_is_enough(tmp_path: Path) -> None:
    names = Names({"mixed.probe.test": ["93.184.215.14", "10.0.0.8"]})
    made = prober(names, tmp_path, allow_loopback=False)
    found = made.probe_url("https://mixed.probe.test/", "acs_url")
    made.close()
    assert rules_of(found) == ["PROBE-ADDRESS"] and "10.0.0.8" in found[0].message
    assert made.backend.inner.attempts == []  # type: ignore[attr-defined]


def test_loopback_without_the_allowance_is_never_connected_to(tmp_path: Path) -> None:
    names = Names({"app.probe.test": ["127.0.0.1"]})
    made = Prober(ProbeOptions(timeout=2, ca_file=authority().write(tmp_path / "ca.pem")),
                  resolve=names)  # the real socket layer, and no allowance
    with tls_server("app.probe.test", tmp=tmp_path) as server:
        found = made.probe_url(f"https://app.probe.test:{server.port}/", "acs_url")
    made.close()
    assert rules_of(found) == ["PROBE-ADDRESS"] and "a loopback address" in found[0].message
    assert server.connections == []


def test_a_redirect_into_the_network_is_refused(probes: Prober, names: Names,
                                                tmp_path: Path) -> None:
    """The first hop is allowed (loopback, test allowance); the redirect's name resolves to the
    metadata address and is refused before any connection."""
    names.table["app.probe.test"] = ["127.0.0.1"]
    names.table["metadata.probe.test"] = ["169.254.169.254"]
    with tls_server("app.probe.test", tmp=tmp_path, status=301,
                    location="https://metadata.probe.test/latest/meta-data/") as server:
        found = probes.probe_url(f"https://app.probe.test:{server.port}/", "acs_url")
    assert rules_of(found) == ["PROBE-ADDRESS"] and "cloud metadata" in found[0].message
    assert names.asked == ["app.probe.test", "metadata.probe.test"]
    assert probes.backend.inner.attempts == ["127.0.0.1"]  # type: ignore[attr-defined]


def test_https_redirects_are_followed_without_cookies(probes: Prober, names: Names,
                                                      tmp_path: Path) -> None:
    names.table["app.probe.test"] = ["127.0.0.1"]
    names.table["www.probe.test"] = ["127.0.0.1"]
    with tls_server("www.probe.test", tmp=tmp_path) as target, \
            tls_server("app.probe.test", tmp=tmp_path, status=302,
                       location=f"https://www.probe.test:{target.port}/home") as first:
        found = probes.probe_url(f"https://app.probe.test:{first.port}/", "acs_url")
    assert rules_of(found) == ["PROBE-OK"] and "www.probe.test answers" in found[0].message
    assert target.requests[0]["path"] == "/home" and "Cookie" not in target.requests[0]


def test_a_request_probes_each_production_host_once(probes: Prober, names: Names,
                                                    tmp_path: Path) -> None:
    names.table["app.probe.test"] = ["127.0.0.1"]
    with tls_server("app.probe.test", tmp=tmp_path) as server:
        base = f"https://app.probe.test:{server.port}"
        request = {
            "kind": "launch", "protocol": "saml",
            "acs_url": f"{base}/saml/acs",
            "assertion_consumer_logout_service_url": f"{base}/saml/logout",
            "failure_to_proof_url": "https://not-live-yet.probe.test/ftp",
            "push_notification_url": "https://10.9.8.7/push",
            "application_url": "https://unprobed.probe.test/",  # not a URL the IdP uses
            "redirect_uris": ["https://cb.probe.test/a", "https://cb.probe.test/b",
                              "mobileapp://callback"],
        }
        found = probes.probe_request(request)
    by_field = {f.field: f.rule for f in found}
    assert by_field == {"acs_url": "PROBE-OK", "failure_to_proof_url": "PROBE-DNS",
                        "push_notification_url": "PROBE-ADDRESS",
                        "redirect_uris[0]": "PROBE-DNS"}
    assert len(server.requests) == 1
    assert "unprobed.probe.test" not in names.asked


def test_at_most_max_hosts_are_probed(tmp_path: Path) -> None:
    made = prober(Names(), tmp_path, max_hosts=3)
    request = {"kind": "change", "redirect_uris": [f"https://h{i}.probe.test/cb"
                                                   for i in range(200)]}
    found = made.probe_request(request)
    made.close()
    assert rules_of(found) == ["PROBE-DNS"] * 3 + ["PROBE-SKIPPED"]
    assert "197 more hosts not probed" in found[-1].message


def test_jobs_caught_by_the_shutdown_are_dropped_quietly(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The process stopping while requests are still being filed: a job already running
    finds the probe pool gone, a job arriving after it is not run; neither is an error."""
    caplog.set_level(logging.INFO, logger="bot.probes.probe")
    made = prober(Names(), tmp_path)
    request = {"kind": "change", "redirect_uris": ["https://h.probe.test/cb"]}
    running, closed = threading.Event(), threading.Event()
    results: list[Any] = []

    def job() -> None:
        running.set()
        closed.wait(5)
        results.append(made.probe_request(request))

    made.later(job)
    assert running.wait(5)
    made.close()
    closed.set()
    made.later(lambda: results.append("run after close"))
    made.jobs.shutdown(wait=True)
    assert results == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r.getMessage() for r in caplog.records if r.name == "bot.probes.probe"] == [
        "URL probes stopped: the process is shutting down"]


def test_a_job_finding_the_pools_stopped_by_the_exiting_interpreter_is_dropped_quietly(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """At exit the interpreter stops every thread pool without the prober being closed: the
    jobs still queued find the probe pool gone, which is not an error either."""
    caplog.set_level(logging.INFO, logger="bot.probes.probe")
    made = prober(Names(), tmp_path)
    request = {"kind": "change", "redirect_uris": ["https://h.probe.test/cb"]}
    made.pool.shutdown(wait=True)  # what the interpreter's exit does to it
    made.later(lambda: made.probe_request(request))
    made.later(lambda: made.probe_request(request))
    made.jobs.shutdown(wait=True)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r.getMessage() for r in caplog.records if r.name == "bot.probes.probe"] == [
        "URL probes stopped: the process is shutting down"]


def test_every_probe_rule_is_in_the_catalog_and_never_an_error() -> None:
    probe_rules = {r.id: r for r in RULES if r.id.startswith("PROBE-")}
    assert set(probe_rules) == {"PROBE-OK", "PROBE-DNS", "PROBE-HTTPS", "PROBE-ADDRESS",
                                "PROBE-CERT", "PROBE-CERT-EXPIRY", "PROBE-HTTP-REDIRECT",
                                "PROBE-SKIPPED"}
    assert all(r.severity is not Severity.error for r in probe_rules.values())


def test_a_probe_job_waits_while_slack_requests_are_being_answered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst of submissions is answered first; each job waits for a quiet moment, and for
    no longer than GIVE_WAY_SECONDS when the burst goes on."""
    monkeypatch.setattr(probe, "GIVE_WAY_SECONDS", 0.5)
    inflight = InFlight()
    made = Prober(ProbeOptions(), resolve=Names(), give_way=inflight.give_way)
    ran = [threading.Event(), threading.Event()]
    try:
        with inflight.answering():
            made.later(ran[0].set)
            assert not ran[0].wait(0.2)  # a request is being answered: the job waits
        assert ran[0].wait(2)  # the moment it is answered, the job runs
        with inflight.answering():
            started = time.monotonic()
            made.later(ran[1].set)
            assert ran[1].wait(5)  # a burst that does not end: the job runs anyway
            assert 0.4 <= time.monotonic() - started < 2
    finally:
        made.close()
