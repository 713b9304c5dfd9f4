"""Deploy-day posts in MANIFEST_CHANNEL: the manifest (with Mark deployed / Slip buttons per
item; the same builder renders it when posted and on every update), the notice of a shifted
regular day, the preview two business days before, and the 17:00 reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo
from typing import Any

from pydantic import BaseModel

from bot.requests.records import KIND_ORDER, RequestRecord
from bot.schedule.deploy_day import DeployItem
from bot.slack.blocks import button, context, header, section
from bot.slack.changes import change_lines
from bot.slack.counts import counted
from bot.slack.fitting import line_sections
from bot.slack.ids import Action
from bot.slack.requests.card import certificate_text, logo_text
from bot.slack.text import clip, escape, kind_label, long_date, state_label, user
from bot.store.models import RequestState

Blocks = list[dict[str, Any]]
MAX_LINES = 25  # per list in a preview or reminder; the rest is "and N more"


class DeployButton(BaseModel):
    """The value of a Mark deployed / Slip button: which request, on which day's manifest."""

    request: str  # public ID
    day: date


def day_month(day: date) -> str:
    """'Monday, November 30'."""
    return f"{day:%A, %B} {day.day}"


def card_link(channel: str | None, ts: str | None, text: str = "review card") -> str | None:
    """A link to a message the bot posted (Slack redirects /archives links to the workspace)."""
    if not channel or not ts:
        return None
    return f"<https://slack.com/archives/{channel}/p{ts.replace('.', '')}|{text}>"


def _name(friendly: str | None, issuer: str | None, agency: str | None = None) -> str:
    name = f"*{escape(friendly or issuer or '(unnamed)')}*"
    return f"{name} — {escape(agency)}" if agency else name


def item_text(item: DeployItem, day: date, tz: tzinfo) -> str:
    kind = kind_label(item.kind)
    lines = [f"*{item.public_id}* · {kind} · {_name(item.friendly_name, item.issuer, item.agency)}"
             + (" · :rotating_light: *EXPEDITED*" if item.expedited else "")]
    facts = [f"`{escape(item.issuer or '—')}`", escape(item.protocol or "protocol —"),
             f"IAL {item.ial}" if item.ial else "IAL —"]
    if item.approved_by:
        facts.append(f"approved by {user(item.approved_by)}")
    if item.slip_count:
        facts.append(f"slipped {item.slip_count}×")
    link = card_link(item.card_channel, item.card_ts)
    if link:
        facts.append(link)
    lines.append(" · ".join(facts))
    lines += change_lines({d.field: {"old": d.old, "new": d.new} for d in item.changes},
                          where="the whole is in `launchbot manifest`")
    if item.change_summary:
        lines.append(f"_Why:_ {clip(escape(item.change_summary), 300, note=' (see the card)')}")
    lines.append(status_line(item, day, tz))
    # The status line stays whole at the end: the item is clipped before it if it must be.
    head = clip("\n".join(lines[:-1]), 2900 - len(lines[-1]),
                note=" (shortened: the review card has the whole)")
    return f"{head}\n{lines[-1]}"


def status_line(item: DeployItem, day: date, tz: tzinfo) -> str:
    if item.state == RequestState.deployed:
        when = f" at {item.deployed_at.astimezone(tz):%H:%M}" if item.deployed_at else ""
        return f":white_check_mark: *Deployed* by {user(item.deployed_by)}{when}"
    if item.state == RequestState.approved and item.target_deploy_date != day:
        return f":calendar: *Slipped* to {long_date(item.target_deploy_date)}"
    if item.state == RequestState.approved:
        return ":hourglass_flowing_sand: To deploy today"
    return f"*{state_label(item.state)}*"


def files_text(item: DeployItem) -> str | None:
    files = []
    if item.logo is not None or item.kind != "change":
        files.append(f"*Logo:* {logo_text(item.logo)}")
    files += [f"*Certificate:* {certificate_text(name, cert)}"
              for name, cert in item.certificates]
    return clip("\n".join(files), 3000) if files else None


def deploy_buttons(item: DeployItem, day: date) -> dict[str, Any]:
    value = DeployButton(request=item.public_id, day=day).model_dump_json()
    return {"type": "actions", "block_id": f"deploy:{item.public_id}", "elements": [
        button("Mark deployed", Action.mark_deployed, value, style="primary", confirm={
            "title": {"type": "plain_text", "text": "Mark deployed?"},
            "text": {"type": "mrkdwn", "text": f"{item.public_id} is in production now."},
            "confirm": {"type": "plain_text", "text": "Mark deployed"},
            "deny": {"type": "plain_text", "text": "Cancel"}}),
        button("Slip to next deploy", Action.slip, value, confirm={
            "title": {"type": "plain_text", "text": "Slip to the next deploy?"},
            "text": {"type": "mrkdwn", "text": f"{item.public_id} moves to the next deploy "
                     "day and its partner is told."},
            "confirm": {"type": "plain_text", "text": "Slip"},
            "deny": {"type": "plain_text", "text": "Cancel"}}),
    ]}


def _counts(items: Sequence[DeployItem]) -> str:
    kinds = [(sum(i.kind == k for i in items), k) for k in KIND_ORDER]
    return ", ".join(counted(n, k) for n, k in kinds if n)


