"""A report's findings placed on the request form's inputs: each error on the input of its
field, or the nearest one in form order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.models import Report, Severity
from bot.slack.requests.form.fields import BY_NAME, ORDER
from bot.slack.text import clip


def block_of(field: str | None) -> str | None:
    """The input block a finding's field belongs to: 'redirect_uris[1]' -> 'redirect_uris',
    'attestations.dedicated_domain' -> 'attestations'; 'help_text.sign_in' keeps its own."""
    if not field:
        return None
    name = field.split("[", 1)[0]
    if name in BY_NAME:
        return name
    return name.split(".", 1)[0]


def nearest_block(field: str | None, blocks: list[str]) -> str:
    """The input the error shows on: its own, else the nearest one in form order (a field
    with no input of its own is never lost)."""
    name = block_of(field)
    if name in blocks:
        return name
    position = ORDER.index(name) if name in ORDER else 0
    return min(blocks, key=lambda b: (abs(ORDER.index(b) - position) if b in ORDER
                                      else len(ORDER), ORDER.index(b) if b in ORDER else 0))


def form_errors(report: Report, view: Mapping[str, Any]) -> dict[str, str]:
    """`response_action: errors` for a report's errors, on the view's input blocks."""
    blocks = [b["block_id"] for b in view.get("blocks", ())
              if b.get("type") == "input" and "block_id" in b]
    errors: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.severity is Severity.error and blocks:
            errors.setdefault(nearest_block(finding.field, blocks), []).append(
                f"{finding.message} ({finding.rule})")
    return {block: clip(" · ".join(messages), 2000) for block, messages in errors.items()}
