"""`/launch-request calendar [N]`: the next deploy days with their cutoffs and holiday shifts,
where partners are (the same calendar as `launchbot calendar` and GET /calendar.ics)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.calendar import LEAD_DAYS, PUSH_LEAD_DAYS, DeployDay
from bot.slack.text import long_date

DEFAULT_COUNT = 6
MAX_COUNT = 26  # half a year of weekly deploys; the feed has the rest


def _short(day: date) -> str:
    return f"{day:%a %b} {day.day}"


def _line(day: DeployDay, today: date) -> str:
    moved = (f" _(moved from {_short(day.regular_date)}: {day.reason or 'closed'})_"
             if day.shifted else "")
    if day.cutoff < today:
        cutoff = f"cutoff passed ({_short(day.cutoff)})"
    else:
        cutoff = f"submit by *{_short(day.cutoff)}*"
    push = (f"push notification URL changes by {_short(day.cutoff_push_notification)}"
            if day.cutoff_push_notification >= today else "too late for push notification URL "
            "changes")
    return f"• *{long_date(day.date)}*{moved}: {cutoff}; {push}"


def calendar_reply(days: Sequence[DeployDay], today: date, *, timezone: str,
                   feed_url: str | None = None) -> str:
    """The answer: one line per deploy day, then how the cutoffs are counted."""
    lines = [f"*Next deploy days* (by close of business, {timezone})"]
    lines += [_line(day, today) for day in days]
    lines.append(f"A request needs {LEAD_DAYS} days' notice, {PUSH_LEAD_DAYS} when it adds or "
                 "changes a push notification URL. A deploy day that falls on a federal "
                 "holiday or closure moves to the following Monday (or the next business day "
                 "after it).")
    if feed_url:
        lines.append(f"Subscribe in your calendar app: {feed_url}")
    return "\n".join(lines)


def parse_count(args: Sequence[str]) -> int | str:
    """How many days were asked for, or what to say about the argument."""
    if not args:
        return DEFAULT_COUNT
    word = args[0]
    if not (len(word) <= 2 and word.isascii() and word.isdigit()) or not 1 <= int(
            word) <= MAX_COUNT:
        return (f"`/launch-request calendar` lists the next {DEFAULT_COUNT} deploy days; "
                f"`/launch-request calendar 12` lists up to {MAX_COUNT}.")
    return int(word)
