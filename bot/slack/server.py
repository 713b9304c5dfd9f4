"""The bot over HTTP: Slack's requests go to Bolt; the platform gets health checks.

    POST /slack/events   commands, interactivity and events, through Bolt's WSGI adapter (its
                         request verification stays on: a bad or stale signature gets 401)
    GET  /healthz        200 "ok" while the process serves
    GET  /readyz         200 when the database answers and Slack accepts the token, else 503
                         naming what failed (bot/ops/health)
    GET  /metrics        Prometheus text format (bot/ops/metrics)
    GET  /calendar.ics   the deploy calendar as an iCalendar feed (bot/calendar/feed.py)
    anything else        404

Served by waitress (a production WSGI server: a thread pool, bounded request sizes). A body
over 1 MB gets 413 before it is read; Slack's own payloads are far smaller. A request Bolt
cannot even parse (signature headers that are not a number and a hex digest, a body that is
not UTF-8 or not Slack's form or JSON object) is refused here with 401 or 400, never a 500.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry
from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.calendar.feed import deploy_feed
from bot.config import Settings
from bot.ops.health import SlackAuth, readiness
from bot.ops.inflight import InFlight
from bot.ops.logs import log_context
from bot.ops.metrics import ACK_SECONDS, exposition, make_registry, surface_of
from bot.probes import ProbeOptions, Prober
from bot.scheduler import Scheduler
from bot.slack import files
from bot.slack.client import listener_handlers, make_client
from bot.slack.listening import request_scope
from bot.slack.log_subjects import subjects
from bot.slack.relay import Relay
from bot.slack.reviewers import ReviewerDirectory
from bot.slack.runtime import Runtime, utc_now
from bot.store.db import Store

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
CALENDAR_PATH = "/calendar.ics"
MAX_BODY = 1024 * 1024
# A request holds its thread until its listener acks, and the team gate may ask Slack who
# someone is first: during a Slack slowdown 16 threads were all waiting and requests queued.
THREADS = 32
_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def _plain(start_response: StartResponse, status: str, text: str,
           extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))), *(extra or [])])
    return [body]


def _unparsable(environ: WSGIEnvironment, length: int) -> tuple[str, str] | BoltRequest:
    """Why Bolt could not handle this request at all, or the request for Bolt. Bolt parses
    the body before it verifies the signature and crashes on what it cannot parse: a 500, or
    worse, its error handler answering 200 to an unverified body (int() of a timestamp like
    "abc", compare_digest() of a non-ASCII signature). The body is read here within the size
    limit and parsed once: the request parsed here is the one Bolt dispatches."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if (timestamp is not None and not _TIMESTAMP.fullmatch(timestamp)) or (
            signature is not None and not _SIGNATURE.fullmatch(signature)):
        return "401 Unauthorized", "invalid request"
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    query, headers = environ.get("QUERY_STRING", ""), WsgiHttpRequest(environ).get_headers()
    try:
        text = body.decode("utf-8")
        json_body = (environ.get("CONTENT_TYPE") or "").startswith("application/json")
        payload = None if json_body else _payload(text)
        if payload is None:
            return BoltRequest(body=text, query=query, headers=headers)
        # Bolt's own parse of the same body gives this same dict; built from it, the request
        # keeps the raw body its signature is checked on.
        parsed = BoltRequest(body=payload, query=query, headers=headers, mode="socket_mode")
        parsed.raw_body, parsed.mode = text, "http"
        return parsed
    except Exception:  # whatever Bolt's parser raises on this body, the body is at fault
        return "400 Bad Request", "malformed request"


def _payload(text: str) -> dict[str, Any] | None:
    """An interactivity body (`payload=` and URL-encoded JSON) decoded as Bolt would, or None
    for any other body (Bolt parses those). A form's submission carries the whole view, some
    thousands of escapes: the standard library decodes them one by one in Python (about 2 ms
    a submission), the codec here in C (0.2 ms)."""
    if not text.startswith("payload=") or "&" in text or "\\" in text:
        return None
    encoded = text[len("payload="):].replace("%", "\\x").replace("+", " ")
    try:
        decoded = codecs.escape_decode(encoded.encode("ascii"))[0]
        payload = json.loads(decoded)
    except (UnicodeError, ValueError):  # not ASCII, a bad escape, not JSON: Bolt decides
        return None
    return payload if isinstance(payload, dict) else None


