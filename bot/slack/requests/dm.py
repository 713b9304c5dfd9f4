"""Direct messages to the partner who filed a request: what happened, and what to do next."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.models import Severity
from bot.requests.records import RequestRecord
from bot.slack.blocks import KIND_LABELS, button, clip, escape, long_date, section, user
from bot.slack.ids import Action


def _name(record: RequestRecord) -> str:
    return (f"*{record.public_id}* ({KIND_LABELS.get(record.kind, record.kind).lower()} for "
            f"{escape(record.friendly_name or record.issuer or 'your integration')})")


def partner_dm(record: RequestRecord, event: str, data: Mapping[str, Any],
               cutoff: date | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(notification text, blocks) for `event` on the partner's request."""
    name = _name(record)
    target = long_date(record.target_deploy_date)
    by = user(data.get("by"))
    extra: list[dict[str, Any]] = []
    if event in ("submitted", "resubmitted"):
        verb = "was filed" if event == "submitted" else "was resubmitted"
        text = f"{name} {verb}. Target deploy date: {target}."
        if cutoff:
            text += f" It made the cutoff of {long_date(cutoff)}."
        warnings = [f for f in record.findings if f.severity is Severity.warning]
        if warnings:
            text += "\n:warning: Warnings reviewers will see:\n" + "\n".join(
                f"• `{f.rule}` {escape(f.message)}" for f in warnings)
    elif event == "approved":
        text = f":white_check_mark: {name} was approved by {by}. It deploys on {target}."
    elif event == "changes_requested":
        text = (f":pencil2: {by} asked for changes to {name}:\n> "
                f"{escape(clip(str(data.get('comment', '')), 2000))}\n"
                "Reopen the form, fix it and resubmit.")
        extra.append(button("Reopen the form", Action.reopen, record.public_id,
                            style="primary"))
    elif event == "rejected":
        text = (f":x: {name} was rejected by {by}:\n> "
                f"{escape(clip(str(data.get('reason', '')), 2000))}")
    elif event == "deployed":
        text = f":rocket: {name} is deployed to production."
    elif event == "slipped":
        text = (f":calendar: {name} was not deployed on its day; it moves to the next deploy "
                f"day, {target}.")
    else:
        text = f"{name}: {event.replace('_', ' ')}."
    # Every DM about a request opens its details (all fields, findings, history).
    actions = [*extra, button("Details", Action.details, record.public_id)]
    return clip(text, 3000), [section(clip(text, 3000)),
                              {"type": "actions", "elements": actions}]
