"""docs/rules.md, the rule reference, printed from the rule catalog and the request model
(`launchbot rules --markdown`): the reference cannot drift from the rules the code applies,
and a test keeps the committed file current."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from bot.models import Kind, Request
from bot.rules.catalog import RULES, Rule

# Rule ID prefix -> the section it is listed under, in this order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The request file", ("REQ",)),
    ("URLs", ("URL",)),
    ("Protocol, SAML and OpenID Connect", ("PROTO", "SAML", "OIDC")),
    ("Identity assurance and attributes", ("IAL", "AAL", "ATTR", "IDV")),
    ("Names, team and issuer", ("APP", "ISS")),
    ("Certificates", ("CERT",)),
    ("Logo", ("LOGO",)),
    ("Help text", ("HELP",)),
    ("IAA, attestations and launch details", ("IAA", "ATTEST", "LAUNCH", "STAGING")),
    ("Deploy calendar and lead time", ("CAL",)),
    ("Environments", ("ENV",)),
    ("Live URL probes (advice: `launchbot check --probe`, and after filing)", ("PROBE",)),
    ("Support tickets", ("SUP",)),
)
SOURCES = (
    ("SEED", "the identity provider's \"Production deployment\" page"),
    ("DASH", "the identity provider's partner dashboard: what its forms enforce"),
    ("DOCS", "the identity provider's developer documentation"),
    ("LAW", "5 U.S.C. 6103, Executive Order 11582, OPM practice"),
    ("OURS", "a decision of this project where the sources are silent"),
)


def _type(annotation: Any) -> str:
    if isinstance(annotation, type) and issubclass(annotation, Kind):
        return " \\| ".join(k.value for k in Kind)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping: " + ", ".join(annotation.model_fields)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return " \\| ".join(_type(a) for a in get_args(annotation) if a is not type(None))
    if origin is list:
        return f"list of {_type(get_args(annotation)[0])}"
    return {"str": "text", "int": "whole number", "bool": "true/false",
            "date": "date (YYYY-MM-DD)"}.get(getattr(annotation, "__name__", ""),
                                            str(annotation))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _section(title: str, rules: list[Rule]) -> list[str]:
    lines = [f"### {title}", "", "| Rule | Severity | Source | What it checks |",
             "|---|---|---|---|"]
    lines += [f"| **{r.id}** | {r.severity.value} | {r.source} | {_cell(r.summary)} |"
              for r in rules]
    return [*lines, ""]


def markdown() -> str:
    """The whole of docs/rules.md."""
    lines = [
        "# The rule reference",
        "",
        "<!-- Printed by `launchbot rules --markdown` from bot/rules/catalog.py and "
        "bot/models.py; do not edit by hand (a test compares). -->",
        "",
        "Every finding of `launchbot check`, of the Slack form and of the review card names one "
        "of these rules by its ID.",
        "",
        "Severities: **error** blocks submission (the form shows it on its field; `check` exits "
        "1). **warning** lets the request through and is shown to the partner and on the "
        "review card. **info** is guidance only.",
        "",
        "Sources, after each rule:",
        "",
        *[f"- {name}: {what}." for name, what in SOURCES],
        "",
        "## 1. The request file",
        "",
        "YAML or JSON: a mapping of these fields (examples/launch-oidc.yaml is a complete one). "
        "File paths in it (logo, certificates) are relative to the file. Blank entries of a "
        "list are dropped; a field not listed here is REQ-UNKNOWN.",
        "",
        "| Field | Value |",
        "|---|---|",
    ]
    fields = Request.model_fields
    order = ["kind", *[name for name in fields if name != "kind"]]
    lines += [f"| `{name}` | {_type(fields[name].annotation)} |" for name in order]
    lines += ["", "## 2. Rules", ""]
    listed: set[str] = set()
    for title, prefixes in SECTIONS:
        rules = [r for r in RULES if r.id.split("-")[0] in prefixes]
        listed |= {r.id for r in rules}
        if rules:
            lines += _section(title, rules)
    others = [r for r in RULES if r.id not in listed]
    if others:
        lines += _section("Other rules", others)
    return "\n".join(lines).rstrip() + "\n"
