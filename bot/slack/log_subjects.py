"""Who and what a Slack request is about, for its log lines: the Slack user, and the request or
ticket a button, command or modal names (`bot.ops.logs.log_context`, set around each request
by bot.slack.server)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.slack.listening import actor_id, clicked_value
from bot.store.models import PUBLIC_ID_PREFIX, TICKET_ID_PREFIX

_ID = re.compile(rf"\b({re.escape(PUBLIC_ID_PREFIX)}|{re.escape(TICKET_ID_PREFIX)})([0-9]{{1,12}})"
                 r"\b")


def subjects(body: Mapping[str, Any]) -> dict[str, str]:
    """`user`, and `request` / `ticket` when the clicked value, the command text or the
    modal's metadata names one."""
    found: dict[str, str] = {}
    user = actor_id(body)
    if not user and isinstance(body.get("event"), Mapping):
        user = body["event"].get("user")
    if isinstance(user, str) and user:
        found["user"] = user
    view = body.get("view")
    texts = [clicked_value(body), body.get("text"),
             view.get("private_metadata") if isinstance(view, Mapping) else None]
    for text in texts:
        if not isinstance(text, str):
            continue
        for match in _ID.finditer(text[:4000]):
            kind = "request" if match.group(1) == PUBLIC_ID_PREFIX else "ticket"
            found.setdefault(kind, match.group(0))
    return found
