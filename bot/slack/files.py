"""Files a partner uploaded through a modal's file input (logo, certificates).

A `view_submission` carries the file objects in the file input's state (`files`, with
`url_private_download`); when it does, that URL is fetched directly. Otherwise (file IDs kept
from an earlier round trip) `files.info` says where the content is. The URL is fetched with the
bot token, and the token goes only to Slack: a URL whose scheme, host (the Web API's host or a
subdomain of it: slack.com → files.slack.com) or port differs is never requested, whichever of
the two it came from, and redirects are not followed. The files of one submission are fetched
at once (one thread each) over one pooled HTTP client shared by the process, so a submission
waits about one Slack round trip instead of four. Content is streamed with a size cap, and
every failure becomes a reason in `unreadable` (shown to the partner), never an exception.
"""

from __future__ import annotations

import logging
import re
import ssl
import time
import unicodedata
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024  # a logo is at most 51,200 bytes (docs/rules.md) and certificates are small
TIMEOUT = 5.0  # seconds for all the downloads of one call (files.info has the client's)
NOT_SLACK = "not a Slack file URL"
_UNSAFE = re.compile(r"[^\w .()+,=@-]")


@dataclass
class FetchedFiles:
    """`files` by (safe, unique) name; `unreadable` by name with the reason; `names` maps each
    file ID to the name it got in either."""

    files: dict[str, bytes] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # by name: the file's Slack permalink


class _Unreadable(Exception):
    """Why one file could not be read (the message is shown to the partner)."""


def safe_name(name: object, file_id: str) -> str:
    """A file name fit to be a key and a label: the last path component, printable, short.
    `../../etc/passwd` becomes `passwd`; nothing usable becomes `file-<id>`."""
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub("_", text).strip(" .")
    if not text:
        return f"file-{file_id}"
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = (stem[:110] + dot + ext[:9]) if dot and len(ext) <= 9 else text[:120]
    return text


def _unique(name: str, taken: dict[str, str]) -> str:
    if name not in taken.values():
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while (candidate := f"{stem}-{n}{dot}{ext}") in taken.values():
        n += 1
    return candidate


def is_slack_url(url: httpx.URL, api: httpx.URL) -> bool:
    """Whether `url` is on the Web API's host (or a subdomain), with its scheme and port."""
    if url.scheme != api.scheme or url.userinfo or not url.host or not api.host:
        return False
    host, api_host = url.host.lower().rstrip("."), api.host.lower().rstrip(".")
    if host != api_host and not host.endswith("." + api_host):
        return False
    default = {"https": 443, "http": 80}.get(api.scheme)
    return (url.port or default) == (api.port or default)


@cache
def _tls() -> ssl.SSLContext:
    """Loading the CA bundle costs ~20 ms; every download can share one context."""
    return ssl.create_default_context()


@cache
def _pool() -> httpx.Client:
    """One connection pool for every download of the process (httpx clients are thread-safe):
    a submission reuses a kept-alive TLS connection to Slack instead of opening its own. The
    token goes on each request, not on the client."""
    return httpx.Client(follow_redirects=False, verify=_tls(), timeout=TIMEOUT,
                        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))


def warm() -> None:
    """Build the TLS context, connection pool and download threads before the first
    submission: done by the first partners at once, inside their 3 seconds, it cost seconds
    on a busy machine (and the downloads timed out)."""
    _pool()
    _fetchers()


@cache
def _fetchers() -> ThreadPoolExecutor:
    """Threads that download for every submission of the process: starting threads per
    submission costs more than the download on a busy machine. The downloads are bounded
    by their deadline, so a slow Slack cannot hold a thread for long."""
    return ThreadPoolExecutor(max_workers=32, thread_name_prefix="file-fetch")


def payload_files(state_values: object) -> dict[str, Mapping[str, object]]:
    """The file objects a `view_submission` carries in its file inputs' state, by file ID."""
    found: dict[str, Mapping[str, object]] = {}
    if not isinstance(state_values, Mapping):
        return found
    for actions in state_values.values():
        for state in actions.values() if isinstance(actions, Mapping) else ():
            if not isinstance(state, Mapping) or state.get("type") != "file_input":
                continue
            files = state.get("files")
            for item in files if isinstance(files, list) else ():
                if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                    found[item["id"]] = item
    return found


