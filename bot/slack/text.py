"""The words the builders put in Slack messages: partner text escaped for mrkdwn, the labels of
request kinds and states, dates, user mentions, and `clip` (the display-only shortener)."""

from __future__ import annotations

from datetime import date

from bot.slack.clipping import clip as clip  # re-exported for the builders
from bot.store.models import RequestState

STATE_LABELS = {
    RequestState.submitted: "Submitted, waiting for review",
    RequestState.in_review: "In review",
    RequestState.changes_requested: "Changes requested",
    RequestState.approved: "Approved",
    RequestState.deployed: "Deployed",
    RequestState.rejected: "Rejected",
    RequestState.withdrawn: "Withdrawn",
}
KIND_LABELS = {"launch": "Launch request", "change": "Change request",
               "staging": "Staging request"}


def kind_label(kind: str | None, missing: str = "") -> str:
    """'launch' -> 'Launch request'; a kind it does not know as it is; none: `missing`."""
    return KIND_LABELS.get(kind, kind) if kind else missing


def state_label(state: str) -> str:
    """A request's state as people read it ('in_review' -> 'In review')."""
    return STATE_LABELS[RequestState(state)]


def escape(text: object) -> str:
    """Untrusted text made safe for mrkdwn: `<!channel>`, `<@U123>` and `<https://x|y>` are
    shown as typed and ping or link no one (Slack's own escaping: &, <, >)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def long_date(day: date | None) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}" if day else "not set"


def user(user_id: str | None) -> str:
    """A Slack user reference the bot itself writes (never partner text)."""
    return f"<@{user_id}>" if user_id else "someone"
