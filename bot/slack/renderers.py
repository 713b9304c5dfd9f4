"""The outbox topic registry: what each topic's rows become in Slack.

Each domain's `messages` module registers one renderer per topic of its topic enum (a use case
writes the rows; the relay renders them here as they are when it sends them). A topic maps to
a renderer: no chain of ifs, and a topic left without one is an error at import, not a message
silently dropped."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.slack.rendering import Outgoing
from bot.store.models import OutboxMessage

# (session, the row, settings) -> the messages to send; raises NotReady to be tried later.
Renderer = Callable[[Session, OutboxMessage, Settings], list[Outgoing]]

_RENDERERS: dict[str, Renderer] = {}


def register(topics: type[StrEnum], renderers: Mapping[StrEnum, Renderer]) -> None:
    """Register a renderer for every topic of `topics` (all of them, and no one else's)."""
    missing = [t.value for t in topics if t not in renderers]
    foreign = [t.value for t in renderers if t not in set(topics)]
    taken = [t.value for t in renderers if t.value in _RENDERERS
             and _RENDERERS[t.value] is not renderers[t]]
    if missing or foreign or taken:
        raise ValueError(f"{topics.__name__}: no renderer for {missing}, not its topics "
                         f"{foreign}, registered already {taken}")
    for topic, renderer in renderers.items():
        _RENDERERS[topic.value] = renderer


def renderer_for(topic: str) -> Renderer | None:
    return _RENDERERS.get(topic)


def topics() -> frozenset[str]:
    """Every registered topic."""
    return frozenset(_RENDERERS)
