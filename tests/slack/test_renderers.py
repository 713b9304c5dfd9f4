"""The outbox topic registry: every topic a use case can write has exactly one renderer."""

from __future__ import annotations

from enum import StrEnum

import pytest

import bot.slack.messages  # noqa: F401  (registers every domain's renderers)
from bot.requests.transitions import Topic
from bot.schedule.slots import ScheduleTopic
from bot.slack.renderers import register, renderer_for, topics
from bot.tickets.use_cases import TicketTopic


def test_every_topic_has_a_renderer() -> None:
    written = {t.value for enum in (Topic, TicketTopic, ScheduleTopic) for t in enum}
    assert written <= topics()
    assert all(renderer_for(t) is not None for t in written)


def test_a_topic_without_a_renderer_is_refused_at_registration() -> None:
    class Extra(StrEnum):
        one = "extra_one"
        two = "extra_two"

    with pytest.raises(ValueError, match="extra_two"):
        register(Extra, {Extra.one: lambda session, message, settings: []})
    assert renderer_for("extra_one") is None


def test_a_topic_cannot_be_taken_twice() -> None:
    class Again(StrEnum):
        card = Topic.review_card.value

    with pytest.raises(ValueError, match="review_card"):
        register(Again, {Again.card: lambda session, message, settings: []})
