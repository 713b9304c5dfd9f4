"""`launchbot settings [--check | --markdown]`: the settings reference (bot/ops/settings)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bot.ops import settings as reference

EXIT_OK, EXIT_INPUT = 0, 2


def cmd_settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(reference.render_markdown())
        return EXIT_OK
    if args.check:
        found = reference.problems()
        for line in found:
            print(f"launchbot: {line}", file=sys.stderr)
        if found:
            return EXIT_INPUT
        print("settings OK: launchbot serve can start with this environment")
        return EXIT_OK
    print(reference.render_text(os.environ))
    return EXIT_OK


def add_settings_command(sub: Any) -> None:
    text = ("every setting with its type, default, whether it is set here and what it means "
            "(secrets: set or unset only)")
    p = sub.add_parser("settings", help=text, description=text)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="validate the environment: exit 2 "
                      "with one line per problem")
    mode.add_argument("--markdown", action="store_true",
                      help="the table for the README, in Markdown")
    p.set_defaults(handler=cmd_settings)
