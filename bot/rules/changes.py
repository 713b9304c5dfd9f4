"""A change request applied to an integration's current configuration, and its diff."""

from __future__ import annotations

from typing import Any

from bot.models import CONFIG_FIELDS, Configuration, Request


def apply_change(current: Configuration, change: Request) -> Request:
    """The configuration a change request would leave: current values, then the given ones."""
    merged: dict[str, Any] = current.model_dump(exclude_none=True)
    merged.update(change.model_dump(include=change.given() - {"kind"}, exclude_none=True))
    return Request.model_validate({**merged, "kind": change.kind})


def diff(current: Configuration | None, change: Request) -> dict[str, dict[str, Any]]:
    """{field: {"old": ..., "new": ...}} for each configuration field the change really moves."""
    before = current.model_dump(mode="json") if current else {}
    after = change.model_dump(mode="json")
    return {name: {"old": before.get(name), "new": after[name]}
            for name in CONFIG_FIELDS
            if name in change.given() and before.get(name) != after[name]}
