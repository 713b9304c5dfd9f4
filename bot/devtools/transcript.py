"""Block Kit as plain text, for `launchbot demo`: what a person would read in Slack."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")


def _text(obj: Any) -> str:
    if isinstance(obj, Mapping):
        text = str(obj.get("text", ""))
        if obj.get("type") == "mrkdwn":
            text = _LINK.sub(r"\2", text)
            text = html.unescape(text)  # what Slack shows for &lt; &gt; &amp;
        return text
    return str(obj or "")


def _element(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'))}]"
    if kind in ("static_select", "multi_static_select"):
        chosen = element.get("initial_option") or {}
        return f"<{_text(chosen.get('text')) or 'choose'} ▾>"
    if kind == "plain_text_input":
        return f"[{element.get('initial_value', '')}]"
    if kind == "datepicker":
        return f"[{element.get('initial_date', 'pick a date')}]"
    if kind == "file_input":
        return "[upload a file]"
    if kind == "checkboxes":
        chosen = {o.get("value") for o in element.get("initial_options") or ()}
        return " ".join(f"[{'x' if o.get('value') in chosen else ' '}] {_text(o.get('text'))}"
                        for o in element.get("options") or ())
    return f"[{kind}]"


def render(blocks: Iterable[Mapping[str, Any]], indent: str = "  ") -> str:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"** {_text(block.get('text'))} **")
        elif kind == "section":
            if block.get("text"):
                lines.append(_text(block["text"]))
            for field in block.get("fields") or ():
                lines.append(_text(field).replace("\n", ": ", 1))
            if block.get("accessory"):
                lines.append(_element(block["accessory"]))
        elif kind == "context":
            lines.append(" ".join(_text(e) for e in block.get("elements") or ()))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append(" ".join(_element(e) for e in block.get("elements") or ()))
        elif kind == "input":
            lines.append(f"{_text(block.get('label'))}: {_element(block.get('element', {}))}")
    text = "\n".join(lines)
    return textwrap.indent(text, indent)


def view(view: Mapping[str, Any]) -> str:
    title = _text(view.get("title"))
    submit = f"   [{_text(view.get('submit'))}]" if view.get("submit") else ""
    return f"  ┌ {title} ┐{submit}\n" + render(view.get("blocks") or (), "  │ ")
