"""The details modal: everything a reviewer needs to decide without asking the partner — every
field as submitted (URLs one per line), the findings with their rule IDs, the logo and
certificate facts, for a change the current and requested values field by field (lists item by
item), and the request's history. When it is more than one modal holds (Slack: 100 blocks,
3,000 characters a section), it is split into pages with Previous / Next buttons.

Nothing here is clipped: long lists run over as many sections and pages as they need. Only a
single value longer than a whole section (no real URL is) is shortened, and says so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.models import Request as RequestModel
from bot.models import Severity
from bot.requests.history import HistoryEntry, list_changes
from bot.requests.records import RequestRecord
from bot.rules.certificates import CertFacts
from bot.rules.logo import LogoFacts
from bot.slack.blocks import Block, button, context, divider, header, section
from bot.slack.clipping import clip, units
from bot.slack.ids import Action
from bot.slack.requests.card import certificate_text, logo_text, status_text, summary_fields
from bot.slack.requests.card import title as card_title
from bot.slack.text import escape
from bot.slack.times import local_time

SECTION_LIMIT = 3000
PAGE_BLOCKS = 95  # Slack takes 100 blocks per modal; the rest is the page's navigation
SHORTENED = " (shortened for display; the stored value is whole)"

LABELS = {
    "app_name": "App name", "friendly_name": "Friendly name", "agency": "Agency",
    "description": "Description", "protocol": "Protocol", "ial": "IAL",
    "default_aal": "Default AAL", "attribute_bundle": "Attributes", "issuer": "Issuer",
    "logo": "Logo", "certificates": "Certificates", "redirect_uris": "Redirect URIs",
    "push_notification_url": "Push notification URL",
    "failure_to_proof_url": "Failure to Proof URL", "return_to_sp_url": "Return to SP URL",
    "acs_url": "Assertion Consumer Service (ACS) URL",
    "assertion_consumer_logout_service_url": "Logout service URL",
    "sp_initiated_login_url": "SP-initiated login URL",
    "block_encryption": "Block encryption",
    "signed_response_message_requested": "Signed response message requested",
    "help_text": "Help text", "iaa_number": "IAA number", "application_url": "Application URL",
    "audience": "Audience", "estimated_annual_registrations": "Estimated annual registrations",
    "monthly_active_users": "Monthly active users", "contacts": "Contacts",
    "desired_deploy_date": "Desired deploy date", "attestations": "Attestations",
    "change_summary": "Why this change",
}
FIELD_ORDER = tuple(name for name in RequestModel.model_fields if name != "kind")

ACTIONS = {
    "submit": "filed it", "claim": "claimed it for review", "approve": "approved it",
    "request_changes": "asked for changes", "reject": "rejected it",
    "resubmit": "resubmitted it", "withdraw": "withdrew it", "slip": "slipped it",
    "deploy": "marked it deployed",
    # support tickets
    "file": "filed it", "reply": "replied to the partner", "answer": "answered",
    "wait_on_partner": "is waiting on the partner", "resolve": "resolved it",
}


def _label(name: str) -> str:
    head, _, rest = name.partition(".")
    label = LABELS.get(head, head.replace("_", " ").capitalize())
    return f"{label} · {rest.replace('_', ' ')}" if rest else label


def _value(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value in (None, "", []):
        return "(none)"
    return escape(value)


def value_lines(value: Any) -> list[str]:
    """A submitted value as lines of escaped mrkdwn: a list one item a line, a mapping one
    `name: value` a line, anything else one line."""
    if isinstance(value, list):
        return [f"• {_value(item)}" for item in value] or ["(none)"]
    if isinstance(value, Mapping):
        return [f"{escape(str(k).replace('_', ' '))}: {_value(v)}" for k, v in value.items()
                if v is not None] or ["(none)"]
    return [_value(value)]


def text_sections(title: str, lines: Iterable[str]) -> list[Block]:
    """`*title*` and `lines` in as many sections as they need (each within Slack's 3,000)."""
    blocks: list[Block] = []
    current = f"*{title}*"
    for line in lines:
        line = clip(line, SECTION_LIMIT - 200, note=SHORTENED)
        if units(current) + 1 + units(line) > SECTION_LIMIT:
            blocks.append(section(current))
            current = f"*{title}* (continued)\n{line}"
        else:
            current += "\n" + line
    blocks.append(section(current))
    return blocks


def submitted_blocks(submitted: Mapping[str, Any]) -> list[Block]:
    """Every field as submitted, in the request file's order; fields nobody knows last."""
    names = [n for n in FIELD_ORDER if n in submitted]
    names += [n for n in submitted if n not in FIELD_ORDER and n != "kind"]
    blocks: list[Block] = [header("As submitted")]
    for name in names:
        blocks += text_sections(_label(name), value_lines(submitted[name]))
    return blocks


def change_lines(old: Any, new: Any) -> list[str]:
    """Current and requested value: lists item by item (added, removed, kept), mappings entry
    by entry, single values side by side."""
    listed = list_changes(old, new)
    if listed is not None:
        added, removed = listed
        kept = [x for x in (new or []) if x in (old or [])]
        lines = [f"➕ added: {_value(x)}" for x in added]
        lines += [f"➖ removed: {_value(x)}" for x in removed]
        if kept:
            lines.append(f"unchanged: {len(kept)} item{'s' if len(kept) != 1 else ''}")
        return lines or ["(no change)"]
    if isinstance(old, Mapping) or isinstance(new, Mapping):
        old = dict(old) if isinstance(old, Mapping) else {}
        new = dict(new) if isinstance(new, Mapping) else {}
        return [f"{escape(str(k).replace('_', ' '))}: {_value(old.get(k))} → "
                f"{_value(new.get(k))}" for k in dict.fromkeys([*old, *new])
                if old.get(k) != new.get(k)] or ["(no change)"]
    return [f"current: {_value(old)}", f"requested: {_value(new)}"]


def change_blocks(diff: Mapping[str, Any] | None) -> list[Block]:
    if not diff:
        return []
    blocks: list[Block] = [header("Change: current → requested")]
    for name, change in diff.items():
        blocks += text_sections(_label(name), change_lines(change.get("old"),
                                                            change.get("new")))
    return blocks


def findings_blocks(record: RequestRecord) -> list[Block]:
    blocks: list[Block] = []
    for severity, title in ((Severity.error, "Errors"), (Severity.warning, "Warnings"),
                            (Severity.info, "Notes")):
        found = [f for f in record.findings if f.severity is severity]
        if found:
            blocks += text_sections(f"{title} ({len(found)})", (
                f"• `{f.rule}`{' on ' + escape(f.field) if f.field else ''}: "
                f"{escape(f.message)}" for f in found))
    if not blocks:
        return [section("*Findings*\nNone: every rule passed.")]
    return [header("Findings"), *blocks]


def files_blocks(record: RequestRecord, logo: LogoFacts | None,
                 certificates: Sequence[tuple[str, CertFacts | None]],
                 links: Mapping[str, str] | None = None) -> list[Block]:
    """The files' facts, each with a link to the file as uploaded in Slack when known (links
    are Slack's permalinks, checked when the file was fetched)."""
    links = links or {}

    def opened(name: str) -> str:
        return f" · <{links[name]}|open the file>" if name in links else ""

    lines = [f"*Logo:* {logo_text(logo)}{opened(logo.name) if logo else ''}"] \
        if logo or record.kind != "change" else []
    lines += [f"*Certificate:* {certificate_text(name, cert)}{opened(name)}"
              for name, cert in certificates]
    return text_sections("Files", lines) if lines else []


def history_lines(record: RequestRecord | None, entries: Sequence[HistoryEntry],
                  tz: ZoneInfo) -> list[str]:
    """The timeline as lines; `record` is None for a support ticket."""
    lines: list[str] = []
    for entry in entries:
        who = f"<@{entry.actor}>" if entry.actor and entry.actor != "system" else "launchbot"
        did = ACTIONS.get(entry.action, entry.action.replace("_", " "))
        if entry.action == "slip":
            did += f" from {entry.detail.get('from')} to {entry.detail.get('to')}"
        if entry.action == "deploy" and record is not None and record.kind == "staging":
            did = "marked it deployed to staging"
        lines.append(f"*{local_time(entry.at, tz)}* · {who} {did}")
        if entry.note:
            lines.append(f"> {escape(entry.note)}")
        for name, change in entry.changes.items():
            lines += [f"    {_label(name)}: {line}"
                      for line in change_lines(change.get("old"), change.get("new"))]
        if entry.action == "resubmit" and not entry.changes and "changes" in entry.detail:
            lines.append("    nothing changed")
    return lines


def history_blocks(record: RequestRecord, entries: Sequence[HistoryEntry],
                   tz: ZoneInfo) -> list[Block]:
    if not entries:
        return []
    return [header("History"), *text_sections(
        f"Times in {tz.key}", history_lines(record, entries, tz))]


MESSAGE_BLOCKS = 50  # Slack's limit for a message


def history_message(record: RequestRecord | None, entries: Sequence[HistoryEntry],
                    tz: ZoneInfo, *, public_id: str | None = None) -> dict[str, Any]:
    """`/launch-request history LR-…` (or, with `public_id` and no record, a ticket's): the
    timeline as a message, with the Details button for a request. A history longer than a
    message holds shows its first and latest steps and says the rest is left out."""
    name = record.public_id if record is not None else public_id
    blocks = text_sections(f"History of {name} (times in {tz.key})",
                            history_lines(record, entries, tz))
    if len(blocks) > MESSAGE_BLOCKS - 1:
        blocks = [blocks[0], context("Steps in between are left out here"
                                     + (": *Details* has them all." if record else ".")),
                  *blocks[-(MESSAGE_BLOCKS - 3):]]
    if record is not None:
        blocks.append({"type": "actions", "elements": [
            button("Details", Action.details, record.public_id)]})
    return {"text": f"History of {name}", "blocks": blocks}


def details_blocks(record: RequestRecord, entries: Sequence[HistoryEntry], *, tz: ZoneInfo,
                   logo: LogoFacts | None,
                   certificates: Sequence[tuple[str, CertFacts | None]],
                   links: Mapping[str, str] | None = None) -> list[Block]:
    """Every block of the details, before they are split into pages."""
    return [
        header(card_title(record)), summary_fields(record),
        section(status_text(record, tz=tz)), divider(),
        *change_blocks(record.diff),
        *submitted_blocks(record.submitted),
        *findings_blocks(record),
        *files_blocks(record, logo, certificates, links),
        *history_blocks(record, entries, tz),
    ]


def pages(blocks: Sequence[Block], per_page: int = PAGE_BLOCKS) -> list[list[Block]]:
    """Blocks split into pages of at most `per_page`; a page does not end on a header."""
    result: list[list[Block]] = []
    current: list[Block] = []
    for block in blocks:
        if len(current) >= per_page:
            carry = [current.pop()] if current[-1].get("type") == "header" else []
            result.append(current)
            current = carry
        current.append(block)
    result.append(current)
    return result


def details_view(record: RequestRecord, blocks: Sequence[Block], page: int = 1) -> dict[str, Any]:
    """Page `page` (from 1) of the details modal, with its navigation."""
    split = pages(blocks)
    page = min(max(page, 1), len(split))
    shown = list(split[page - 1])
    if len(split) > 1:
        nav = []
        if page > 1:
            nav.append(button("◀ Previous", Action.details_back,
                              f"{record.public_id}:{page - 1}"))
        if page < len(split):
            nav.append(button("Next ▶", Action.details_page, f"{record.public_id}:{page + 1}",
                              style="primary"))
        shown += [divider(), context(f"Page {page} of {len(split)}"),
                  {"type": "actions", "block_id": "details_pages", "elements": nav}]
    title = f"{record.public_id} details" if len(split) == 1 else \
        f"{record.public_id} · {page}/{len(split)}"
    return {"type": "modal", "callback_id": "request_details",
            "title": {"type": "plain_text", "text": clip(title, 24)},
            "close": {"type": "plain_text", "text": "Close"},
            "private_metadata": record.public_id, "blocks": shown}


def page_of(value: str) -> tuple[str, int]:
    """A page button's value, 'LR-1042:2' -> ('LR-1042', 2); page 1 when it names none."""
    request, _, page = value.rpartition(":")
    if not request:
        return value, 1
    return request, int(page) if page.isascii() and page.isdigit() and len(page) < 5 else 1