class SlackWsgiApp:
    """The WSGI application: routes to Bolt or answers the health checks itself."""

    def __init__(self, app: App, ready: Callable[[], bool | Sequence[str]], *,
                 max_body: int = MAX_BODY, metrics: CollectorRegistry | None = None,
                 calendar_feed: Callable[[], bytes] | None = None,
                 inflight: InFlight | None = None) -> None:
        self.app = app
        self.inflight = inflight or InFlight()
        self.ready = ready
        self.max_body = max_body
        self.metrics = metrics
        self.calendar_feed = calendar_feed

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == EVENTS_PATH:
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "POST only",
                              [("Allow", "POST")])
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return _plain(start_response, "400 Bad Request", "bad Content-Length")
            if length > self.max_body:
                # Answer from the header alone: the body is never read into memory.
                return _plain(start_response, "413 Content Too Large", "request too large",
                              [("Connection", "close")])
            request = _unparsable(environ, length)
            if isinstance(request, tuple):
                return _plain(start_response, *request)
            # Bolt answers when the listener acks (process_before_response is off): this is
            # the acknowledgement latency Slack sees, less the network.
            # Bolt's listener threads inherit this context (bot.ops.logs.ContextExecutor): the
            # request's log lines name its user and the request or ticket it is about, and who
            # acts is worked out once (bot.slack.listening.request_scope).
            started = time.perf_counter()
            body = request.body if isinstance(request.body, dict) else {}
            try:
                with self.inflight.answering(), log_context(**subjects(body)), request_scope():
                    answer = self.app.dispatch(request)
            finally:
                ACK_SECONDS.labels(surface_of(body)).observe(time.perf_counter() - started)
            response = WsgiHttpResponse(status=answer.status, headers=answer.headers,
                                        body=answer.body)
            start_response(response.status, response.get_headers())
            return response.get_body()
        if path == CALENDAR_PATH and self.calendar_feed is not None:
            return self._calendar(method, start_response)
        if path in ("/healthz", "/readyz", "/metrics"):
            if method not in ("GET", "HEAD"):
                return _plain(start_response, "405 Method Not Allowed", "GET only",
                              [("Allow", "GET, HEAD")])
            if path == "/healthz":
                return _plain(start_response, "200 OK", "ok")
            if path == "/metrics":
                return self._metrics(start_response)
            answer = self.ready()
            problems = (["database unreachable"] if answer is False else []
                        ) if isinstance(answer, bool) else list(answer)
            if not problems:
                return _plain(start_response, "200 OK", "ready")
            return _plain(start_response, "503 Service Unavailable", "; ".join(problems))
        return _plain(start_response, "404 Not Found", "not found")

    def _metrics(self, start_response: StartResponse) -> list[bytes]:
        if self.metrics is None:
            return _plain(start_response, "404 Not Found", "not found")
        body, content_type = exposition(self.metrics)
        start_response("200 OK", [("Content-Type", content_type),
                                  ("Content-Length", str(len(body)))])
        return [body]

    def _calendar(self, method: str, start_response: StartResponse) -> list[bytes]:
        if method not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "GET only",
                          [("Allow", "GET, HEAD")])
        assert self.calendar_feed is not None
        body = self.calendar_feed()
        start_response("200 OK", [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Content-Disposition", 'inline; filename="deploy-days.ics"'),
            ("Cache-Control", "public, max-age=3600")])
        return [] if method == "HEAD" else [body]


def create_wsgi_app(app: App, ready: Callable[[], bool | Sequence[str]], *,
                    max_body: int = MAX_BODY, metrics: CollectorRegistry | None = None,
                    calendar_feed: Callable[[], bytes] | None = None,
                    inflight: InFlight | None = None) -> SlackWsgiApp:
    """`ready` is the readiness probe: `store.ping`, or a list of what is not ready
    (`bot.ops.health.readiness`); `metrics` is served at /metrics; `calendar_feed` makes the
    body of GET /calendar.ics (none: 404); `inflight` counts the Slack requests being
    answered (the relay gives way to them)."""
    return SlackWsgiApp(app, ready, max_body=max_body, metrics=metrics,
                        calendar_feed=calendar_feed, inflight=inflight)


def make_server(wsgi_app: WSGIApplication, *, host: str = "0.0.0.0", port: int = 3000,
                threads: int = THREADS, socket_map: dict[Any, Any] | None = None,
                sock: socket.socket | None = None) -> Any:
    """A waitress server bound to host:port (port 0: any free one, see `effective_port`), or
    accepting on `sock`, a `listening_socket` that worker processes share."""
    from waitress import create_server

    where: dict[str, Any] = {"sockets": [sock]} if sock is not None else {"host": host,
                                                                          "port": port}
    return create_server(wsgi_app, map=socket_map, threads=threads,
                         max_request_body_size=MAX_BODY, ident="launchbot",
                         clear_untrusted_proxy_headers=True, **where)


