"""The outbox topic registry: what each topic's rows become in Slack.

Each domain's `messages` module registers one renderer per topic of its topic enum (a use case
writes the rows; the relay renders them here as they are when it sends them). A topic maps to
a renderer: no chain of ifs, and a topic left without one is an error at import, not a message
silently dropped."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.slack.rendering import NotReady, Outgoing
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


class Carded(Protocol):
    """A record with a card: where the card was posted, once it was."""

    id: int
    public_id: str
    card_channel: str | None
    card_ts: str | None


R = TypeVar("R", bound=Carded)
# (session, record, settings, first post?) -> (text, blocks) of its card.
CardBuilder = Callable[[Session, Any, Settings, bool], tuple[str, list[dict[str, Any]]]]


def card_renderers(kind: str, load: Callable[[Session, OutboxMessage], Any],
                   build: CardBuilder, channel: Callable[[Settings], str | None], *,
                   whole_at: str | None = None) -> tuple[Renderer, Renderer]:
    """The two renderers of a record's card: the first post (in the row's channel, else
    `channel(settings)`; the relay records where it went, as the card of (`kind`, id)), and
    the update in place, which waits until the card is posted. `whole_at`: where the whole
    is when the card must be shortened to fit Slack (bot.slack.fitting)."""
    extra = {"whole_at": whole_at} if whole_at else {}
    def post(session: Session, message: OutboxMessage, settings: Settings) -> list[Outgoing]:
        record = load(session, message)
        where = message.channel or channel(settings)
        if record is None or not where:
            return []  # nothing left to say anything about, or nowhere to say it
        text, blocks = build(session, record, settings, True)
        return [Outgoing(text=text, blocks=blocks, channel=where, card_of=(kind, record.id),
                         **extra)]

    def update(session: Session, message: OutboxMessage, settings: Settings
               ) -> list[Outgoing]:
        record = load(session, message)
        if record is None:
            return []
        if not record.card_ts or not record.card_channel:
            raise NotReady(f"{record.public_id}: the card is not posted yet")
        text, blocks = build(session, record, settings, False)
        return [Outgoing(text=text, blocks=blocks, channel=record.card_channel,
                         update_ts=record.card_ts, **extra)]
    return post, update
