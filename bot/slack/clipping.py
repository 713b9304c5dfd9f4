"""Shortening text for display in Slack: the one place text is clipped.

Display only: a clipped text is never stored, never submitted and never prefilled in a form
(the form shows the whole or asks for what changes). A clip says so: it ends with "…" (and the
caller's note of where the whole is), and only when something was really cut.

Lengths are UTF-16 code units (what `units` counts), never fewer than characters: Slack does
not say which it counts. A cut never lands inside an HTML entity (`&amp;`), a mention or link
(`<@U123>`, `<https://…|…>`), an emoji shortcode (`:white_check_mark:`) or a character sequence
that draws as one (emoji with skin tones, ZWJ families, flags, combining accents).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

ELLIPSIS = "…"

_ENTITY = re.compile(r"&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);")
_SHORTCODE = re.compile(r":[a-z0-9_+'-]+:")
_ZWJ = "\u200d"


def units(text: str) -> int:
    """UTF-16 code units: a character outside the BMP (most emoji) counts two."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every text a block (or a list of them) carries: its text objects (plain_text, mrkdwn)
    and markdown blocks, at any depth."""
    if isinstance(node, Mapping):
        if node.get("type") in ("plain_text", "mrkdwn", "markdown") and isinstance(
                node.get("text"), str):
            yield node
        for value in node.values():
            if isinstance(value, Mapping | list):
                yield from text_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from text_objects(value)


def text_units(blocks: Iterable[Any]) -> int:
    """The text a list of blocks carries, in UTF-16 units: what Slack totals for
    msg_blocks_too_long."""
    found = blocks if isinstance(blocks, Mapping) else list(blocks)
    return sum(units(obj["text"]) for obj in text_objects(found))


def fits(text: str, limit: int) -> bool:
    return units(text) <= limit


def clip(text: str, limit: int, *, note: str = "") -> str:
    """`text` if it fits in `limit` units; else its longest safe beginning, "…" and `note`
    (e.g. " (shortened: the whole is in the thread)"), all within `limit`."""
    if units(text) <= limit:
        return text
    tail = ELLIPSIS + note
    room = limit - units(tail)
    if room <= 0:  # the note does not fit: at least say it was cut
        tail, room = ELLIPSIS, limit - 1
    end = _prefix_within(text, max(room, 0))
    end = safe_cut(text, end)
    return text[:end].rstrip() + tail


def safe_cut(text: str, end: int) -> int:
    """The largest index <= `end` that does not split an entity, mention, link, shortcode or
    a grapheme (as far as emoji and combining marks go)."""
    while True:
        moved = _back_off(text, end)
        if moved == end:
            return end
        end = moved


def _prefix_within(text: str, room: int) -> int:
    used = 0
    for i, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > room:
            return i
    return len(text)


def _extends(char: str) -> bool:
    """Characters that draw as part of the one before them."""
    code = ord(char)
    return (char == _ZWJ or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F or code == 0x20E3
            or unicodedata.category(char) in ("Mn", "Me", "Mc"))


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _back_off(text: str, end: int) -> int:
    if end <= 0 or end >= len(text):
        return max(end, 0)
    # A grapheme: combining marks, variation selectors, skin tones, ZWJ sequences.
    if _extends(text[end]) or text[end - 1] == _ZWJ:
        return end - 1
    # A flag is a pair of regional indicators: never keep half.
    if _is_regional(text[end]):
        run = 0
        while end - run - 1 >= 0 and _is_regional(text[end - run - 1]):
            run += 1
        if run % 2:
            return end - 1
    # An entity (&amp; &lt; &gt; &#39;) or an emoji shortcode (:white_check_mark:).
    for pattern, reach in ((_ENTITY, 12), (_SHORTCODE, 64)):
        for match in pattern.finditer(text, max(0, end - reach), end + reach):
            if match.start() < end < match.end():
                return match.start()
    # A mention, channel or link: <@U123>, <#C1|name>, <!here>, <https://…|text>
    head = text[:end]
    lt = head.rfind("<")
    if lt != -1 and ">" not in head[lt:] and ">" in text[end:]:
        return lt
    return end
