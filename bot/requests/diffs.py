"""What a change changes, item by item: a list field as the items added and removed (in their
order), any other field as its old and new value. One description for the review card, the
deploy-day manifest and the manifest file, so a reviewer never sees the same clipped text on
both sides of an arrow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def is_list(self) -> bool:
        return isinstance(self.old, list | type(None)) and isinstance(self.new, list | type(None)) \
            and (isinstance(self.old, list) or isinstance(self.new, list))

    @property
    def added(self) -> list[Any]:
        old = _items(self.old)
        return [v for v in _items(self.new) if v not in old]

    @property
    def removed(self) -> list[Any]:
        new = _items(self.new)
        return [v for v in _items(self.old) if v not in new]

    @property
    def reordered(self) -> bool:
        """The same items in another order (nothing added or removed)."""
        return self.is_list and not self.added and not self.removed and self.old != self.new


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def changes(diff: dict[str, Any] | None) -> list[FieldChange]:
    """A request's stored diff ({field: {"old", "new"}}) as field changes, in its order."""
    return [FieldChange(name, change.get("old"), change.get("new"))
            for name, change in (diff or {}).items() if isinstance(change, dict)]


def plain_lines(change: FieldChange) -> list[str]:
    """The change as plain-text lines, whole (the manifest file deployers work from):
    `+ item` / `- item` for a list, `old -> new` otherwise."""
    if change.is_list:
        lines = [f"{change.field}: {len(_items(change.old))} -> {len(_items(change.new))} items"
                 + (", reordered" if change.reordered else "")]
        lines += [f"  + {v}" for v in change.added]
        lines += [f"  - {v}" for v in change.removed]
        return lines
    return [f"{change.field}: {_plain(change.old)} -> {_plain(change.new)}"]


def _plain(value: Any) -> str:
    return "(none)" if value in (None, "", []) else str(value)
