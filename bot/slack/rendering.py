"""The contract between the outbox relay and the Block Kit builders: what one outbox row
becomes in Slack. Builders fill it; the relay sends it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.slack import fitting


@dataclass(frozen=True)
class Outgoing:
    """One Slack message to send for an outbox row.

    Exactly one of `channel` (post in a channel) or `user_id` (DM: the relay opens the
    conversation) is set. `update_ts` set means chat.update of that message in `channel`
    instead of a new post. `card_of` names what the message is the card of, ("request", id)
    or ("ticket", id): the relay records the posted ts there, so later updates edit it in
    place. `thread_parent` is the index, in the same list, of the message this one replies to
    in its thread. `whole_at` says where the whole is when the message has to be shortened to
    fit Slack (a card or an update in place cannot be split: see bot.slack.fitting)."""

    text: str  # the notification / fallback text
    blocks: list[dict[str, Any]] = field(default_factory=list)
    channel: str | None = None
    user_id: str | None = None
    update_ts: str | None = None
    card_of: tuple[str, int] | None = None
    thread_parent: int | None = None
    in_place: bool = False  # updated in place later (a manifest page): never split in a thread
    whole_at: str = "the whole is in the request's details in the App Home"


class NotReady(Exception):
    """The row cannot be rendered yet (a card update before the card's ts is known): the relay
    tries it again shortly, keeping its place in the order."""


def fit_for_slack(messages: list[Outgoing]) -> list[Outgoing]:
    """Every message as Slack accepts it: a post too big for one message becomes a message and
    replies in its thread; a card or an update in place is shortened, saying where the whole
    is. Nothing is dropped without a note."""
    out: list[Outgoing] = []
    first_part: dict[int, int] = {}  # index in `messages` -> index of its first part in `out`
    for i, message in enumerate(messages):
        parent = None if message.thread_parent is None else first_part[message.thread_parent]
        first_part[i] = len(out)
        if message.update_ts or message.card_of or message.in_place:
            blocks = fitting.shrink(message.blocks, where=message.whole_at)
            out.append(replace(message, blocks=blocks, thread_parent=parent))
            continue
        parts = fitting.split(message.text, message.blocks)
        head = len(out)
        for n, (text, blocks) in enumerate(parts):
            out.append(replace(message, text=text, blocks=blocks,
                               thread_parent=parent if n == 0 else
                               (head if parent is None else parent)))
    return out
