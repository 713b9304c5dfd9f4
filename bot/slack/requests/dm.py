"""Direct messages to the partner who filed a request: what happened, and what to do next."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.models import Severity
from bot.requests.records import RequestRecord
from bot.slack.blocks import button, section
from bot.slack.ids import Action
from bot.slack.text import clip, escape, kind_label, long_date, user


def _name(record: RequestRecord) -> str:
    return (f"*{record.public_id}* ({kind_label(record.kind).lower()} for "
            f"{escape(record.friendly_name or record.issuer or 'your integration')})")


@dataclass(frozen=True)
class ProductionSteps:
    """What a partner must do on their side for production (the seed's "Production endpoints"):
    the domain and the certificates' page are the operator's settings."""

    domain: str | None = None
    certificates_url: str | None = None

    def text(self) -> str:
        where = f"*{escape(self.domain)}*" if self.domain else "the production domain"
        cert = (f" (<{self.certificates_url}|the production IdP certificates>)"
                if self.certificates_url else "")
        return ("*For production:*\n"
                f"• Point your app at the production endpoints: the same paths as in the "
                f"sandbox, on {where}.\n"
                f"• Use the production IdP certificate{cert}. It differs from the sandbox "
                "one, and a sandbox certificate is the first thing that breaks a new launch.")


@dataclass(frozen=True)
class Resubmission:
    """For "changes requested": the last day a resubmission keeps the target deploy day, and
    the day it moves to after that (None when the target can no longer be kept)."""

    keep_by: date | None
    moves_to: date


def partner_dm(record: RequestRecord, event: str, data: Mapping[str, Any],
               cutoff: date | None = None, *, production: ProductionSteps | None = None,
               resubmission: Resubmission | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(notification text, blocks) for `event` on the partner's request."""
    production = production or ProductionSteps()
    steps = f"\n{production.text()}" if record.kind in ("launch", "change") else ""
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
        text = (f":white_check_mark: {name} was approved by {by}. It deploys by close of "
                f"business on {target}.{steps}")
    elif event == "changes_requested":
        text = (f":pencil2: {by} asked for changes to {name}:\n> "
                f"{escape(clip(str(data.get('comment', '')), 2000))}\n"
                "Reopen the form, fix it and resubmit.")
        if resubmission is not None and resubmission.keep_by is not None:
            text += (f" Resubmit by {long_date(resubmission.keep_by)} to keep {target}; "
                     f"after that it moves to {long_date(resubmission.moves_to)}.")
        elif resubmission is not None:
            text += (f" It can no longer make {target}: resubmitted now, it deploys on "
                     f"{long_date(resubmission.moves_to)}.")
        extra.append(button("Reopen the form", Action.reopen, record.public_id,
                            style="primary"))
    elif event == "rejected":
        text = (f":x: {name} was rejected by {by}:\n> "
                f"{escape(clip(str(data.get('reason', '')), 2000))}\n"
                "What next: fix what the reason says and file a new request with "
                "`/launch-request`, or open a ticket with `/support-ticket` to ask about it.")
    elif event == "deployed":
        if record.kind == "staging":
            text = f":rocket: {name} is deployed to the staging environment."
        else:
            text = f":rocket: {name} is deployed to production.{steps}"
    elif event == "slipped":
        text = (f":calendar: {name} was not deployed on its day; it moves to the next deploy "
                f"day, {target}.")
    else:
        text = f"{name}: {event.replace('_', ' ')}."
    # Every DM about a request opens its details (all fields, findings, history).
    actions = [*extra, button("Details", Action.details, record.public_id)]
    return clip(text, 3000), [section(clip(text, 3000)),
                              {"type": "actions", "elements": actions}]
