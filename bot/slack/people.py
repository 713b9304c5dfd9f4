"""People's Slack display names, for texts read outside Slack (the text manifest), where
`<@U123>` does not render. Best effort: an ID Slack cannot name stays an ID."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def display_names(client: WebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """{user ID: display name} for the IDs users.info can name (display name, else real
    name, else user name)."""
    names: dict[str, str] = {}
    for user_id in dict.fromkeys(u for u in user_ids if u):
        try:
            user = client.users_info(user=user_id)["user"]
        except (SlackApiError, KeyError, TypeError, OSError) as exc:
            log.info("no name for %s: %s", user_id, exc)
            continue
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name")
                or user.get("real_name") or user.get("name"))
        if name:
            names[user_id] = str(name)
    return names
