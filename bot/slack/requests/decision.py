"""The small modals a reviewer fills to request changes or reject."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.slack.blocks import plain, section
from bot.slack.ids import Callback

NOTE_BLOCK = "note"
TEXTS = {
    Callback.changes_comment: ("Request changes", "What should the partner change?",
                               "Send to partner"),
    Callback.reject_reason: ("Reject request", "Why is this request rejected?", "Reject"),
}


class DecisionMeta(BaseModel):
    request: str  # public ID
    channel: str | None = None  # where the card is, to answer a refusal there


def note_modal(callback: Callback, meta: DecisionMeta) -> dict[str, Any]:
    title, label, submit = TEXTS[callback]
    return {
        "type": "modal", "callback_id": callback.value, "title": plain(title, 24),
        "submit": plain(submit, 24), "close": plain("Cancel", 24),
        "private_metadata": meta.model_dump_json(exclude_none=True),
        "blocks": [
            section(f"*{meta.request}*: the partner gets this by DM and can reopen the form."),
            {"type": "input", "block_id": NOTE_BLOCK, "label": plain(label),
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": 2000}},
        ],
    }
