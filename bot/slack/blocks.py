"""Small Block Kit pieces shared by the builders: text objects, sections, context, headers,
buttons, selects. The words that go in them (escaped partner text, labels, dates, mentions)
are in `bot.slack.text`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.slack.clipping import clip

Block = dict[str, Any]


def plain(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def section(text: str, **extra: Any) -> Block:
    return {"type": "section", "text": mrkdwn(text), **extra}


def fields(*pairs: tuple[str, str]) -> Block:
    """A section of label/value fields (at most 10); values are mrkdwn, already escaped."""
    return {"type": "section",
            "fields": [mrkdwn(f"*{label}*\n{value}", 2000) for label, value in pairs[:10]]}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None,
           confirm: dict[str, Any] | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text, 75), "action_id": action_id,
                               "value": value}
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label, 75), "value": value}


def static_select(action_id: str, placeholder: str, choices: Mapping[str, str],
                  picked: Any = None) -> dict[str, Any]:
    """A select of `choices` (value -> label; labels shortened to fit, the first 100: Slack's
    most), with `picked` chosen when it is one of them."""
    element: dict[str, Any] = {
        "type": "static_select", "action_id": action_id, "placeholder": plain(placeholder),
        "options": [option(value, label) for value, label in choices.items()][:100]}
    if picked in choices:
        element["initial_option"] = option(picked, choices[picked])
    return element
