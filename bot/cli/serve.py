"""`serve`: the Slack bot over HTTP or Socket Mode, with the outbox relay and the scheduler."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import (
    EXIT_OK,
    UsageError,
    db_error,
    load_settings,
    open_store,
    store_for,
    store_url,
)
from bot.config import Settings, check_host, check_port
from bot.ops.settings import serve_needs


def _port(text: str) -> int:
    try:
        return check_port(int(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc) if text.strip().lstrip("-").isdigit()
                                         else f"not a port number: {text!r}") from None


def _host(text: str) -> str:
    try:
        return check_host(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _serve_settings_problem(settings: Settings, socket_mode: bool) -> str | None:
    """One line naming every required setting that is missing, or None."""
    missing = serve_needs(settings, socket_mode=socket_mode)
    if not missing:
        return None
    names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"{names} {verb} not set (see README: running it for real)"


class _Shutdown(SystemExit):
    """SIGTERM: stop like Ctrl-C (waitress finishes the requests in flight)."""


def _on_sigterm(signum: int, frame: object) -> None:
    import signal

    # Once: a second signal (a worker gets SIGINT from the terminal and SIGTERM from its
    # parent) must not cut the stopping short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise _Shutdown(0)


def _processes(text: str) -> int:
    from bot.config import Settings

    field = Settings.model_fields["serve_processes"]
    most = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= most:
        raise argparse.ArgumentTypeError(f"not a number of processes from 1 to {most}: "
                                         f"{text!r}")
    return int(text)


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from bot.ops.logs import configure_from_settings
    from bot.store.db import normalize_url
    from bot.store.migrate import upgrade

    settings = load_settings()
    socket_mode = bool(args.socket_mode or settings.slack_app_token is not None)
    problem = _serve_settings_problem(settings, socket_mode)
    if problem:
        raise UsageError(problem)
    processes = settings.serve_processes if args.processes is None else args.processes
    if processes > 1 and socket_mode:
        raise UsageError("SERVE_PROCESSES: Socket Mode is one connection to Slack, served by "
                         "one process: set SERVE_PROCESSES=1")
    url = store_url(settings)
    shown_url = normalize_url(url).render_as_string(hide_password=True)
    port = settings.port if args.port is None else args.port
    if not logging.getLogger().handlers:  # unless the program running us (a test) did
        configure_from_settings(settings)  # LOG_LEVEL, LOG_FORMAT; secrets redacted
    log = logging.getLogger("launchbot")
    if args.no_migrate:
        open_store(settings).dispose()  # refuses a schema that is not at head, in one line
    else:
        try:
            upgrade(url)  # takes a lock: replicas starting together migrate once
        except SQLAlchemyError as exc:
            raise db_error(exc) from None
    if processes > 1:
        return _serve_processes(args.host, port, processes, shown_url, log)
    from bot.slack.server import make_server

    def listen(wsgi: Any) -> Any:
        try:
            return make_server(wsgi, host=args.host, port=port)
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{port}: "
                             f"{exc.strerror or exc}") from None

    return _serve(settings, listen, socket_mode=socket_mode, host=args.host,
                  shown_url=shown_url, name="launchbot")


def _serve(settings: Settings, listen: Any, *, socket_mode: bool, host: str, shown_url: str,
           name: str) -> int:
    """Assemble the bot on its own store and serve until a signal: over HTTP on the server
    `listen(wsgi)` makes, or in Socket Mode."""
    import logging
    import signal
    import threading

    from bot.slack.server import assemble, serve_until_stopped

    log = logging.getLogger("launchbot")
    store = store_for(settings)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    bot = None
    try:
        bot = assemble(settings, store)
        bot.slack_auth.start()  # logs the workspace and bot user; /readyz knows a bad token
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            assert settings.slack_app_token is not None
            handler = SocketModeHandler(bot.app, settings.slack_app_token.get_secret_value())
            try:
                handler.connect()
            except Exception as exc:  # unreachable, refused token, ...: one line, no trace
                handler.close()
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise UsageError(f"Socket Mode: cannot connect to Slack: {first[:300]}") \
                    from None
            bot.relay.start()
            bot.scheduler.start()
            log.info("%s serving in Socket Mode; database %s", name, shown_url)
            try:
                threading.Event().wait()
            finally:
                handler.close()
        else:
            server = listen(bot.wsgi)
            bot.relay.start()
            bot.scheduler.start()
            log.info("%s serving HTTP on %s:%s (POST /slack/events, GET /healthz, "
                     "GET /readyz, GET /metrics); database %s", name, host,
                     server.effective_port, shown_url)
            serve_until_stopped(server)
    except (KeyboardInterrupt, SystemExit):
        pass  # a signal: a clean stop
    finally:
        signal.signal(signal.SIGTERM, previous)
        if bot is not None:
            bot.slack_auth.stop()
            bot.scheduler.stop()
            bot.relay.stop()
        store.dispose()
        log.info("%s stopped", name)
    return EXIT_OK


def _serve_processes(host: str, port: int, processes: int, shown_url: str,
                     log: Any) -> int:
    """SERVE_PROCESSES > 1: bind once here, serve from that many workers (bot/ops/workers)."""
    from bot.ops.workers import run_workers
    from bot.slack.server import listening_socket

    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        log.info("launchbot serving HTTP on %s:%s from %d worker processes; database %s",
                 host, sock.getsockname()[1], processes, shown_url)
        code = run_workers(_worker, (sock, host, shown_url), processes)
    finally:
        sock.close()
    log.info("launchbot stopped")
    return code


def _worker(index: int, count: int, sock: Any, host: str, shown_url: str) -> int:
    """One worker process of `_serve_processes`: the whole bot on the shared socket, with a
    store of its own (made here, after the spawn)."""
    import logging
    import os
    import signal
    import sys

    from bot.cli.common import one_line
    from bot.ops.logs import configure_from_settings
    from bot.slack.server import make_server

    signal.signal(signal.SIGINT, _on_sigterm)  # Ctrl-C reaches every process: stop as one
    try:
        settings = load_settings()
        if not logging.getLogger().handlers:
            configure_from_settings(settings)
        return _serve(settings, lambda wsgi: make_server(wsgi, sock=sock), socket_mode=False,
                      host=host, shown_url=shown_url,
                      name=f"worker {index} of {count} (pid {os.getpid()})")
    except UsageError as exc:
        print(f"launchbot: {one_line(str(exc))}", file=sys.stderr)
        return 2


def add_serve_command(sub: Any) -> None:
    """`serve` (bot/slack)."""
    help_text = ("run the Slack bot: HTTP on PORT (POST /slack/events, GET /healthz, "
                 "GET /readyz, GET /metrics), or Socket Mode with SLACK_APP_TOKEN")
    p = sub.add_parser("serve", help=help_text, description=help_text)
    p.add_argument("--port", type=_port, help="the HTTP port (default: PORT, or 3000)")
    p.add_argument("--host", type=_host, default="0.0.0.0",
                   help="the address to listen on (0.0.0.0)")
    p.add_argument("--socket-mode", action="store_true",
                   help="connect to Slack over Socket Mode (needs SLACK_APP_TOKEN)")
    p.add_argument("--processes", type=_processes, metavar="N",
                   help="serve HTTP from N worker processes on the one port (default: "
                        "SERVE_PROCESSES, or 1)")
    p.add_argument("--no-migrate", action="store_true",
                   help="do not apply the database migrations at start-up")
    p.set_defaults(handler=cmd_serve)
