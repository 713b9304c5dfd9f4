"""`db upgrade|backup`, `integrations import|list|remove`, `manifest`: the commands that open
the store."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Parser,
    UsageError,
    db_error,
    load_settings,
    local_today,
    open_store,
    parse_date,
    plural,
    print_json,
    store_url,
    table,
)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import normalize_url
    from bot.store.migrate import head_revision, upgrade

    url = store_url(load_settings())
    try:
        upgrade(url)
    except SQLAlchemyError as exc:
        raise db_error(exc) from None
    shown = normalize_url(url).render_as_string(hide_password=True)
    print(f"database {shown} is at revision {head_revision()}")
    return EXIT_OK


def cmd_db_backup(args: argparse.Namespace) -> int:
    from bot.ops.backup import backup_sqlite

    made = backup_sqlite(store_url(load_settings()), Path(args.path))
    print(f"backed up {made.source} to {made.path} ({made.size / 1e6:.1f} MB, checked)")
    return EXIT_OK


MAX_EXPORT_BYTES = 64 * 1024 * 1024  # thousands of integrations with their certificates


def cmd_integrations_import(args: argparse.Namespace) -> int:
    from datetime import UTC

    from sqlalchemy.exc import SQLAlchemyError

    from bot.request_file import parse_text, read_text
    from bot.requests.integrations import (
        ExportError,
        check_export,
        export_entries,
        import_export,
    )

    text = read_text(Path(args.file), MAX_EXPORT_BYTES, "an integrations export")
    try:
        data = export_entries(parse_text(text, args.file))
    except ExportError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    problems = check_export(data)
    if problems:
        for problem in problems:
            print(f"{args.file}: {problem}")
        print(f"{args.file}: {plural(len(problems), 'problem')}: nothing imported")
        return EXIT_FINDINGS
    settings = load_settings()
    store = open_store(settings)
    try:
        with store.unit_of_work() as session:
            result = import_export(session, data, datetime.now(UTC), dry_run=args.dry_run,
                                   lookup=_email_lookup(settings))
    except SQLAlchemyError as exc:
        raise db_error(exc) from None
    finally:
        store.dispose()
    if args.dry_run:
        print(f"DRY RUN: nothing is written. {args.file} would create "
              f"{plural(len(result.created), 'integration')}, update {len(result.updated)}, "
              f"leave {len(result.unchanged)} unchanged")
        for issuer in result.created:
            print(f"  {issuer}: would be created")
        for issuer, fields in result.changed.items():
            print(f"  {issuer}: would change {', '.join(fields)}")
    else:
        print(f"{args.file}: {plural(len(result.created), 'integration')} created, "
              f"{len(result.updated)} updated, {len(result.unchanged)} unchanged")
    for issuer, fields in result.set_aside.items():
        print(f"  {issuer}: kept aside (not configuration): {', '.join(fields)}")
    if result.teams is not None:
        teams, would = result.teams, "would be " if args.dry_run else ""
        print(f"  teams: {len(teams.created)} {would}created, {len(teams.updated)} {would}updated")
        for slug, emails in teams.members_added.items():
            print(f"  {slug}: members {would}added: {', '.join(emails)}")
        for slug, issuers in teams.integrations_given.items():
            print(f"  {slug}: {would}given {', '.join(issuers)}")
    return EXIT_OK


def _email_lookup(settings: Any) -> Any:
    """email -> Slack user ID by users.lookupByEmail when a bot token is set; None otherwise
    (members given by email are then matched when they first use the bot)."""
    if settings.slack_bot_token is None:
        return None
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=settings.slack_bot_token.get_secret_value(),
                       base_url=settings.slack_api_url, timeout=5)

    def lookup(email: str) -> str | None:
        try:
            return str(client.users_lookupByEmail(email=email)["user"]["id"])
        except SlackApiError:  # users_not_found and the like: matched on first use instead
            return None

    return lookup


def cmd_integrations_remove(args: argparse.Namespace) -> int:
    from datetime import UTC

    from sqlalchemy.exc import SQLAlchemyError

    from bot.requests.integrations import IntegrationInUse, remove_integration
    from bot.scheduler import instance_id

    store = open_store(load_settings())
    try:
        with store.unit_of_work() as session:
            removed = remove_integration(session, args.issuer, datetime.now(UTC),
                                         by=f"cli:{instance_id()}"[:64])
    except IntegrationInUse as exc:
        raise UsageError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise db_error(exc) from None
    finally:
        store.dispose()
    if removed is None:
        raise UsageError(f"no integration {args.issuer!r} (see `launchbot integrations list`)")
    print(f"{args.issuer}: removed; the audit trail keeps what it held")
    return EXIT_OK


def cmd_integrations_list(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.requests.integrations import list_integrations

    store = open_store(load_settings())
    try:
        with store.reader() as session:
            found = list_integrations(session)
    except SQLAlchemyError as exc:
        raise db_error(exc) from None
    finally:
        store.dispose()
    if args.json:
        print_json([i.as_json() for i in found])
        return EXIT_OK
    print(table(("ISSUER", "PROTOCOL", "IAL", "AGENCY", "FRIENDLY NAME"),
                 [(i.issuer, str(i.configuration.get("protocol") or "-"),
                   str(i.configuration.get("ial") or "-"), i.agency or "-",
                   i.friendly_name or "-") for i in found]))
    return EXIT_OK


def cmd_manifest(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.requests.manifest import manifest_for, render_csv, render_json, render_text

    settings = load_settings()
    calendar = settings.calendar()
    day = args.date or calendar.next_deploy_day(local_today(calendar)).date
    store = open_store(settings)
    try:
        with store.reader() as session:
            items = manifest_for(session, day)
    except SQLAlchemyError as exc:
        raise db_error(exc) from None
    finally:
        store.dispose()
    if not items and calendar.deploy_day(day) is None:
        raise UsageError(_not_a_deploy_day(calendar, day))
    if args.format == "text":
        sys.stdout.write(render_text(day, items, _names(settings, items)))
    else:
        render = {"json": render_json, "csv": render_csv}[args.format]
        sys.stdout.write(render(day, items))
    if args.format == "json":
        sys.stdout.write("\n")
    return EXIT_OK


def _names(settings: Any, items: Any) -> dict[str, str]:
    """Display names of the people the text manifest names, when a bot token can ask Slack."""
    if settings.slack_bot_token is None or not items:
        return {}
    from slack_sdk import WebClient

    from bot.slack.people import display_names

    client = WebClient(token=settings.slack_bot_token.get_secret_value(),
                       base_url=settings.slack_api_url, timeout=5)
    return display_names(client, [u for i in items
                                  for u in (i.requester_user_id, i.approved_by) if u])


def _not_a_deploy_day(calendar: Any, day: Any) -> str:
    moved = calendar.deploy_day_for_regular(day)
    if moved is not None:
        return (f"{day:%a %Y-%m-%d} is {moved.reason}: that week's deploy day is "
                f"{moved.date:%a %Y-%m-%d}")
    return (f"{day:%a %Y-%m-%d} is not a deploy day; the next is "
            f"{calendar.next_deploy_day(day).date:%a %Y-%m-%d}")


def add_store_commands(sub: Any) -> None:
    """`db upgrade`, `integrations import|list`, `manifest` (bot/store, bot/requests)."""
    db = sub.add_parser("db", help="the database schema", description="the database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND",
                               parser_class=Parser)
    p = db_sub.add_parser("upgrade", help="apply the migrations to DATABASE_URL (safe to "
                          "repeat, and from several replicas at once)")
    p.set_defaults(handler=cmd_db_upgrade)
    p = db_sub.add_parser("backup", help="a consistent copy of the SQLite store, taken while "
                          "the bot runs (SQLite's backup API; PostgreSQL: pg_dump)")
    p.add_argument("path", metavar="PATH", help="the new file (an existing one is refused)")
    p.set_defaults(handler=cmd_db_backup)

    integ = sub.add_parser("integrations", help="the production integrations the bot knows",
                           description="the production integrations the bot knows")
    integ_sub = integ.add_subparsers(dest="integrations_command", required=True,
                                     metavar="COMMAND", parser_class=Parser)
    p = integ_sub.add_parser("import", help="import a service-provider configuration export "
                             "(YAML keyed by issuer); re-importing updates")
    p.add_argument("file", help="the export (see examples/integrations-export.yaml); the "
                   "whole file is checked first, and one problem imports nothing")
    p.add_argument("--dry-run", action="store_true",
                   help="say what would be created or changed; write nothing")
    p.set_defaults(handler=cmd_integrations_import)
    p = integ_sub.add_parser("remove", help="remove an integration nothing refers to (a "
                             "mistaken import); audited")
    p.add_argument("issuer", metavar="ISSUER")
    p.set_defaults(handler=cmd_integrations_remove)
    p = integ_sub.add_parser("list", help="list the known integrations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_integrations_list)

    p = sub.add_parser("manifest", help="what is approved for a deploy day",
                       description="what is approved for a deploy day, with each change's diff")
    p.add_argument("--date", type=parse_date, metavar="DATE",
                   help="the deploy day (default: the next one, today included)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(handler=cmd_manifest)