def manifest_message(day: date, items: Sequence[DeployItem], *, tz: tzinfo, page: int = 1,
                     pages: int = 1, shifted_from: date | None = None,
                     reason: str | None = None) -> tuple[str, Blocks]:
    """(text, blocks) of one page of the deploy-day manifest, as things stand now."""
    suffix = f" ({page}/{pages})" if pages > 1 else ""
    blocks: Blocks = [header(f"Deploy manifest · {long_date(day)}{suffix}")]
    if shifted_from is not None:
        blocks.append(context(f"Moved from {long_date(shifted_from)}"
                              + (f" ({escape(reason)})" if reason else "") + "."))
    left = [i for i in items if i.pending_on(day)]
    if not items:
        text = f"Deploy manifest for {long_date(day)}: nothing to deploy today."
        blocks.append(section(":sunny: *Nothing to deploy today.* No request is approved "
                              "for this deploy day."))
        return text, blocks
    # A slipped item stays listed (with the day it moved to) but no longer counts for today.
    moved = [i for i in items if i.state == RequestState.approved
             and i.target_deploy_date != day]
    today = [i for i in items if i not in moved]
    slipped = f" · {len(moved)} slipped to a later day" if moved else ""
    text = (f"Deploy manifest for {long_date(day)}: {counted(len(today), 'item')}"
            + (f" ({_counts(today)})" if today else "")
            + f", {len(left)} still to deploy{slipped.replace(' ·', ',')}.")
    blocks.append(section(f"*{len(today)} to deploy by close of business*"
                          + (f" ({_counts(today)})" if today else "")
                          + f" · {len(left)} not yet marked deployed{slipped}."))
    for item in items:
        blocks.append(section(item_text(item, day, tz)))
        files = files_text(item)
        if files:
            blocks.append(context(files))
        if item.pending_on(day):
            blocks.append(deploy_buttons(item, day))
    return text, blocks


def shift_notice(day: date, moved_to: date, reason: str | None) -> tuple[str, Blocks]:
    why = f" ({escape(reason)})" if reason else ""
    text = f"No deploy today{why}: moved to {day_month(moved_to)}."
    return text, [section(f":calendar: *{text}*"),
                  context(f"What is approved for {long_date(day)} deploys on "
                          f"{long_date(moved_to)}; its manifest is posted here that morning.")]


def _line(record: RequestRecord) -> str:
    kind = kind_label(record.kind)
    name = escape(record.friendly_name or record.issuer or "(unnamed)")
    link = card_link(record.card_channel, record.card_ts)
    state = state_label(record.state)
    return " · ".join(x for x in (f"*{record.public_id}*", kind, name, state, link) if x)


def _list(title: str, records: Sequence[RequestRecord], empty: str) -> Blocks:
    lines = [f"• {_line(r)}" for r in records[:MAX_LINES]]
    if len(records) > MAX_LINES:
        lines.append(f"…and {len(records) - MAX_LINES} more")
    return line_sections(lines or [empty], title=f"*{title}* ({len(records)})")


def preview_message(day: date, approved: Sequence[RequestRecord],
                    pending: Sequence[RequestRecord], *, shifted_from: date | None = None,
                    reason: str | None = None) -> tuple[str, Blocks]:
    text = (f"Deploy preview for {long_date(day)}: {len(approved)} approved so far, "
            f"{len(pending)} still in review.")
    blocks: Blocks = [header(f"Deploy preview · {long_date(day)}")]
    if shifted_from is not None:
        blocks.append(context(f"Moved from {long_date(shifted_from)}"
                              + (f" ({escape(reason)})" if reason else "") + "."))
    blocks += [*_list("Approved so far", approved, "_Nothing approved yet._"),
               *_list("Still in review for this day", pending,
                      "_Nothing else is in review for this day._"),
               context("The manifest is posted here at 09:00 on the deploy day.")]
    return text, blocks


def not_deployed_message(day: date, items: Sequence[DeployItem], *, next_business_day: date,
                         slips_to: date) -> tuple[str, Blocks]:
    """17:00 on deploy day: what is still not marked deployed (with the button to do it)."""
    text = (f"Close of business: {counted(len(items), 'item')} for {long_date(day)} not "
            "marked deployed.")
    blocks: Blocks = [section(
        f":hourglass_flowing_sand: *Close of business: {len(items)} not marked deployed* "
        f"for {long_date(day)}.")]
    for item in items[:MAX_LINES]:
        value = DeployButton(request=item.public_id, day=day).model_dump_json()
        kind = kind_label(item.kind)
        link = card_link(item.card_channel, item.card_ts)
        line = " · ".join(x for x in (f"*{item.public_id}*", kind,
                                      _name(item.friendly_name, item.issuer), link) if x)
        blocks.append(section(line, accessory=button("Mark deployed", Action.mark_deployed,
                                                     value, style="primary")))
    if len(items) > MAX_LINES:
        blocks.append(context(f"…and {len(items) - MAX_LINES} more on the manifest."))
    blocks.append(context(f"Not marked deployed by {day_month(next_business_day)} morning, "
                          f"they slip to {long_date(slips_to)} and their partners are told."))
    return text, blocks