def listening_socket(host: str, port: int, *, backlog: int = 1024) -> socket.socket:
    """A TCP socket bound to host:port and listening (port 0: any free one), for several
    worker processes to accept on (`make_server(sock=...)`): connections queue here from the
    moment it exists, and whichever worker is free takes the next one. Binding once in the
    parent keeps 'address already in use' an error, which SO_REUSEPORT would hide."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # as waitress does
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def serve_until_stopped(server: Any) -> None:
    """Run a `make_server` server in this thread until SIGINT/SIGTERM raises SystemExit or
    KeyboardInterrupt here (waitress then stops taking requests and finishes those in
    flight), then close it."""
    try:
        server.run()
    finally:
        server.close()


def run_http(wsgi_app: WSGIApplication, port: int, threads: int = THREADS, *,
             host: str = "0.0.0.0") -> None:
    """Serve `wsgi_app` with waitress on host:port until stopped (see `serve_until_stopped`)."""
    serve_until_stopped(make_server(wsgi_app, host=host, port=port, threads=threads))


class BackgroundServer:
    """waitress in a thread, for tests and the demo: `with BackgroundServer(app) as s: s.url`."""

    def __init__(self, wsgi_app: WSGIApplication, *, host: str = "127.0.0.1", port: int = 0,
                 threads: int = THREADS, sock: socket.socket | None = None) -> None:
        self._map: dict[Any, Any] = {}
        self.server = make_server(wsgi_app, host=host, port=port, threads=threads,
                                  socket_map=self._map, sock=sock)
        self.host = host
        self.port = int(self.server.effective_port)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        self._thread = threading.Thread(target=self.server.run, name="launchbot-http",
                                        daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is None:
            self.server.close()
            return
        from waitress import wasyncore

        # Close every socket from the server's own loop thread (asyncore is not thread-safe);
        # with its socket map empty, run() returns.
        try:
            self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self._map))
        except OSError:
            # The trigger's pipe is gone (seen on a loaded machine as EBADF): the loop cannot
            # be woken, so close what is left from here; select() then ends with the map empty.
            wasyncore.close_all(self._map, ignore_all=True)
        self._thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()
        self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Bot:
    """Everything `launchbot serve` runs, assembled: for the CLI, the demo and e2e tests."""

    runtime: Runtime
    app: App
    relay: Relay
    wsgi: SlackWsgiApp
    scheduler: Scheduler  # deploy-day posts, reminders, digest (bot/scheduler); not started
    slack_auth: SlackAuth  # auth.test for /readyz; not started (serve starts it)


def assemble(settings: Settings, store: Store, *, client: WebClient | None = None,
             clock: Callable[[], datetime] = utc_now) -> Bot:
    """The Runtime, the Bolt app (`bot.slack.app.create_app`), the outbox relay (rendering
    with `bot.slack.messages.render_outbox`), the WSGI app and the scheduler. Nothing is
    started. Listeners and relay get clients with their own retries (`bot.slack.client`),
    unless `client` is given for both."""
    from bot.slack.app import create_app
    from bot.slack.messages import render_outbox

    given = client
    inflight = InFlight()
    relay = Relay(store, client or make_client(settings),
                  lambda session, message: render_outbox(session, message, settings),
                  settings, clock, give_way=inflight.give_way)
    client = client or make_client(settings, handlers=listener_handlers())
    if settings.url_probes and settings.url_probe_allow_loopback:
        log.warning("URL_PROBE_ALLOW_LOOPBACK is set: URL probes may reach this machine "
                    "(meant for tests only)")
    runtime = Runtime(settings=settings, store=store, client=client,
                      calendar=settings.calendar(),
                      is_reviewer=ReviewerDirectory(client, settings.reviewer_group,
                                                    settings.reviewer_ids),
                      clock=clock, poke_relay=relay.poke,
                      prober=Prober(ProbeOptions.from_settings(settings),
                                    give_way=inflight.give_way)
                      if settings.url_probes else None)
    # Holiday tables are built per year on first use (~0.1 s, seconds on a busy machine):
    # here, not inside the first partner's 3 seconds.
    today = runtime.calendar.local_date(clock())
    for year in (today.year, today.year + 1):
        runtime.calendar.is_business_day(date(year, 1, 2))
    files.warm()  # the download pool too
    app = create_app(runtime)
    scheduler = Scheduler(store, settings, calendar=runtime.calendar, clock=clock,
                          on_posted=relay.poke)
    # No retries: a failed auth.test is asked again at the next interval anyway.
    slack_auth = SlackAuth(given or make_client(settings, timeout=5, handlers=[]))
    wsgi = create_wsgi_app(app, readiness(store, slack_auth),
                           metrics=make_registry(store, clock),
                           calendar_feed=lambda: deploy_feed(runtime.calendar, clock()),
                           inflight=inflight)
    return Bot(runtime=runtime, app=app, relay=relay, wsgi=wsgi, scheduler=scheduler,
               slack_auth=slack_auth)
