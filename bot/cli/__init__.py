"""The `launchbot` command. Each subcommand is a small `cmd_*` function in the module for its
topic (check, calendar, store, serve, jobs): parse, call one core or use-case function, print.
Exit codes: 0 fine, 1 the request has errors, 2 unusable input (one line on stderr, never a
traceback). A new command goes in its topic's module (or a new one) and is registered here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bot.cli.calendar import add_calendar_commands
from bot.cli.check import add_check_command, add_rules_command
from bot.cli.common import EXIT_BROKEN_PIPE, EXIT_INPUT, Parser, load_settings, one_line
from bot.cli.export import add_export_command
from bot.cli.jobs import add_jobs_commands
from bot.cli.serve import add_serve_command
from bot.cli.store import add_store_commands
from bot.cli.teams import add_teams_commands
from bot.ops.commands import add_settings_command
from bot.request_file import InputError


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.devtools.demo import run

    return run(load_settings(), sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="launchbot", description="Take agency integrations to production: check requests, "
        "see the deploy calendar, run the Slack bot.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser)
    add_check_command(sub)
    add_calendar_commands(sub)
    text = "walk one request through the whole flow on a simulated Slack"
    sub.add_parser("demo", help=text, description=text).set_defaults(handler=cmd_demo)
    add_rules_command(sub)
    add_store_commands(sub)
    add_serve_command(sub)
    add_jobs_commands(sub)
    add_settings_command(sub)
    add_export_command(sub)
    add_teams_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not as a message at exit
        return code
    except InputError as exc:
        print(f"launchbot: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`launchbot calendar | head`): stop quietly, as Unix tools do.
        _discard_stdout()
        return EXIT_BROKEN_PIPE


def _discard_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (tests capture it): nothing to flush
        pass
