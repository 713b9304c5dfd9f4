"""What a change changes, item by item, as plain text (the manifest file deployers work from).
The item-by-item view itself (added, removed) is `DiffEntry`'s; Slack's rendering of it is
bot.slack.changes."""

from __future__ import annotations

from typing import Any

from bot.requests.records import DiffEntry


def changes(diff: dict[str, Any] | None) -> list[DiffEntry]:
    """A request's stored diff ({field: {"old", "new"}}) as entries, in its order."""
    return [DiffEntry(name, change.get("old"), change.get("new"))
            for name, change in (diff or {}).items() if isinstance(change, dict)]


def plain_lines(change: DiffEntry) -> list[str]:
    """The change as plain-text lines, whole: `+ item` / `- item` for a list, `old -> new`
    otherwise."""
    if change.is_list:
        old = len(change.old) if isinstance(change.old, list) else 0
        new = len(change.new) if isinstance(change.new, list) else 0
        lines = [f"{change.field}: {old} -> {new} items"
                 + (", reordered" if change.reordered else "")]
        lines += [f"  + {v}" for v in change.added]
        lines += [f"  - {v}" for v in change.removed]
        return lines
    return [f"{change.field}: {_plain(change.old)} -> {_plain(change.new)}"]


def _plain(value: Any) -> str:
    return "(none)" if value in (None, "", []) else str(value)
