"""What a check is given: the validation context and the subject (the request as judged)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.calendar import DeployCalendar
from bot.models import Configuration, Finding, Kind, Request


@dataclass(frozen=True)
class Context:
    """Everything outside the request that a rule may need. The core never reads a clock."""

    now: datetime  # submission time, timezone-aware
    calendar: DeployCalendar
    # Content of the logo and certificate files the request names, keyed by the name it uses.
    files: Mapping[str, bytes] = field(default_factory=dict)
    # Names that were referenced but could not be read, with the reason ("no such file").
    unreadable: Mapping[str, str] = field(default_factory=dict)
    # What the store knows; the command line knows nothing (knows_integrations=False).
    knows_integrations: bool = False
    known_issuers: frozenset[str] = frozenset()  # production integrations
    open_request_issuers: frozenset[str] = frozenset()  # issuers of requests not yet closed
    current: Configuration | None = None  # a change's integration as it is now


@dataclass(frozen=True)
class Subject:
    """The request a check judges. For a change the bot knows, `request` is the current
    configuration with the changes applied; `given` names the fields the requester gave."""

    request: Request
    given: frozenset[str]
    partial: bool  # a change judged without its current configuration: only `given` counts
    context: Context
    target: date | None = None  # the target deploy date, once the calendar rules set it

    @property
    def kind(self) -> Kind:
        return self.request.kind

    def judges(self, name: str) -> bool:
        """Whether a rule about field `name` applies: always, unless this is a partial change
        that does not touch the field."""
        return not self.partial or name in self.given

    def content(self, name: str) -> bytes | None:
        return self.context.files.get(name)


Check = Callable[[Subject], Iterable[Finding]]
