"""The HTTP side of the fake: one request handler routing to the workspace, and how Slack reads
a Web API request's parameters."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from bot.devtools.fake_slack.state import Answer

if TYPE_CHECKING:
    from bot.devtools.fake_slack.fake import FakeSlack

JSON_FIELDS = ("blocks", "attachments", "view", "metadata")  # JSON strings in form bodies


def decode_params(body: bytes, content_type: str, query: str = "") -> tuple[dict[str, Any], bool]:
    """A Web API request's parameters as Slack reads them: query string, then a JSON or form
    body; JSON-valued form fields (blocks, view, …) decoded. Returns (params, body_was_json)."""
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    is_json = content_type.split(";")[0].strip().lower() == "application/json"
    if is_json:
        decoded = json.loads(body or b"{}")
        if not isinstance(decoded, dict):
            raise ValueError("the JSON body is not an object")
        params.update(decoded)
    elif body:
        params.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # Left a string if it is not JSON: the method then answers invalid_arguments.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params, is_json


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clicks in tests and the benchmark
    fake: FakeSlack


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY a kept-alive client
    # waits ~40 ms (Nagle + delayed ACK) for the body, a delay real Slack does not have.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request on stderr would drown test output

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        fake = self.server.fake
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = dict(self.headers.items())
        if path.startswith("/api/"):
            try:
                params, is_json = decode_params(body, self.headers.get("Content-Type", ""),
                                                parsed.query)
            except (ValueError, UnicodeDecodeError):
                self._send(Answer(200, {"ok": False, "error": "invalid_json"}))
                return
            answer = fake.handle_api(path[len("/api/"):], params, headers, is_json)
            self._late(fake.latency)
            self._send(answer)
        elif path.startswith("/files-pri/") and self.command == "GET":
            answer = fake.handle_download(urllib.parse.unquote(path), headers)
            self._late(fake.latency)
            self._send(answer)
        elif path.startswith("/upload/v1/") and self.command == "POST":
            answer = fake.handle_upload(path, body)
            self._late(fake.latency)
            self._send(answer)
        elif path.startswith("/hooks/") and self.command == "POST":
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                params = {}
            self._send(fake.handle_response_url(path[len("/hooks/"):], params, headers))
        elif path == "/signin":
            self._send(Answer(200, raw=b"<html><body>Sign in to Slack</body></html>",
                               content_type="text/html; charset=utf-8"))
        else:
            self._send(Answer(404, raw=b"Not found", content_type="text/plain"))

    @staticmethod
    def _late(seconds: float) -> None:
        """Slack's own latency (FakeSlack.latency), waited in this request's thread only."""
        if seconds > 0:
            time.sleep(seconds)

    def _send(self, answer: Answer) -> None:
        if answer.disconnect:
            self.close_connection = True
            return
        payload = answer.raw if answer.raw is not None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
