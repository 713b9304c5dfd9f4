"""The note modal: one small modal asking for a text (a reviewer's comment or reason, support's
reply or resolution note, the partner's answer), its metadata and its one reader.

Each domain describes its notes with `Note`; `bot.slack.listening` opens and runs them, the
same way for every kind of record: a refusal stays on the modal's field with the text still in
it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.slack.blocks import divider, plain, section
from bot.slack.ids import Action, Callback

NOTE_BLOCK = "note"


@dataclass(frozen=True)
class Note:
    """What one note modal says. `missing`: the error when it is sent empty."""

    title: str
    label: str
    submit: str
    missing: str
    max_length: int = 3000


class NoteMeta(BaseModel):
    """A note modal's private_metadata."""

    record: str  # the public ID it is about
    channel: str | None = None  # where the button was, to answer a refusal there


def note_modal(callback: Callback, note: Note, meta: NoteMeta, about: str) -> dict[str, Any]:
    """The modal; `about` is a short line of mrkdwn naming the record (escaped by the caller)."""
    return {
        "type": "modal", "callback_id": callback.value, "title": plain(note.title, 24),
        "submit": plain(note.submit, 24), "close": plain("Cancel", 24),
        "private_metadata": meta.model_dump_json(exclude_none=True),
        "blocks": [
            section(about), divider(),
            {"type": "input", "block_id": NOTE_BLOCK, "label": plain(note.label),
             "element": {"type": "plain_text_input", "action_id": Action.value.value,
                         "multiline": True, "max_length": note.max_length}},
        ],
    }


def read_note(state_values: Any) -> str:
    """The text typed in a note modal, or "" when there is none or it is not text."""
    state = state_values.get(NOTE_BLOCK) if isinstance(state_values, Mapping) else None
    first = next(iter(state.values()), None) if isinstance(state, Mapping) else None
    value = first.get("value") if isinstance(first, Mapping) else None
    return value.strip() if isinstance(value, str) else ""
