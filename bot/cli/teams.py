"""`launchbot teams ...`: reviewers manage partner teams from the command line (the same
operations as `/launch-request team` in Slack). Bad input is one line and changes nothing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.cli import common as cli
from bot.teams import manage

CLI_ACTOR = "command line"  # who the team audit trail says made a change from here


def _run(operation: Callable[[Any], Any], *, write: bool = True) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    store = cli.open_store(cli.load_settings())
    try:
        with store.unit_of_work() if write else store.reader() as session:
            return operation(session)
    except manage.TeamError as exc:
        raise cli.UsageError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise cli.db_error(exc) from None
    finally:
        store.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_create(args: argparse.Namespace) -> int:
    _run(lambda s: manage.create_team(s, args.slug, name=args.name, agency=args.agency,
                                      actor=CLI_ACTOR, now=_now()))
    print(f"team {args.slug} created")
    return cli.EXIT_OK


def cmd_members(args: argparse.Namespace) -> int:
    change = manage.add_members if args.add else manage.remove_members
    done = _run(lambda s: change(s, args.slug, args.users, actor=CLI_ACTOR, now=_now()))
    verb = "added to" if args.add else "removed from"
    print(f"{cli.plural(len(done), 'member')} {verb} {args.slug}"
          + (f": {', '.join(done)}" if done else " (all were members already)"))
    return cli.EXIT_OK


def cmd_move(args: argparse.Namespace) -> int:
    moved = _run(lambda s: manage.move_records(s, args.slug, args.records, actor=CLI_ACTOR,
                                               now=_now()))
    print(f"{cli.plural(len(moved), 'record')} moved to {args.slug}: {', '.join(moved)}")
    return cli.EXIT_OK


def cmd_bind(args: argparse.Namespace) -> int:
    operations = {("workspace", True): manage.bind_workspace,
                  ("workspace", False): manage.unbind_workspace,
                  ("channel", True): manage.bind_channel,
                  ("channel", False): manage.unbind_channel}
    operation = operations[args.what, args.bind]
    _run(lambda s: operation(s, args.slug, args.target, actor=CLI_ACTOR, now=_now()))
    print(f"{args.what} {args.target} {'bound to' if args.bind else 'unbound from'} {args.slug}")
    return cli.EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    teams = _run(manage.list_teams, write=False)
    if args.json:
        cli.print_json([t.as_dict() for t in teams])
        return cli.EXIT_OK
    rows = [[t.slug, str(len(t.members)), ", ".join(t.workspaces + t.channels) or "-",
             t.agency, t.name] for t in teams]
    print(cli.table(["SLUG", "MEMBERS", "BOUND", "AGENCY", "NAME"], rows) if rows
          else "no teams yet (launchbot teams create SLUG --name NAME --agency AGENCY)")
    return cli.EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    team = _run(lambda s: manage.show_team(s, args.slug), write=False)
    if args.json:
        cli.print_json(team.as_dict())
        return cli.EXIT_OK
    for label, values in (("members", team.members), ("workspaces", team.workspaces),
                          ("channels", team.channels), ("integrations", team.integrations),
                          ("open requests", team.open_requests),
                          ("open tickets", team.open_tickets)):
        print(f"{label + ':':15} {', '.join(values) or '-'}")
    sys.stdout.flush()
    return cli.EXIT_OK


def add_teams_commands(sub: Any) -> None:
    text = "manage partner teams: members, bound workspaces and channels (README: Partner teams)"
    teams = sub.add_parser("teams", help=text, description=text)
    verbs = teams.add_subparsers(dest="verb", required=True, metavar="VERB",
                                 parser_class=cli.Parser)
    p = verbs.add_parser("create", help="a new team")
    p.add_argument("slug", help="short name: lower-case letters, digits, hyphens")
    p.add_argument("--name", required=True)
    p.add_argument("--agency", required=True)
    p.set_defaults(handler=cmd_create)
    for verb, add in (("add-member", True), ("remove-member", False)):
        p = verbs.add_parser(verb, help=f"{verb.split('-')[0]} members (Slack user IDs or emails)")
        p.add_argument("slug")
        p.add_argument("users", nargs="+", metavar="USER_ID")
        p.set_defaults(handler=cmd_members, add=add)
    for what, metavar in (("workspace", "SLACK_TEAM_ID"), ("channel", "CHANNEL_ID")):
        for bind in (True, False):
            verb = f"{'bind' if bind else 'unbind'}-{what}"
            p = verbs.add_parser(verb, help=f"{verb.replace('-', ' ')}: its users are on the team"
                                 if bind else verb.replace("-", " "))
            p.add_argument("slug")
            p.add_argument("target", metavar=metavar)
            p.set_defaults(handler=cmd_bind, what=what, bind=bind)
    p = verbs.add_parser("move", help="give requests and tickets to a team (splitting a team)")
    p.add_argument("slug")
    p.add_argument("records", nargs="+", metavar="ID", help="LR-1042, ST-1001, ...")
    p.set_defaults(handler=cmd_move)
    p = verbs.add_parser("list", help="every team")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
    p = verbs.add_parser("show", help="a team's members, bindings, integrations, open work")
    p.add_argument("slug")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)
