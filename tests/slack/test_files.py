"""Fetching uploaded files: the URL the submission carries (or files.info's), with the bot
token, only from Slack's host, all at once, size-capped, time-bounded, with safe names."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient

from bot.devtools.fake_slack import FILES_METHOD, FakeSlack
from bot.slack.files import NOT_SLACK, fetch_files, is_slack_url, payload_files, safe_name
from tests.slack.conftest import infra_settings

LOGO = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
CERT = b"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"


def test_fetches_files_by_id(fake_slack: FakeSlack, bare_client: WebClient) -> None:
    fake_slack.add_file("F0LOGO", "logo.svg", LOGO)
    fake_slack.add_file("F0CERT", "cert.pem", CERT)
    got = fetch_files(bare_client, ["F0LOGO", "F0CERT"], settings=infra_settings(fake_slack))
    assert got.files == {"logo.svg": LOGO, "cert.pem": CERT}
    assert got.names == {"F0LOGO": "logo.svg", "F0CERT": "cert.pem"}
    assert not got.unreadable
    downloads = fake_slack.calls_to(FILES_METHOD)
    assert len(downloads) == 2 and all(c.status == 200 for c in downloads)
    assert all(c.headers["Authorization"] == f"Bearer {fake_slack.bot_token}"
               for c in downloads)


def test_same_names_get_distinct_keys(fake_slack: FakeSlack, bare_client: WebClient) -> None:
    fake_slack.add_file("F1", "cert.pem", b"one")
    fake_slack.add_file("F2", "cert.pem", b"two")
    got = fetch_files(bare_client, ["F1", "F2", "F1"], settings=infra_settings(fake_slack))
    assert got.files == {"cert.pem": b"one", "cert-2.pem": b"two"}
    assert got.names == {"F1": "cert.pem", "F2": "cert-2.pem"}


def test_an_unknown_file_is_unreadable(fake_slack: FakeSlack, bare_client: WebClient) -> None:
    got = fetch_files(bare_client, ["F0GONE"], settings=infra_settings(fake_slack))
    assert got.files == {}
    assert got.unreadable == {"file-F0GONE": "Slack could not describe the file "
                                             "(file_not_found)"}
    assert got.names == {"F0GONE": "file-F0GONE"}


@pytest.fixture
def elsewhere() -> Iterator[FakeSlack]:
    """Another server: a host the bot token must never be sent to."""
    with FakeSlack(host="127.0.0.1") as other:
        yield other


@pytest.mark.parametrize("where", ["other host", "other port", "other scheme", "userinfo",
                                   "not a url"])
def test_a_file_url_off_slack_is_never_requested(fake_slack: FakeSlack, bare_client: WebClient,
                                                 elsewhere: FakeSlack, where: str) -> None:
    info = fake_slack.add_file("F0EVIL", "logo.svg", LOGO)
    path = httpx.URL(info["url_private_download"]).raw_path.decode()
    url = {
        "other host": f"http://localhost:{elsewhere.port}{path}",
        "other port": f"http://127.0.0.1:{elsewhere.port}{path}",
        "other scheme": f"https://127.0.0.1:{fake_slack.port}{path}",
        "userinfo": f"http://127.0.0.1:{fake_slack.port}@localhost:{elsewhere.port}{path}",
        "not a url": "http://[::1",
    }[where]
    fake_slack.files["F0EVIL"].info["url_private_download"] = url
    got = fetch_files(bare_client, ["F0EVIL"], settings=infra_settings(fake_slack))
    assert got.unreadable == {"logo.svg": NOT_SLACK}
    assert not elsewhere.calls
    assert not fake_slack.calls_to(FILES_METHOD)


def test_slack_hosts() -> None:
    api = httpx.URL("https://slack.com/api/")
    assert is_slack_url(httpx.URL("https://files.slack.com/files-pri/T1-F1/a.png"), api)
    assert is_slack_url(httpx.URL("https://slack.com/files-pri/T1-F1/a.png"), api)
    assert is_slack_url(httpx.URL("https://FILES.Slack.com./x"), api)
    for url in ("https://files.slack.com.evil.example/x", "https://evilslack.com/x",
                "http://files.slack.com/x", "https://files.slack.com:8443/x",
                "https://slack.com@evil.example/x", "https://evil.example/slack.com/x"):
        assert not is_slack_url(httpx.URL(url), api), url


def test_the_size_cap(fake_slack: FakeSlack, bare_client: WebClient) -> None:
    fake_slack.add_file("F0BIG", "huge.png", b"\0" * 5000)
    got = fetch_files(bare_client, ["F0BIG"], settings=infra_settings(fake_slack),
                      max_bytes=4096)
    assert got.unreadable == {"huge.png": "too large (over 4,096 bytes)"}
    assert not fake_slack.calls_to(FILES_METHOD)  # files.info's size was enough
    # files.info understating the size: the download's own length stops it.
    fake_slack.files["F0BIG"].info["size"] = 10
    got = fetch_files(bare_client, ["F0BIG"], settings=infra_settings(fake_slack),
                      max_bytes=4096)
    assert got.unreadable == {"huge.png": "too large (over 4,096 bytes)"}


def test_a_refused_download_is_not_followed_to_the_sign_in_page(fake_slack: FakeSlack,
                                                                bare_client: WebClient) -> None:
    fake_slack.add_file("F0LOGO", "logo.svg", LOGO)
    settings = infra_settings(fake_slack, slack_bot_token="xoxb-not-the-token")
    got = fetch_files(bare_client, ["F0LOGO"], settings=settings)
    assert "refused" in got.unreadable["logo.svg"]
    assert [c.status for c in fake_slack.calls_to(FILES_METHOD)] == [302]


def test_a_traversal_name_becomes_a_basename(fake_slack: FakeSlack,
                                             bare_client: WebClient) -> None:
    fake_slack.add_file("F0NAME", "passwd", b"root:x:0:0")
    fake_slack.files["F0NAME"].info["name"] = "../../etc/passwd"
    got = fetch_files(bare_client, ["F0NAME"], settings=infra_settings(fake_slack))
    assert got.files == {"passwd": b"root:x:0:0"}


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("..", "file-F1"),
    ("a/b/..", "file-F1"), ("", "file-F1"), (None, "file-F1"), ("logo\x00.png", "logo.png"),
    ("my logo (final).svg", "my logo (final).svg"), ("<script>.pem", "_script_.pem"),
    ("x" * 300 + ".pem", "x" * 110 + ".pem"),
])
def test_safe_names(name: Any, safe: str) -> None:
    assert safe_name(name, "F1") == safe


# -- a slow or endless Slack ---------------------------------------------------------------

class _SlowSlack(ThreadingHTTPServer):
    daemon_threads = True
    delay = 0.0
    chunks = 0  # >0: stream this many 1 KiB chunks with no Content-Length


class _SlowHandler(BaseHTTPRequestHandler):
    server: _SlowSlack

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # files.info
        host, port = self.server.server_address[:2]
        body = json.dumps({"ok": True, "file": {
            "id": "F0SLOW", "name": "slow.pem", "mimetype": "application/x-pem-file",
            "url_private_download": f"http://{host}:{port}/files-pri/T1-F0SLOW/slow.pem"}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def do_GET(self) -> None:  # the download
        time.sleep(self.server.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if not self.server.chunks:
            self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            if not self.server.chunks:
                self.wfile.write(b"ok")
            for _ in range(self.server.chunks):
                self.wfile.write(b"\0" * 1024)
        except OSError:
            pass  # the client hung up, as it should


@pytest.fixture
def slow_slack() -> Iterator[_SlowSlack]:
    server = _SlowSlack(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _slow_settings(server: _SlowSlack) -> Any:
    host, port = server.server_address[:2]
    from bot.config import Settings

    return Settings(slack_bot_token="xoxb-slow", slack_api_url=f"http://{host}:{port}/api/")


def _slow_client(server: _SlowSlack) -> WebClient:
    host, port = server.server_address[:2]
    return WebClient(token="xoxb-slow", base_url=f"http://{host}:{port}/api/",
                     retry_handlers=[])


def test_a_download_that_takes_too_long_is_unreadable(slow_slack: _SlowSlack) -> None:
    slow_slack.delay = 1.0
    started = time.monotonic()
    got = fetch_files(_slow_client(slow_slack), ["F0SLOW"], settings=_slow_settings(slow_slack),
                      timeout=0.3)
    assert time.monotonic() - started < 0.9
    assert got.unreadable == {"slow.pem": "the download timed out (over 0.3 s)"}


def test_a_stream_without_length_is_cut_at_the_cap(slow_slack: _SlowSlack) -> None:
    slow_slack.chunks = 64
    got = fetch_files(_slow_client(slow_slack), ["F0SLOW"], settings=_slow_settings(slow_slack),
                      max_bytes=8 * 1024)
    assert got.unreadable == {"slow.pem": "too large (over 8,192 bytes)"}
    slow_slack.chunks = 4
    got = fetch_files(_slow_client(slow_slack), ["F0SLOW"], settings=_slow_settings(slow_slack),
                      max_bytes=8 * 1024)
    assert got.files == {"slow.pem": b"\0" * 4096}


def test_the_files_of_a_submission_are_fetched_at_once(slow_slack: _SlowSlack) -> None:
    # One after the other, the second would start after the first's 0.4 s and miss the 0.6 s.
    slow_slack.delay = 0.4
    got = fetch_files(_slow_client(slow_slack), ["F1", "F2"], settings=_slow_settings(slow_slack),
                      timeout=0.6)
    assert got.files == {"slow.pem": b"ok", "slow-2.pem": b"ok"}
    assert not got.unreadable


def test_the_timeout_bounds_all_downloads_together(slow_slack: _SlowSlack) -> None:
    slow_slack.delay = 1.0
    started = time.monotonic()
    got = fetch_files(_slow_client(slow_slack), ["F1", "F2", "F3"],
                      settings=_slow_settings(slow_slack), timeout=0.3)
    assert time.monotonic() - started < 0.9
    assert got.unreadable == {name: "the download timed out (over 0.3 s)"
                              for name in ("slow.pem", "slow-2.pem", "slow-3.pem")}


# -- the file objects a view_submission carries ---------------------------------------------

def _state(*files: dict[str, Any]) -> dict[str, Any]:
    return {"logo": {"logo": {"type": "file_input", "files": list(files)}},
            "app_name": {"app_name": {"type": "plain_text_input", "value": "x"}}}


def test_payload_files_reads_the_file_inputs() -> None:
    state = _state({"id": "F1", "name": "a.svg"}, {"id": "F2", "name": "b.svg"}, "junk",
                   {"name": "no id"})
    assert payload_files(state) == {"F1": {"id": "F1", "name": "a.svg"},
                                    "F2": {"id": "F2", "name": "b.svg"}}
    assert payload_files(None) == {} == payload_files({"x": "y"}) == payload_files(
        {"x": {"y": {"type": "file_input", "files": "nope"}}})


def test_a_url_in_the_payload_needs_no_files_info(fake_slack: FakeSlack,
                                                  bare_client: WebClient) -> None:
    logo = fake_slack.add_file("F0LOGO", "logo.svg", LOGO)
    fake_slack.add_file("F0CERT", "cert.pem", CERT)
    # The logo's object came with the submission; the certificate is only an ID.
    got = fetch_files(bare_client, ["F0LOGO", "F0CERT"], settings=infra_settings(fake_slack),
                      known=payload_files(_state(logo)))
    assert got.files == {"logo.svg": LOGO, "cert.pem": CERT}
    assert [c.params.get("file") for c in fake_slack.calls_to("files.info")] == ["F0CERT"]
    assert len(fake_slack.calls_to(FILES_METHOD)) == 2


def test_a_payload_url_off_slack_is_never_requested(fake_slack: FakeSlack,
                                                    bare_client: WebClient,
                                                    elsewhere: FakeSlack) -> None:
    evil = dict(elsewhere.add_file("F0EVIL", "logo.svg", LOGO))
    got = fetch_files(bare_client, ["F0EVIL"], settings=infra_settings(fake_slack),
                      known={"F0EVIL": evil})
    assert got.unreadable == {"logo.svg": NOT_SLACK}
    assert not elsewhere.calls and not fake_slack.calls
