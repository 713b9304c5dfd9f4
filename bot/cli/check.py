"""`check` (a request file against the rules) and `rules` (the rule catalog)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Any

from bot import request_file
from bot.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    load_settings,
    local_today,
    parse_date,
    plural,
    print_json,
    table,
)
from bot.models import Finding, Report
from bot.rules import RULES, Context, validate


def render_report(name: str, report: Report) -> str:
    counts = {s: sum(f.severity == s for f in report.findings) for s in ("error", "warning",
                                                                          "info")}
    verdict = "OK" if report.ok else "NOT READY"
    tally = ", ".join(plural(counts[s], word) for s, word in
                      (("error", "error"), ("warning", "warning"), ("info", "note")))
    head = f"{name}: {report.kind or 'unknown'} request: {verdict} ({tally})"
    parts = [head]
    if report.findings:
        rows = [(f.severity.value, f.rule, f.field or "-", f.message) for f in report.findings]
        parts += ["", table(("SEVERITY", "RULE", "FIELD", "MESSAGE"), rows)]
    if report.target_deploy_date:
        parts += ["", f"Earliest deploy: {report.earliest_deploy_date:%a %Y-%m-%d}   "
                      f"Target deploy: {report.target_deploy_date:%a %Y-%m-%d}   "
                      f"Lead time: {report.lead_time_days} days"]
    return "\n".join(parts)


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    calendar = settings.calendar()
    loaded = request_file.load(Path(args.file))
    today = args.today or local_today(calendar)
    context = Context(now=datetime.combine(today, time(12), tzinfo=calendar.tz),
                      calendar=calendar, files=loaded.files, unreadable=loaded.unreadable)
    report = validate(loaded.data, context=context)
    if args.probe:
        report.findings.extend(_probe(settings, loaded.data))
    if args.json:
        print_json(report.as_json())
    else:
        print(render_report(args.file, report))
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _probe(settings: Any, data: Any) -> list[Finding]:
    """Live checks of the production URLs (asked for: run whatever URL_PROBES says)."""
    from bot.probes import ProbeOptions, Prober

    prober = Prober(ProbeOptions.from_settings(settings))
    try:
        return prober.probe_request(data)
    finally:
        prober.close()


def cmd_rules(args: argparse.Namespace) -> int:
    if args.markdown:
        from bot.rules.reference import markdown

        sys.stdout.write(markdown())
        return EXIT_OK
    if args.json:
        print_json([rule.as_json() for rule in RULES])
    else:
        print(table(("RULE", "SEVERITY", "SOURCE", "SUMMARY"),
                     [(r.id, r.severity.value, r.source, r.summary) for r in RULES]))
    return EXIT_OK


def add_check_command(sub: Any) -> None:
    """`check FILE`."""
    text = "check a request file against the rules (docs/rules.md)"
    p = sub.add_parser("check", help=text, description=text)
    p.set_defaults(handler=cmd_check)
    p.add_argument("file", help="the request file (YAML or JSON)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--today", type=parse_date, metavar="DATE",
                   help="judge as if submitted on DATE (YYYY-MM-DD, in TIMEZONE)")
    p.add_argument("--probe", action="store_true",
                   help="also probe the production URLs live (DNS, HTTPS, certificate, "
                   "redirects); advice only, never an error")


def add_rules_command(sub: Any) -> None:
    """`rules`."""
    text = "list the rule catalog"
    p = sub.add_parser("rules", help=text, description=text)
    p.set_defaults(handler=cmd_rules)
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--markdown", action="store_true",
                      help="print the rule reference, docs/rules.md")
