"""The weekly digest in DIGEST_CHANNEL, from the snapshot the digest job wrote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.slack.blocks import context, fields, header, section
from bot.slack.counts import counted
from bot.slack.fitting import line_sections
from bot.slack.text import clip, escape, kind_label, long_date, state_label

Blocks = list[dict[str, Any]]
JOB_LABELS = {"manifest": "deploy manifest", "preview": "deploy preview",
              "not_deployed": "close-of-business reminder", "digest": "weekly digest",
              "reminders": "deadline reminders", "slip": "slips", "tickets": "ticket reminders"}


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _line(item: Mapping[str, Any], extra: str = "") -> str:
    kind = kind_label(item.get("kind"))
    state = state_label(item["state"])
    target = _date(item.get("target"))
    parts = [f"• *{item['public_id']}*", kind, escape(item.get("name") or ""), state,
             f"deploy {long_date(target)}" if target else "", extra]
    return " · ".join(p for p in parts if p)


def digest_message(payload: Mapping[str, Any]) -> tuple[str, Blocks]:
    day = date.fromisoformat(payload["day"])
    by_state: Mapping[str, int] = payload.get("by_state") or {}
    blocks: Blocks = [header(f"Weekly digest · {long_date(day)}")]
    if payload.get("nothing_pending"):
        text = f"Weekly digest for {long_date(day)}: nothing pending."
        blocks.append(section(":tada: *Nothing pending.* No request is open, no support "
                              "ticket waits and no scheduled post was missed."))
    else:
        open_count = sum(by_state.get(s, 0) for s in ("submitted", "in_review",
                                                      "changes_requested", "approved"))
        text = (f"Weekly digest for {long_date(day)}: {counted(open_count, 'open request')}, "
                f"{payload.get('new_this_week', 0)} new this week.")
    blocks.append(fields(
        *((state_label(s), str(by_state.get(s, 0))) for s in
          ("submitted", "in_review", "changes_requested", "approved", "deployed", "rejected",
           "withdrawn")),
        ("New this week", str(payload.get("new_this_week", 0)))))

    lines = []
    for deploy in payload.get("deploys") or []:
        when = long_date(_date(deploy["date"]))
        if deploy.get("shifted_from"):
            when += (f" (moved from {long_date(_date(deploy['shifted_from']))}"
                     + (f", {escape(deploy['reason'])}" if deploy.get("reason") else "") + ")")
        lines.append(f"*{when}*: {deploy.get('approved_count', 0)} approved, "
                     f"{deploy.get('pending_count', 0)} not yet approved")
        for item in deploy.get("approved") or []:
            lines.append(_line(item))
        shown = len(deploy.get("approved") or [])
        if deploy.get("approved_count", 0) > shown:
            lines.append(f"• …and {deploy['approved_count'] - shown} more")
    blocks += line_sections(lines, title="*Next deploy days*")

    oldest = payload.get("oldest") or []
    blocks += line_sections(
        [_line(i, f"waiting {counted(int(i.get('days', 0)), 'day')}") for i in oldest]
        or ["_Nothing waits for review._"], title="*Oldest waiting for review*")

    risky = payload.get("at_risk") or []
    more = int(payload.get("more_at_risk") or 0)
    risk_lines = [_line(i, f"_{escape(i.get('why', ''))}_") for i in risky]
    if more:
        risk_lines.append(f"• …and {more} more")
    blocks += line_sections(risk_lines or ["_None._"], title="*At risk of slipping*")

    tickets = payload.get("open_tickets")
    if tickets is not None:
        blocks.append(section(f"*Open support tickets*: {tickets}"))

    missed = payload.get("missed") or []
    if missed:
        counts = Counter(m["job"] for m in missed)
        detail = "; ".join(
            f"{JOB_LABELS.get(job, job)}: " + ", ".join(
                escape(m["period"]) for m in missed if m["job"] == job)
            for job in counts)
        blocks.append(section(clip(
            f":warning: *Missed while the bot was down* ({len(missed)}): {detail}. They were "
            "not posted late.", 3000)))
    blocks.append(context("Posted every Monday at 09:00."))
    return text, blocks
