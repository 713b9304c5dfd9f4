"""The contract between the outbox relay and the Block Kit builders: what one outbox row
becomes in Slack. Builders fill it; the relay sends it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Outgoing:
    """One Slack message to send for an outbox row.

    Exactly one of `channel` (post in a channel) or `user_id` (DM: the relay opens the
    conversation) is set. `update_ts` set means chat.update of that message in `channel`
    instead of a new post. `card_of` names what the message is the card of, ("request", id)
    or ("ticket", id): the relay records the posted ts there, so later updates edit it in
    place."""

    text: str  # the notification / fallback text
    blocks: list[dict[str, Any]] = field(default_factory=list)
    channel: str | None = None
    user_id: str | None = None
    update_ts: str | None = None
    card_of: tuple[str, int] | None = None


class NotReady(Exception):
    """The row cannot be rendered yet (a card update before the card's ts is known): the relay
    tries it again shortly, keeping its place in the order."""
