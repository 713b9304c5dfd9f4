"""Help text rules (docs/rules.md "Help text"): presets, and the HTML custom text may use.

Custom text is parsed with the standard library's tolerant `HTMLParser`, which sees tags the way
a browser's tokenizer does (attribute values arrive with entities decoded), so `jav&#x09;ascript:`
is caught like `javascript:`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from bot.models import Finding
from bot.rules.base import Subject
from bot.rules.catalog import finding

PRESETS: dict[str, tuple[str, ...]] = {
    "sign_in": ("blank", "first_time", "agency_email", "piv_cac"),
    "sign_up": ("blank", "first_time", "agency_email", "same_email"),
    "forgot_password": ("blank", "troubleshoot_html"),
}
ALLOWED_TAGS = ("p", "br", "ol", "ul", "li", "a", "strong", "em", "b")
ALLOWED_ATTRIBUTES = ("href", "target")
# Links that run code when followed. Refused under HELP-HTML: the rule allows href, not script.
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript):", re.IGNORECASE)
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")  # browsers ignore these inside a URL scheme


class _Markup(HTMLParser):
    """Collects what custom help text uses that the rule does not allow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.script_links = 0
        self.other: list[str] = []
        self.unterminated: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            _add(self.tags, f"<{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES:
                _add(self.attributes, f"{name}= on <{tag}>")
            elif name == "href" and value and _SCRIPT_URL.match(_URL_JUNK.sub("", value)):
                self.script_links += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            _add(self.tags, f"<{tag}>")

    def handle_decl(self, decl: str) -> None:
        _add(self.other, f"<!{decl[:20]}>")

    def handle_pi(self, data: str) -> None:
        _add(self.other, f"<?{data[:20]}>")

    def unknown_decl(self, data: str) -> None:
        _add(self.other, f"<![{data[:20]}]>")


def _add(items: list[str], item: str) -> None:
    if item not in items and len(items) < 20:  # enough to name; junk must not grow it
        items.append(item)


def check_help_text(subject: Subject) -> Iterator[Finding]:
    help_text = subject.request.help_text
    if help_text is None or not subject.judges("help_text"):
        return
    for key, presets in PRESETS.items():
        value = getattr(help_text, key, None)
        if value is None or not value.strip():
            continue
        value = value.strip()
        if value in presets:
            continue
        field = f"help_text.{key}"
        yield finding("HELP-PRESET", field, _preset_message(key, value, presets))
        problem = html_problem(value)
        if problem:
            yield finding("HELP-HTML", field, f"{field}: {problem}")


def _preset_message(key: str, value: str, presets: tuple[str, ...]) -> str:
    shown = value if len(value) <= 40 else value[:37] + "..."
    lowered = value.lower()
    if lowered in presets:
        hint = f" (did you mean the preset '{lowered}'?)"
    elif other := [k for k, p in PRESETS.items() if k != key and value in p]:
        hint = f" ('{value}' is a preset for {' and '.join(other)}, not for {key})"
    else:
        hint = ""
    return (f"help_text.{key} '{shown}' is custom text, not a preset ({', '.join(presets)})"
            f"{hint}; custom text is allowed but goes through the help desk before launch")


def html_problem(text: str) -> str | None:
    """What custom help text uses beyond the allowed HTML, or None. Never raises."""
    if "<" not in text:
        return None  # no markup (entities decode to text, never to tags)
    parser = _Markup()
    try:
        parser.feed(text)
        # feed() stops at a construct that never closes; close() would then rescan the rest
        # once per '<' (quadratic: seconds for a few KB of '<x<x...'). Such text is refused
        # anyway, so it is reported instead of flushed.
        rest = parser.rawdata
        if "<" in rest:
            parser.unterminated = rest[:24]
        else:
            parser.close()
    except Exception:  # HTMLParser is tolerant; anything it cannot take is not simple HTML
        return "could not be read as HTML; use plain text or the allowed tags"
    parts: list[str] = []
    if parser.tags:
        parts.append(_not_allowed("tag", parser.tags))
    if parser.attributes:
        parts.append(_not_allowed("attribute", parser.attributes))
    if parser.script_links:
        parts.append("javascript: links are not allowed")
    if parser.other:
        parts.append(_not_allowed("markup", parser.other))
    if parser.unterminated is not None:
        parts.append(f"markup that never closes ('{parser.unterminated}') is not allowed")
    if not parts:
        return None
    return ("; ".join(parts) + ". Use only the tags " + " ".join(ALLOWED_TAGS)
            + " and the attributes href and target")


def _not_allowed(what: str, items: list[str]) -> str:
    if len(items) == 1:
        return f"{what} {items[0]} is not allowed"
    plural = what if what == "markup" else what + "s"
    return f"{plural} {', '.join(items)} are not allowed"
