"""The note modals a reviewer fills to request changes or reject (bot.slack.notes)."""

from __future__ import annotations

from typing import Any

from bot.slack.ids import Callback
from bot.slack.notes import Note, NoteMeta, note_modal

REVIEW_NOTES = {
    Callback.changes_comment: Note("Request changes", "What should the partner change?",
                                   "Send to partner", "Write the comment for the partner.",
                                   max_length=2000),
    Callback.reject_reason: Note("Reject request", "Why is this request rejected?", "Reject",
                                 "Write the reason for the partner.", max_length=2000),
}


def review_note_about(public_id: str) -> str:
    return f"*{public_id}*: the partner gets this by DM and can reopen the form."


def review_note_modal(callback: Callback, meta: NoteMeta) -> dict[str, Any]:
    return note_modal(callback, REVIEW_NOTES[callback], meta, review_note_about(meta.record))
