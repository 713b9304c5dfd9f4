"""Who and what a Slack request is about, for its log lines: the Slack user, and the request or
ticket a button, command or modal names (`bot.ops.logs.log_context`, set around each request
by bot.slack.server)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.kernel.ids import REQUEST_IDS, TICKET_IDS
from bot.slack.listening import actor_id, clicked_value

_KINDS = {REQUEST_IDS.prefix: REQUEST_IDS.noun, TICKET_IDS.prefix: TICKET_IDS.noun}
_ID = re.compile(rf"\b({'|'.join(re.escape(p) for p in _KINDS)})([0-9]{{1,12}})\b")


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
            found.setdefault(_KINDS[match.group(1)], match.group(0))
    return found