def fetch_files(client: WebClient, file_ids: Sequence[str], *, settings: Settings,
                known: Mapping[str, Mapping[str, object]] | None = None,
                max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> FetchedFiles:
    """Read each uploaded file, all at once: from the download URL in `known` (the file objects
    of the submission, see `payload_files`) or else the one files.info gives, with the bot
    token. `timeout` bounds the downloads together, so a caller inside Slack's 3-second window
    can give them what is left of it."""
    deadline = time.monotonic() + timeout
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    api = httpx.URL(settings.slack_api_url)
    known = known or {}
    unique = list(dict.fromkeys(file_ids))  # each once, in order

    def read(file_id: str) -> tuple[dict[str, object] | None, bytes | str]:
        info = dict(known.get(file_id) or {})
        try:
            if not _download_url(info):
                info = _info(client, file_id)
        except _Unreadable as exc:
            return None, str(exc)
        try:
            return info, _download(_pool(), token, info, api, max_bytes, timeout, deadline)
        except _Unreadable as exc:
            log.info("file %s is unreadable: %s", file_id, exc)
            return info, str(exc)

    # All but the first in the shared pool; the first in this thread meanwhile.
    others = [_fetchers().submit(read, file_id) for file_id in unique[1:]]
    outcomes = [read(file_id) for file_id in unique[:1]] + [f.result() for f in others]

    result = FetchedFiles()
    for file_id, (info, content) in zip(unique, outcomes, strict=True):
        # Names are given in the order the files were listed, whatever finished first.
        label = safe_name(info.get("name") or info.get("title"), file_id) if info is not None \
            else f"file-{file_id}"
        name = _unique(label, result.names)
        result.names[file_id] = name
        link = info.get("permalink") if info is not None else None
        if isinstance(link, str) and _safe_link(link):
            result.links[name] = link
        if isinstance(content, bytes):
            result.files[name] = content
        else:
            result.unreadable[name] = content
    return result


def _safe_link(link: str) -> bool:
    """An https URL that mrkdwn's <url|text> can carry as it is."""
    return (link.startswith("https://") and len(link) <= 1024
            and not any(c in link for c in "<>| \n"))


def _download_url(info: Mapping[str, object]) -> object:
    return info.get("url_private_download") or info.get("url_private")


def _info(client: WebClient, file_id: str) -> dict[str, object]:
    try:
        response = client.files_info(file=file_id)
    except SlackApiError as exc:
        raise _Unreadable(f"Slack could not describe the file ({exc.response.get('error')})") \
            from None
    except Exception as exc:  # network errors, after the client's retries
        raise _Unreadable(f"Slack could not be reached ({type(exc).__name__})") from None
    info = response.get("file")
    if not isinstance(info, dict):
        raise _Unreadable("Slack could not describe the file")
    return info


def _download(http: httpx.Client, token: str, info: Mapping[str, object], api: httpx.URL,
              max_bytes: int, timeout: float, deadline: float) -> bytes:
    raw_url = _download_url(info)
    if not isinstance(raw_url, str) or not raw_url:
        raise _Unreadable("the file has no download link (an external file?)")
    try:
        url = httpx.URL(raw_url)
    except httpx.InvalidURL:
        raise _Unreadable(NOT_SLACK) from None
    if not is_slack_url(url, api):
        # The bot token must never be sent anywhere else.
        log.warning("refused to fetch file %s from a non-Slack host %r", info.get("id"), url.host)
        raise _Unreadable(NOT_SLACK)
    size = info.get("size")
    if isinstance(size, int) and size > max_bytes:
        raise _Unreadable(_too_large(max_bytes))
    timed_out = _Unreadable(f"the download timed out (over {timeout:g} s)")
    left = deadline - time.monotonic()
    if left <= 0:
        raise timed_out
    try:
        with http.stream("GET", url, timeout=left,
                         headers={"Authorization": f"Bearer {token}"}) as response:
            if response.is_redirect:
                # Slack redirects a request it does not accept to its sign-in page.
                raise _Unreadable("Slack refused the download (does the app have files:read?)")
            if response.status_code != 200:
                raise _Unreadable(f"the download failed (HTTP {response.status_code})")
            if _is_html(response) and not str(info.get("mimetype", "")).startswith("text/html"):
                raise _Unreadable("Slack answered with a web page instead of the file")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise _Unreadable(_too_large(max_bytes))
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise _Unreadable(_too_large(max_bytes))
                if time.monotonic() > deadline:  # a trickle that never trips the read timeout
                    raise timed_out
                chunks.append(chunk)
    except httpx.TimeoutException:
        raise timed_out from None
    except httpx.HTTPError as exc:
        raise _Unreadable(f"the download failed ({type(exc).__name__})") from None
    return b"".join(chunks)


def _too_large(max_bytes: int) -> str:
    return f"too large (over {max_bytes:,} bytes)"


def _is_html(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").split(";")[0].strip().lower() == "text/html"
