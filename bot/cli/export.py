"""`launchbot export requests|decisions|tickets|audit`: the team's records as CSV or JSON on
standard output, streamed (docs/exports.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import common as cli
from bot.exports import FORMATS, TABLES, Scope, export


def cmd_export(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    if args.since and args.until and args.since > args.until:
        raise cli.UsageError(f"--since {args.since} is after --until {args.until}")
    settings = cli.load_settings()
    scope = Scope(tz=settings.calendar().tz, since=args.since, until=args.until,
                  team=args.team)
    store = cli.open_store(settings)
    try:
        with store.snapshot() as session:
            count = export(session, sys.stdout, args.what, fmt=args.format, scope=scope)
    except SQLAlchemyError as exc:
        raise cli.db_error(exc) from None
    finally:
        store.dispose()
    print(f"{cli.plural(count, 'record')} of {args.what} exported", file=sys.stderr)
    return cli.EXIT_OK


def add_export_command(sub: Any) -> None:
    help_text = "export requests, decisions, tickets or the audit trail as CSV or JSON"
    p = sub.add_parser("export", help=help_text,
                       description=help_text + " (columns: docs/exports.md)")
    p.add_argument("what", choices=tuple(TABLES), metavar="WHAT",
                   help="requests, decisions, tickets or audit")
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument("--since", type=cli.parse_date, metavar="DATE",
                   help="from this calendar day (YYYY-MM-DD, deploy calendar time zone)")
    p.add_argument("--until", type=cli.parse_date, metavar="DATE",
                   help="through this calendar day, included")
    p.add_argument("--team", metavar="TEAM",
                   help="one partner team: its slug, or the Slack workspace ID filed from")
    p.set_defaults(handler=cmd_export)
