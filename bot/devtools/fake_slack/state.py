"""The fake's records and plumbing: calls, clocks, injected failures, answers, Slack errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.devtools.slack_strict import Refusal

Clock = Callable[[], float]

DISCONNECT = "disconnect"
"""`fail_next(status=DISCONNECT)`: close the connection without answering (a network error)."""

TRIGGER_TTL = 3.0  # seconds Slack accepts a trigger_id for
MAX_VIEW_STACK = 3  # views.push fails beyond this many modals in a stack
FILES_METHOD = "files-pri"  # how private file downloads appear in `calls` and failure filters
RESPONSE_URL_METHOD = "response_url"
RESPONSE_ACTION_METHOD = "response_action"


@dataclass(frozen=True)
class Call:
    """One request the fake received, and what it answered."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")


class ManualClock:
    """A clock tests move by hand (trigger expiry, outages measured in minutes)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Failure:
    status: int | str | tuple[int | str, ...]  # a tuple: each answer the next in turn
    retry_after: int
    method: str | None
    remaining: int | None = None  # fail_next
    until: float | None = None  # fail_for
    answered: int = 0

    def next_status(self) -> int | str:
        if not isinstance(self.status, tuple):
            return self.status
        self.answered += 1
        return self.status[(self.answered - 1) % len(self.status)]

    def applies(self, method: str, now: float) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.remaining is not None:
            return self.remaining > 0
        return self.until is not None and now < self.until


@dataclass
class Trigger:
    issued: float
    user_id: str | None
    view_id: str | None
    used: bool = False


@dataclass
class StoredFile:
    info: dict[str, Any]
    content: bytes
    redirect: str | None = None  # see FakeSlack.redirect_file


@dataclass
class Answer:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    disconnect: bool = False


class SlackError(Exception):
    """An `ok: false` answer; extra keys go into the body next to `error`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def invalid(surface_problems: list[str], error: str = "invalid_arguments") -> SlackError:
    messages = [f"[ERROR] {p}" for p in surface_problems]
    extra: dict[str, Any] = {"response_metadata": {"messages": messages}}
    if error == "invalid_blocks":
        extra["errors"] = surface_problems
    return SlackError(error, **extra)


def refused(refusal: Refusal) -> SlackError:
    """slack_strict's refusal as the fake's error answer."""
    body = refusal.body()
    return SlackError(refusal.error, **{k: v for k, v in body.items()
                                        if k not in ("ok", "error")})


def bearer(headers: Mapping[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not value.startswith("Bearer "):
        return None
    return value[len("Bearer "):].strip() or None


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))
