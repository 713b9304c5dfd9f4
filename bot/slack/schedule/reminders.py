"""Deadline reminders: one DM per partner a day, one message to reviewers, the weekly cutoff
notice, and unclaimed support tickets. Built from the payload the reminder job wrote (a
snapshot of that morning); everything a partner typed is escaped."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.slack.blocks import button, context, section
from bot.slack.counts import counted
from bot.slack.fitting import line_sections
from bot.slack.ids import Action
from bot.slack.schedule.deploy import card_link
from bot.slack.text import clip, escape, kind_label, long_date, state_label, user
from bot.store.models import RequestState

Blocks = list[dict[str, Any]]
Payload = Mapping[str, Any]


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _more(n: int, where: str) -> dict[str, Any] | None:
    return context(f"…and {n} more: {where}.") if n else None


def waiting_text(item: Mapping[str, Any]) -> str:
    name = escape(item.get("name") or "your integration")
    text = f"*{item['public_id']}* ({name}) waits on you: changes were requested"
    asked = str(item.get("asked") or "").strip()
    if asked:
        text += f":\n> {escape(clip(asked, 500))}"
    else:
        text += "."
    target, cutoff, slips_to = (_date(item.get("target")), _date(item.get("cutoff")),
                                _date(item.get("slips_to")))
    if cutoff is not None:
        text += (f"\nResubmit by *{long_date(cutoff)}* to keep the {long_date(target)} deploy;"
                 f" after that it slips to *{long_date(slips_to)}*.")
    else:
        text += (f"\nIt has missed the cutoff for {long_date(target)}; resubmitted today it "
                 f"would deploy on *{long_date(slips_to)}*.")
    return clip(text, 3000)


def certificate_line(item: Mapping[str, Any], today: date) -> str:
    expires = datetime.fromisoformat(item["expires"])
    days = (expires.date() - today).days
    when = (f"expired on {long_date(expires.date())}" if days < 0 else
            f"expires on {long_date(expires.date())} (in {days} day{'s' if days != 1 else ''})")
    return (f"• `{escape(item.get('certificate', ''))}` of *{escape(item.get('name', ''))}* "
            f"(`{escape(item.get('issuer', ''))}`) {when}")


def partner_reminder(payload: Payload) -> tuple[str, Blocks]:
    today = date.fromisoformat(payload["day"])
    waiting = list(payload.get("waiting") or [])
    certs = list(payload.get("certificates") or [])
    parts = []
    if waiting:
        waits = len(waiting) + int(payload.get('more_waiting') or 0)
        parts.append(f"{counted(waits, 'request')} {'waits' if waits == 1 else 'wait'} on you")
    if certs:
        parts.append("production certificates expire soon")
    text = "Reminder: " + " and ".join(parts) + "." if parts else "Reminder."
    blocks: Blocks = [section(f":wave: *Your reminders for {long_date(today)}*")]
    for item in waiting:
        blocks.append(section(waiting_text(item), accessory=button(
            "Reopen the form", Action.reopen, str(item["public_id"]))))
    more = _more(int(payload.get("more_waiting") or 0), "see the App Home")
    if more:
        blocks.append(more)
    if certs:
        lines = [certificate_line(c, today) for c in certs]
        lines.append("Rotation takes up to two weeks: file a change request with the new "
                     "certificate now (`/launch-request`, Change).")
        blocks += line_sections(lines,
                                title="*Production certificates expiring within 60 days*")
        more = _more(int(payload.get("more_certificates") or 0), "ask the partner-support team")
        if more:
            blocks.append(more)
    return text, blocks


def review_reminder(payload: Payload) -> tuple[str, Blocks]:
    items = list(payload.get("items") or [])
    total = len(items) + int(payload.get("more") or 0)
    within = int(payload.get("within") or 3)
    text = (f"{counted(total, 'request')} {'needs' if total == 1 else 'need'} a decision: "
            f"{'its' if total == 1 else 'their'} deploy day is within {within} business days.")
    lines = []
    for item in items:
        state = state_label(item["state"])
        if item.get("reviewer") and item["state"] == RequestState.in_review:
            state += f" by {user(item['reviewer'])}"
        link = card_link(item.get("card_channel"), item.get("card_ts"))
        lines.append(" · ".join(x for x in (
            f"• *{item['public_id']}*", kind_label(item.get("kind")),
            escape(item.get("name") or ""), state,
            f"deploys {long_date(_date(item.get('target')))}", link) if x))
    blocks: Blocks = [section(f":alarm_clock: *{text}*"), *line_sections(lines)]
    more = _more(int(payload.get("more") or 0), "see the review queue in the App Home")
    if more:
        blocks.append(more)
    return text, blocks


def cutoff_notice(payload: Payload) -> tuple[str, Blocks]:
    deploy, cutoff = _date(payload["deploy"]), _date(payload["cutoff"])
    push_deploy, push_cutoff = _date(payload["push_deploy"]), _date(payload["push_cutoff"])
    following, following_cutoff = (_date(payload["following_deploy"]),
                                   _date(payload["following_cutoff"]))
    text = f"Submit by {long_date(cutoff)} to make the {long_date(deploy)} deploy."
    body = (f":calendar: *Submit by {long_date(cutoff)} to make the {long_date(deploy)} "
            "deploy.*\n"
            f"The one after: submit by {long_date(following_cutoff)} to make the "
            f"{long_date(following)} deploy.\n"
            f"Adding or changing a push notification URL needs 21 days' notice: submit by "
            f"{long_date(push_cutoff)} to make the {long_date(push_deploy)} deploy.")
    for day, note in sorted((payload.get("often_closed") or {}).items()):
        body += (f"\n:warning: {long_date(_date(day))}: {note}; if it is closed, add it to "
                 "EXTRA_CLOSURES.")
    return text, [section(body),
                  context("Deploys happen by close of business on deploy days, with two weeks' "
                          "notice. `/launch-request` files a request; "
                          "`/launch-request calendar` lists the next deploy days and their "
                          "cutoffs.")]


def ticket_reminder(payload: Payload) -> tuple[str, Blocks]:
    items = list(payload.get("items") or [])
    hours = int(payload.get("hours") or 4)
    total = len(items) + int(payload.get("more") or 0)
    text = f"{counted(total, 'support ticket')} unclaimed for more than {hours} business hours."
    lines = []
    for item in items:
        urgent = ":rotating_light: *urgent* · " if item.get("urgent") else ""
        link = card_link(item.get("card_channel"), item.get("card_ts"), "ticket")
        lines.append(" · ".join(x for x in (
            f"• {urgent}*{escape(item['public_id'])}*",
            escape(item.get("category") or ""), escape(clip(str(item.get("summary") or ""),
                                                            200)), link) if x))
    blocks: Blocks = [section(f":bell: *{text}*"), *line_sections(lines)]
    more = _more(int(payload.get("more") or 0), "see the support channel")
    if more:
        blocks.append(more)
    return text, blocks
