"""`calendar` (deploy days and cutoffs) and `holidays` (of a year)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import (
    EXIT_OK,
    UsageError,
    load_settings,
    local_today,
    parse_date,
    parse_positive,
    parse_year,
    print_json,
    table,
)


def cmd_calendar(args: argparse.Namespace) -> int:
    calendar = load_settings().calendar()
    start = args.from_ or local_today(calendar)
    if args.until is not None and args.until < start:
        raise UsageError(f"--until {args.until} is before --from {start}")
    days = calendar.deploy_days(start, count=None if args.until else args.count or 10,
                                until=args.until)
    if args.json:
        print_json([day.as_json() for day in days])
        return EXIT_OK
    rows = [(f"{d.date:%a %Y-%m-%d}", f"{d.regular_date:%a %Y-%m-%d}" if d.shifted else "",
             d.cutoff.isoformat(), d.cutoff_push_notification.isoformat(),
             "; ".join(x for x in (d.reason, d.often_closed and
                                   f"{d.often_closed} (EXTRA_CLOSURES)") if x))
            for d in days]
    print(table(("DEPLOY DAY", "MOVED FROM", "CUTOFF", "PUSH URL CUTOFF", "NOTE"), rows))
    return EXIT_OK


def cmd_holidays(args: argparse.Namespace) -> int:
    holidays = load_settings().calendar().holidays(args.year)
    if args.json:
        print_json([h.as_json() for h in holidays])
    else:
        print(table(("DATE", "KIND", "NAME"),
                     [(f"{h.date:%a %Y-%m-%d}", h.kind, h.name) for h in holidays]))
    return EXIT_OK


def add_calendar_commands(sub: Any) -> None:
    """`calendar`, `holidays --year`."""
    text = "list deploy days with their cutoffs"
    p = sub.add_parser("calendar", help=text, description=text)
    p.set_defaults(handler=cmd_calendar)
    p.add_argument("--from", dest="from_", type=parse_date, metavar="DATE",
                   help="first day (today)")
    limit = p.add_mutually_exclusive_group()
    limit.add_argument("--count", type=parse_positive, help="how many deploy days (10)")
    limit.add_argument("--until", type=parse_date, metavar="DATE", help="last day")
    p.add_argument("--json", action="store_true")

    text = "list the holidays and closures of a year"
    p = sub.add_parser("holidays", help=text, description=text)
    p.set_defaults(handler=cmd_holidays)
    p.add_argument("--year", type=parse_year, required=True)
    p.add_argument("--json", action="store_true")
