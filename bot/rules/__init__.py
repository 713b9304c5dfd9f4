"""The rules core: `validate(request, context=...) -> Report`. Pure: no Slack, database,
network or clock; everything outside the request arrives in the Context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.models import Finding, Kind, Report, Request, Severity, trusted
from bot.rules.base import Check, Context, Subject
from bot.rules.catalog import BY_ID, RULES, Rule, finding
from bot.rules.certificates import check_certificates
from bot.rules.changes import apply_change, diff
from bot.rules.help_text import check_help_text
from bot.rules.identity import check_identity
from bot.rules.launch import check_iaa, check_launch_details
from bot.rules.logo import check_logo
from bot.rules.names import check_issuer, check_names
from bot.rules.prepared import prepare, prepare_model
from bot.rules.protocol import check_protocol
from bot.rules.schedule import plan
from bot.rules.support import SUPPORT_CATEGORIES, URGENT_CATEGORY, validate_ticket
from bot.rules.urls import check_urls

__all__ = ["BY_ID", "RULES", "SUPPORT_CATEGORIES", "URGENT_CATEGORY", "Context", "Rule",
           "apply_change", "diff", "validate", "validate_ticket"]

CHECKS: tuple[Check, ...] = (
    check_urls, check_protocol, check_identity, check_names, check_issuer, check_certificates,
    check_logo, check_help_text, check_iaa, check_launch_details,
)
_SEVERITY_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}
_RULE_ORDER = {rule.id: i for i, rule in enumerate(RULES)}


def _order(f: Finding) -> tuple[int, int]:
    return _SEVERITY_ORDER[f.severity], _RULE_ORDER[f.rule]


def validate(request: Request | Mapping[str, Any], *, context: Context) -> Report:
    """Judge a launch, change or staging request. Never raises on any request content."""
    prepared = prepare_model(request) if isinstance(request, Request) else prepare(request)
    shape = list(prepared.shape)
    if prepared.request is None:
        return Report(findings=shape)
    request = prepared.request
    if request.kind is Kind.sandbox:
        return Report(kind=request.kind.value, findings=[finding(
            "ENV-SANDBOX", "kind", "sandbox changes take effect immediately and need no "
            "request: make them on the partner dashboard")])
    normalized, given = list(prepared.normalized), prepared.given
    if request.kind is Kind.change and context.current is not None:
        request = apply_change(context.current, request)
    partial = request.kind is Kind.change and context.current is None
    timing = plan(Subject(request=request, given=given, context=context, partial=partial))
    subject = Subject(request=request, given=given, context=context, partial=partial,
                      target=timing.target)
    findings = normalized + timing.findings
    for check in CHECKS:
        findings.extend(check(subject))
    # A field refused for its shape was dropped before the checks: their "is required" on it
    # would only contradict what the partner typed.
    refused = {f.field for f in shape}
    findings = shape + [f for f in findings if f.field not in refused]
    return trusted(Report, {"kind": request.kind.value, "findings": sorted(findings, key=_order),
                            "earliest_deploy_date": timing.earliest.date,
                            "target_deploy_date": timing.target,
                            "lead_time_days": timing.lead_days})
