"""What each outbox row becomes in Slack: the renderer its topic registered
(bot.slack.renderers). Importing this module registers every domain's renderers."""

from __future__ import annotations

from sqlalchemy.orm import Session

# Imported for their registrations: each domain renders its own topics.
import bot.slack.requests.messages
import bot.slack.schedule.messages
import bot.slack.tickets.messages  # noqa: F401
from bot.config import Settings
from bot.slack.renderers import renderer_for
from bot.slack.rendering import Outgoing
from bot.store.models import OutboxMessage


def render_outbox(session: Session, message: OutboxMessage, settings: Settings
                  ) -> list[Outgoing]:
    """The messages for one outbox row; none for a topic nothing renders (kept, not sent)."""
    renderer = renderer_for(message.topic)
    return renderer(session, message, settings) if renderer is not None else []
