"""Request bodies: over 1 MB is 413 without the body being read (announced, sent whole, or
chunked); anything up to the limit that is not one of Slack's payloads is a 4xx, never a 500,
whether it is signed or not, and reaches no listener."""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.parse

import httpx
import pytest

from bot.slack.server import MAX_BODY

from .conftest import World

LIMIT = MAX_BODY
assert LIMIT == 1024 * 1024  # the "1 MB request body"


@pytest.fixture
def backend() -> str:
    """Refused before any listener: the database is only counted, so SQLite is enough."""
    return "sqlite"


def _status_line(host: str, port: int, head: bytes, body: bytes = b"") -> bytes:
    with socket.create_connection((host, port), timeout=5) as conn:
        conn.sendall(head + body)
        return conn.makefile("rb").readline()


def _head(length: str | None, extra: bytes = b"") -> bytes:
    lines = [b"POST /slack/events HTTP/1.1", b"Host: bot",
             b"Content-Type: application/x-www-form-urlencoded"]
    if length is not None:
        lines.append(b"Content-Length: " + length.encode())
    return b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"


def test_a_body_over_1_mb_is_refused_before_it_is_sent(world: World) -> None:
    host, port = world.url.removeprefix("http://").split(":")
    rows = world.counts()
    started = time.monotonic()
    # Announced as 1 MB + 1 and 100 MB, and never sent: the answer comes from the headers.
    for length in (LIMIT + 1, 100 * LIMIT):
        assert _status_line(host, int(port), _head(str(length))).split()[1] == b"413"
    assert time.monotonic() - started < 2
    assert world.slack.calls == [] and world.counts() == rows


def test_a_body_over_1_mb_sent_whole_or_chunked_is_refused(world: World) -> None:
    host, port = world.url.removeprefix("http://").split(":")
    rows = world.counts()
    try:
        whole = httpx.post(f"{world.url}/slack/events", content=b"x" * (LIMIT + 1),
                           headers={"Content-Type": "application/json"})
    except httpx.TransportError:  # hung up on mid-upload: refused all the same
        pass
    else:
        assert whole.status_code == 413
    chunk = b"y" * 65536
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40)) + b"0\r\n\r\n"
    status = _status_line(host, int(port), _head(None, b"Transfer-Encoding: chunked\r\n"),
                          chunked)
    assert status.split()[1] == b"413"
    assert world.slack.calls == [] and world.counts() == rows
    assert httpx.get(f"{world.url}/healthz").text == "ok"  # and it still serves


def _garbage() -> dict[str, tuple[str, bytes]]:
    """Bodies just under the limit that are not Slack payloads: (content type, body)."""
    n = LIMIT - 1
    form_junk = urllib.parse.urlencode({f"k{i}": "v" for i in range(60_000)}).encode()
    return {
        "random bytes": ("application/octet-stream", os.urandom(n)),
        "random bytes as a form": ("application/x-www-form-urlencoded", os.urandom(n)),
        "not UTF-8": ("application/json", b"{\"a\": \"" + b"\xff" * (n - 9) + b"\"}"),
        "JSON that is not JSON": ("application/json", (b"{" + b"x" * n)[:n]),
        "a JSON array": ("application/json", b"[" + b"1," * ((n - 3) // 2) + b"1]"),
        "JSON nested 500,000 deep": ("application/json", b"[" * 500_000 + b"]" * 500_000),
        "a JSON string": ("application/json", b"\"" + b"a" * (n - 2) + b"\""),
        "payload= that is not JSON": ("application/x-www-form-urlencoded",
                                      b"payload=" + b"%7B" * ((n - 8) // 3)),
        "payload= nested deep": ("application/x-www-form-urlencoded",
                                 b"payload=" + b"%5B" * 300_000),
        "payload= a JSON list": ("application/x-www-form-urlencoded",
                                 b"payload=" + b"%5B1%5D"),
        "60,000 form fields": ("application/x-www-form-urlencoded", form_junk),
        "NUL bytes": ("application/x-www-form-urlencoded", b"\x00" * n),
        "an event with a team that is a string": (
            "application/json", json.dumps({"type": "event_callback", "team_id": 1,
                                            "event": "x", "authorizations": "y",
                                            "team": "z", "enterprise": 5}).encode()),
    }


GARBAGE = _garbage()


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_just_under_the_limit_is_a_4xx_signed_or_not(world: World, name: str) -> None:
    content_type, body = GARBAGE[name]
    assert len(body) < LIMIT
    rows = world.counts()
    sender = world.sender
    with httpx.Client(base_url=world.url, timeout=10) as http:
        for signed in (False, True):
            headers = {"Content-Type": content_type}
            if signed:  # a signature over the exact bytes (as if the secret had leaked)
                headers.update(sender.signed_headers(body.decode("latin-1")))
                if not body.isascii():  # Bolt verifies over the UTF-8 text, so sign that
                    headers.update(sender.signed_headers(body.decode("utf-8", "replace")))
            started = time.monotonic()
            answer = http.post("/slack/events", content=body, headers=headers)
            assert 400 <= answer.status_code < 500, (signed, answer.status_code, answer.text)
            assert time.monotonic() - started < 5
        assert http.get("/healthz").text == "ok"
    # A signed request passes the signature check: Bolt then looks up the bot (auth.test,
    # once) before it finds no listener. Nothing else is called, nothing is stored.
    assert {c.method for c in world.slack.calls} <= {"auth.test"}
    assert world.counts() == rows


@pytest.mark.parametrize("length", ["-1", "abc", "1, 2", " "])
def test_a_nonsense_content_length_is_a_4xx(world: World, length: str) -> None:
    host, port = world.url.removeprefix("http://").split(":")
    status = _status_line(host, int(port), _head(length), b"text=hi")
    assert status.startswith(b"HTTP/1.1 4"), status
    assert world.slack.calls == []
