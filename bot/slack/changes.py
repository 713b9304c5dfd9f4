"""A change request's diff in Slack (the review card and the deploy-day manifest): item by item
what is added and what is removed, escaped; long values shortened for display only, saying
where the whole is."""

from __future__ import annotations

from typing import Any

from bot.requests.diffs import changes
from bot.requests.records import DiffEntry
from bot.slack.clipping import clip
from bot.slack.text import escape

ITEM_LIMIT = 300  # characters of one value shown
ITEMS_SHOWN = 10  # items added (and removed) shown per field


def change_lines(diff: dict[str, Any] | None, *, where: str) -> list[str]:
    """mrkdwn lines, one per field changed and one per item added or removed; `where` names
    where the whole is when something had to be left out or shortened."""
    lines: list[str] = []
    for change in changes(diff):
        lines += _field_lines(change, where)
    return lines


def _field_lines(change: DiffEntry, where: str) -> list[str]:
    name = f"*{escape(change.field)}*"
    if not change.is_list:
        return [f"• {name}: {_value(change.old, where)} → {_value(change.new, where)}"]
    old, new = len(change.old or []), len(change.new or [])
    added, removed = change.added, change.removed
    head = f"• {name} ({old} → {new}): " + ", ".join(
        x for x in (f"{len(added)} added" if added else "",
                    f"{len(removed)} removed" if removed else "",
                    "reordered" if change.reordered else "") if x)
    lines = [head]
    for sign, items in (("+", added), ("−", removed)):
        lines += [f"    {sign} `{_value(v, where, code=True)}`" for v in items[:ITEMS_SHOWN]]
        if len(items) > ITEMS_SHOWN:
            lines.append(f"    …and {len(items) - ITEMS_SHOWN} more {sign}: {where}")
    return lines


def _value(value: Any, where: str, *, code: bool = False) -> str:
    if value in (None, "", []):
        return "(none)"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if code:
        text = text.replace("`", "'")  # a backtick would end the code span
    return clip(escape(text), ITEM_LIMIT, note=f" (shortened: {where})")
