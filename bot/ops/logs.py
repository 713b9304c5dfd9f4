"""Logs an operator can use: `LOG_LEVEL`, `LOG_FORMAT=text|json`, the request / ticket / job /
Slack user a line is about, libraries quiet unless asked, and secrets never written.

The subject of a line travels in a context variable (`log_context`), so the code that logs
needs no extra arguments; `ContextExecutor` carries it into Bolt's listener threads.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

CONTEXT_FIELDS = ("request", "ticket", "job", "user")
# Our own loggers; everything else (APScheduler, Bolt, slack_sdk, waitress, Alembic, urllib3)
# is a library and logs at WARNING unless LOG_LEVEL=DEBUG (but see bot.slack.app for Bolt's
# refusals of badly signed requests).
OWN_LOGGERS = ("bot", "launchbot")
REDACTED = "[redacted]"

_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar(
    "launchbot_log_context", default={})  # noqa: B039 - never mutated, only replaced


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Within the block, every log line carries these fields (None values are left out)."""
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"not log context fields: {sorted(unknown)}")
    added = {k: str(v) for k, v in fields.items() if v is not None and v != ""}
    token = _context.set({**_context.get(), **added})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, str]:
    return dict(_context.get())


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context (its log fields)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name) and name in context:
                setattr(record, name, context[name])
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context
    fields that apply, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = [f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS
                  if getattr(record, name, None) is not None]
        if not fields:
            return text
        head, _, rest = text.partition("\n")
        return f"{head} [{' '.join(fields)}]" + (f"\n{rest}" if rest else "")


class _Redacting(logging.Formatter):
    """Replaces each secret's value wherever it appears in a formatted line (a message, an
    argument, a traceback): the last guard, behind never passing secrets to a logger."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def configure_logging(level: str = "INFO", fmt: str = "text", *, secrets: Iterable[str] = (),
                      stream: IO[str] | None = None) -> logging.Handler:
    """Send every log line to `stream` (stderr) in `fmt`; our loggers at `level`, libraries at
    WARNING unless `level` is DEBUG. Replaces the handlers a previous call installed."""
    handler = logging.StreamHandler(stream or sys.stderr)
    inner = JsonFormatter() if fmt == "json" else TextFormatter()
    handler.setFormatter(_Redacting(inner, secrets))
    handler.addFilter(_ContextFilter())
    handler.set_name("launchbot")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "launchbot"]:
        root.removeHandler(old)
    root.addHandler(handler)
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric if numeric == logging.DEBUG else max(numeric, logging.WARNING))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(numeric)
    # SQLAlchemy's engine logs every statement at INFO and result rows at DEBUG: what partners
    # submitted, their files included. It stays at WARNING whatever LOG_LEVEL says.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    return handler


def configure_from_settings(settings: Any, *, stream: IO[str] | None = None) -> logging.Handler:
    """`configure_logging` with LOG_LEVEL, LOG_FORMAT and the secrets of `settings`."""
    secrets = [s.get_secret_value() for s in (settings.slack_bot_token,
                                              settings.slack_signing_secret,
                                              settings.slack_app_token) if s is not None]
    return configure_logging(settings.log_level, settings.log_format, secrets=secrets,
                             stream=stream)
