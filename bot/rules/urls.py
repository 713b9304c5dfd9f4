"""URL rules: URL-NORM, URL-SHAPE, URL-HOST, URL-HTTPS, URL-LOCAL, URL-DOMAIN, URL-DEDICATED,
URL-PUSH. Paths are never lower-cased: URIs are case sensitive."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from urllib.parse import SplitResult, urlsplit

from publicsuffixlist import PublicSuffixList

from bot.models import URL_FIELDS, Finding, Request
from bot.rules.base import Subject
from bot.rules.catalog import finding

REFUSED_SCHEMES = frozenset({"ftp", "sftp", "ldap", "ldaps", "file", "mailto"})
WEB_SCHEMES = frozenset({"http", "https"})
_HOST = re.compile(r"^[a-z0-9\-_.]+$", re.IGNORECASE)
_SPACE = re.compile(r"\s")  # str.isspace's characters, without a Python loop per character
_CACHED_URL_MAX = 2048  # longer values are judged each time: junk must not pin memory


@cache
def _suffix_lists() -> tuple[PublicSuffixList, PublicSuffixList]:
    # The list is bundled in the package; loading it takes ~70 ms, so once per process.
    return PublicSuffixList(), PublicSuffixList(only_icann=True)


def shared_platform(host: str) -> str | None:
    """The shared-platform suffix (PSL private section) a host sits under, e.g. herokuapp.com."""
    full, icann = _suffix_lists()
    suffix = full.publicsuffix(host.lower())
    return suffix if suffix and suffix != icann.publicsuffix(host.lower()) else None


def normalize(request: Request) -> tuple[Request, list[Finding]]:
    """URL-NORM: strip whitespace from URL fields and drop blank redirect URIs."""
    update: dict[str, object] = {}
    findings: list[Finding] = []
    for name in URL_FIELDS:
        value = getattr(request, name)
        if name == "redirect_uris" and value is not None:
            cleaned = [uri.strip() for uri in value if uri.strip()]
            if cleaned != value:
                update[name] = cleaned
                findings.append(finding("URL-NORM", name,
                                        "blank redirect URIs dropped and whitespace stripped"))
        elif isinstance(value, str) and value != value.strip():
            update[name] = value.strip() or None
            findings.append(finding("URL-NORM", name, f"whitespace stripped from {name}"))
    return (request.model_copy(update=update) if update else request), findings


def urls_of(request: Request) -> Iterator[tuple[str, str, str]]:
    """(field name, field path, value) for every URL the request carries."""
    for name in URL_FIELDS:
        value = getattr(request, name)
        if name == "redirect_uris":
            for i, uri in enumerate(value or ()):
                yield name, f"redirect_uris[{i}]", uri
        elif value:
            yield name, name, value


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _shape(name: str, path: str, value: str) -> tuple[SplitResult | None, Finding | None]:
    def bad(message: str) -> tuple[None, Finding]:
        return None, finding("URL-SHAPE", path, f"{path}: {message}")

    if "*" in value:
        return bad("wildcards (*) are not allowed; list each URL")
    if _SPACE.search(value):
        return bad("a URL cannot contain spaces")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return bad(f"not a valid URL ({exc})")
    scheme = parts.scheme.lower()
    if not scheme:
        return bad("not a URL: it needs a scheme, e.g. https://")
    if scheme in REFUSED_SCHEMES:
        return bad(f"the {scheme}: scheme is not allowed")
    if scheme in WEB_SCHEMES:
        if not parts.hostname:
            return bad("a web URL needs a host")
        return parts, None
    if name == "redirect_uris" and (parts.netloc or parts.path):
        return parts, None  # a native app's custom scheme
    if name == "redirect_uris":
        return bad(f"the {scheme}: URI has neither host nor path")
    return bad("must be a web address (https://...)")


def check_urls(subject: Subject) -> Iterator[Finding]:
    com_hosts: list[str] = []
    for name, path, value in urls_of(subject.request):
        if not subject.judges(name):
            continue
        judge = _judge_url if len(value) <= _CACHED_URL_MAX else _judge_url.__wrapped__
        found, com_host = judge(name, path, value)
        yield from found
        if com_host:
            com_hosts.append(com_host)
    attested = subject.request.attestations and subject.request.attestations.dedicated_domain
    if com_hosts and not attested:
        hosts = ", ".join(sorted(set(com_hosts)))
        yield finding("URL-DEDICATED", "attestations.dedicated_domain",
                      f".com hosts ({hosts}) must be dedicated to the agency: confirm "
                      "attestations.dedicated_domain")


@lru_cache(maxsize=4096)
def _judge_url(name: str, path: str, value: str) -> tuple[tuple[Finding, ...], str | None]:
    """One URL's findings, and its host when it is a .com one. Pure, so cached: a partner
    submits the same redirect URIs again and again (each warning round trip, each change)."""
    found = list(_url_findings(name, path, value))
    com_host = found.pop() if found and isinstance(found[-1], str) else None
    return tuple(f for f in found if isinstance(f, Finding)), com_host


def _url_findings(name: str, path: str, value: str) -> Iterator[Finding | str]:
    """The findings of one URL; a .com host that needs the dedicated-domain attestation comes
    last, as a string."""
    parts, problem = _shape(name, path, value)
    if problem:
        yield problem
        return
    assert parts is not None
    if parts.scheme.lower() not in WEB_SCHEMES:
        return  # custom-scheme redirect URIs are exempt from the web rules
    host = parts.hostname or ""
    if name == "push_notification_url":
        if parts.scheme.lower() != "https":
            yield finding("URL-PUSH", path, f"{path}: push notifications are sent over https")
        if parts.port not in (None, 443):
            yield finding("URL-PUSH", path,
                          f"{path}: port {parts.port}; push notifications go to port 443")
    elif parts.scheme.lower() != "https":
        yield finding("URL-HTTPS", path, f"{path}: use https:// in production and staging")
    ip = _ip(host)
    if ip is not None:
        kind = ("a loopback" if ip.is_loopback else "a private" if ip.is_private
                else "a link-local" if ip.is_link_local else "an")
        yield finding("URL-LOCAL", path,
                      f"{path}: {host} is {kind} IP address; use the agency's domain name")
        return
    if host == "localhost" or host.endswith(".localhost"):
        yield finding("URL-LOCAL", path, f"{path}: {host} is not reachable in production")
        return
    if not _HOST.match(host):
        yield finding("URL-HOST", path, f"{path}: host '{host}' may only use letters, "
                                        "digits, '-', '_' and '.'")
        return
    com_hosts: list[str] = []
    yield from _domain(path, host, com_hosts)
    yield from com_hosts


def _domain(path: str, host: str, com_hosts: list[str]) -> Iterator[Finding]:
    tld = host.lower().rstrip(".").rsplit(".", 1)[-1]
    if tld in ("gov", "mil"):
        return
    if tld != "com":
        yield finding("URL-DOMAIN", path,
                      f"{path}: {host} is not on .gov, .mil or a dedicated .com domain")
        return
    platform = shared_platform(host)
    if platform:
        yield finding("URL-DOMAIN", path, f"{path}: {host} is on {platform}, a shared platform; "
                                          "use a domain dedicated to the agency")
        return
    com_hosts.append(host)
