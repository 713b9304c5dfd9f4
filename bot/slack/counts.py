"""Counts as people write them: "1 launch", "2 launches", "3 staging requests"."""

from __future__ import annotations

PLURALS = {"launch": "launches", "staging": "staging requests", "day": "days",
           "item": "items", "request": "requests", "change": "changes",
           "support ticket": "support tickets", "warning": "warnings",
           "open request": "open requests"}


def counted(n: int, word: str, many: str | None = None) -> str:
    """'1 launch', '2 launches' (`many` when the plural is not in PLURALS nor word + 's')."""
    if n == 1:
        return f"1 {'staging request' if word == 'staging' else word}"
    return f"{n:,} {many or PLURALS.get(word) or word + 's'}"
