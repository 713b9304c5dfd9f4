"""Support tickets: SUP-PROD-ACCOUNT, SUP-CATEGORY."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.models import Finding, Report, SupportTicket, parse_ticket
from bot.rules.catalog import finding

URGENT_CATEGORY = "users unable to sign in to production (urgent)"
SUPPORT_CATEGORIES = (
    "sandbox authentication",
    "protocol question (OIDC/SAML)",
    "dashboard configuration",
    "PIV/CAC certificate error",
    "production configuration update or deploy",
    "documentation",
    "identity provider error",
    "fraud or RISC notification",
    "redirect problem",
    "attribute problem",
    URGENT_CATEGORY,
    "feedback",
    "bug report",
)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")


def validate_ticket(ticket: SupportTicket | Mapping[str, Any]) -> Report:
    shape: list[Finding] = []
    if not isinstance(ticket, SupportTicket):
        ticket, shape = parse_ticket(ticket)
    findings = list(shape)
    if ticket.category not in SUPPORT_CATEGORIES:
        said = f"'{ticket.category}' is not a category" if ticket.category else \
            "category is required"
        findings.append(finding("SUP-CATEGORY", "category",
                                f"{said}: use one of {', '.join(SUPPORT_CATEGORIES)}"))
    email = ticket.production_account_email
    if not email:
        findings.append(finding("SUP-PROD-ACCOUNT", "production_account_email",
                                "give the email of your production account (it is separate "
                                "from your dashboard account)"))
    elif not _EMAIL.match(email):
        findings.append(finding("SUP-PROD-ACCOUNT", "production_account_email",
                                f"'{email}' is not an email address"))
    return Report(kind="support", findings=findings)
