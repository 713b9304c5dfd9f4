"""Making every message fit Slack, at any size.

Slack refuses a message with more than 50 blocks or more than about 12,000 characters of text
across its blocks (`msg_blocks_too_long`). Builders keep each block within its own limit; this
module makes the whole message fit:

- `split` (a new post): the message as it is when it fits; else as many messages as it takes,
  the first saying how many more follow in its thread. Nothing is dropped.
- `shrink` (a message updated in place, which cannot grow a thread): the longest texts are
  clipped until it fits, each saying it was shortened and where the whole is.
- `line_sections`: lines packed into sections of at most 3,000 characters, never splitting a
  line, so a long list is never cut mid-line nor loses its last lines.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from bot.slack.clipping import clip, text_objects, text_units, units

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
# Slack refuses somewhere between 12,000 and 13,300 characters; keep a margin for the
# "continued" notes this module adds and for whatever Slack counts that we do not.
TEXT_BUDGET = 11_000
SHRUNK_NOTE = " (shortened: {where})"


def fits(blocks: Sequence[Any], *, budget: int = TEXT_BUDGET) -> bool:
    return len(blocks) <= MAX_BLOCKS and text_units(blocks) <= budget


def line_sections(lines: Sequence[str], *, title: str | None = None,
                  limit: int = MAX_SECTION_TEXT, line_limit: int = 1000) -> list[Block]:
    """Sections holding every line (each clipped to `line_limit` if it must be), the first
    starting with `title`, none over `limit` characters."""
    blocks: list[Block] = []
    current = title or ""
    for line in lines:
        line = clip(line, line_limit)
        candidate = f"{current}\n{line}" if current else line
        if units(candidate) > limit and current:
            blocks.append(_section(current))
            candidate = line
        current = candidate
    if current or not blocks:
        blocks.append(_section(current or " "))
    return blocks


def split(text: str, blocks: Sequence[Block], *, budget: int = TEXT_BUDGET
          ) -> list[tuple[str, list[Block]]]:
    """One message, or several that each fit: the first ends with a note that the rest is in
    its thread; each reply says which part it is."""
    blocks = [copy.deepcopy(b) for b in blocks]
    if fits(blocks, budget=budget):
        return [(text, blocks)]
    room = budget - 200  # the notes added below
    parts: list[list[Block]] = []
    current: list[Block] = []
    used = 0
    for block in blocks:
        size = text_units([block])
        if current and (len(current) >= MAX_BLOCKS - 1 or used + size > room):
            parts.append(current)
            current, used = [], 0
        current.append(block)
        used += size
    if current:
        parts.append(current)
    if len(parts) == 1:
        return [(text, parts[0])]
    total = len(parts)
    out = [(text, [*parts[0], _context(
        f":thread: Continued in the thread: {total - 1} more part(s) of this message.")])]
    for n, part in enumerate(parts[1:], start=2):
        out.append((clip(f"{text} (part {n}/{total})", 3000),
                    [_context(f"Part {n} of {total}."), *part]))
    return out


def shrink(blocks: Sequence[Block], *, where: str, budget: int = TEXT_BUDGET) -> list[Block]:
    """`blocks` clipped until they fit `budget`: the longest texts first, each saying it was
    shortened and `where` the whole is. Blocks beyond 50 are replaced by one note."""
    blocks = [copy.deepcopy(b) for b in blocks]
    if len(blocks) > MAX_BLOCKS:
        dropped = len(blocks) - (MAX_BLOCKS - 1)
        blocks = [*blocks[:MAX_BLOCKS - 1],
                  _context(f"…and {dropped} more block(s) not shown: {where}.")]
    note = SHRUNK_NOTE.format(where=where)
    while True:
        excess = text_units(blocks) - budget
        if excess <= 0:
            return blocks
        objects = sorted(text_objects(blocks), key=lambda o: units(o["text"]), reverse=True)
        longest = objects[0]
        size = units(longest["text"])
        target = max(size - excess, units(note) + 40, size // 2)
        if target >= size:  # nothing left to take from: the texts are all tiny
            return blocks
        longest["text"] = clip(longest["text"], target, note=note)


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
