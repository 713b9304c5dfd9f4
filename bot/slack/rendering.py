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
    instead of a new post. `is_review_card` tells the relay to record the posted ts as the
    request's card (so later updates edit it in place); `card_of` does the same for any card
    owner: ("request", id) or ("ticket", id)."""

    text: str  # the notification / fallback text
    blocks: list[dict[str, Any]] = field(default_factory=list)
    channel: str | None = None
    user_id: str | None = None
    update_ts: str | None = None
    is_review_card: bool = False
    card_of: tuple[str, int] | None = None


class NotReady(Exception):
    """The row cannot be rendered yet (a card update before the card's ts is known): the relay
    tries it again shortly, keeping its place in the order."""
