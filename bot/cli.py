"""The `launchbot` command. Each subcommand is a small `cmd_*` function: parse, call one core or
workflow function, print. Exit codes: 0 fine, 1 the request has errors, 2 unusable input (one
line on stderr, never a traceback)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from bot import request_file
from bot.calendar import DeployCalendar
from bot.config import Settings, describe
from bot.models import Report
from bot.ops.commands import add_settings_command
from bot.request_file import InputError
from bot.rules import RULES, Context, validate

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process stopped by SIGPIPE


class UsageError(InputError):
    """Bad arguments or settings: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (with where to read more), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 1900 <= int(text) <= 2200:
        raise argparse.ArgumentTypeError(f"not a year between 1900 and 2200: {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise UsageError(describe(exc)) from None


def _today(calendar: DeployCalendar) -> date:
    return datetime.now(calendar.tz).date()


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    widths[-1] = 0  # the last column runs free
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return "\n".join(lines)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


# --- check -------------------------------------------------------------------------------------

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
        parts += ["", _table(("SEVERITY", "RULE", "FIELD", "MESSAGE"), rows)]
    if report.target_deploy_date:
        parts += ["", f"Earliest deploy: {report.earliest_deploy_date:%a %Y-%m-%d}   "
                      f"Target deploy: {report.target_deploy_date:%a %Y-%m-%d}   "
                      f"Lead time: {report.lead_time_days} days"]
    return "\n".join(parts)


def cmd_check(args: argparse.Namespace) -> int:
    calendar = load_settings().calendar()
    loaded = request_file.load(Path(args.file))
    today = args.today or _today(calendar)
    context = Context(now=datetime.combine(today, time(12), tzinfo=calendar.tz),
                      calendar=calendar, files=loaded.files, unreadable=loaded.unreadable)
    report = validate(loaded.data, context=context)
    if args.json:
        _print_json(report.as_json())
    else:
        print(render_report(args.file, report))
    return EXIT_OK if report.ok else EXIT_FINDINGS


# --- calendar, holidays, rules -----------------------------------------------------------------

def cmd_calendar(args: argparse.Namespace) -> int:
    calendar = load_settings().calendar()
    start = args.from_ or _today(calendar)
    if args.until is not None and args.until < start:
        raise UsageError(f"--until {args.until} is before --from {start}")
    days = calendar.deploy_days(start, count=None if args.until else args.count or 10,
                                until=args.until)
    if args.json:
        _print_json([day.as_json() for day in days])
        return EXIT_OK
    rows = [(f"{d.date:%a %Y-%m-%d}", f"{d.regular_date:%a %Y-%m-%d}" if d.shifted else "",
             d.cutoff.isoformat(), d.cutoff_push_notification.isoformat(), d.reason or "")
            for d in days]
    print(_table(("DEPLOY DAY", "MOVED FROM", "CUTOFF", "PUSH URL CUTOFF", "REASON"), rows))
    return EXIT_OK


def cmd_holidays(args: argparse.Namespace) -> int:
    holidays = load_settings().calendar().holidays(args.year)
    if args.json:
        _print_json([h.as_json() for h in holidays])
    else:
        print(_table(("DATE", "KIND", "NAME"),
                     [(f"{h.date:%a %Y-%m-%d}", h.kind, h.name) for h in holidays]))
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    if args.json:
        _print_json([rule.as_json() for rule in RULES])
    else:
        print(_table(("RULE", "SEVERITY", "SOURCE", "SUMMARY"),
                     [(r.id, r.severity.value, r.source, r.summary) for r in RULES]))
    return EXIT_OK


# --- demo ------------------------------------------------------------------------------------

def cmd_demo(args: argparse.Namespace) -> int:
    from bot.devtools.demo import run

    return run(load_settings(), sys.stdout)


# --- store commands ----------------------------------------------------------------------------

def _store_url(settings: Settings) -> str:
    from bot.store.db import normalize_url

    try:
        return normalize_url(settings.database_url).render_as_string(hide_password=False)
    except Exception:  # any unparsable URL: say so in one line
        raise UsageError(f"DATABASE_URL: not a database URL: {settings.database_url!r}") from None


def _db_error(exc: Exception) -> UsageError:
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return UsageError(f"database: {first}")


def _open_store(settings: Settings) -> Any:
    """The Store for DATABASE_URL, refusing a database that is not at the latest schema."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import Store
    from bot.store.migrate import is_up_to_date

    store = Store.from_url(_store_url(settings))
    try:
        if not is_up_to_date(store.engine):
            store.dispose()
            raise UsageError("the database schema is not up to date: run `launchbot db upgrade`")
    except SQLAlchemyError as exc:
        store.dispose()
        raise _db_error(exc) from None
    return store


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import normalize_url
    from bot.store.migrate import head_revision, upgrade

    url = _store_url(load_settings())
    try:
        upgrade(url)
    except SQLAlchemyError as exc:
        raise _db_error(exc) from None
    shown = normalize_url(url).render_as_string(hide_password=True)
    print(f"database {shown} is at revision {head_revision()}")
    return EXIT_OK


def cmd_integrations_import(args: argparse.Namespace) -> int:
    from datetime import UTC

    from sqlalchemy.exc import SQLAlchemyError

    from bot.requests.integrations import ExportError, import_export, read_export

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}") \
            from None
    try:
        data = read_export(text)
    except ExportError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    store = _open_store(load_settings())
    try:
        with store.unit_of_work() as session:
            result = import_export(session, data, datetime.now(UTC))
    except SQLAlchemyError as exc:
        raise _db_error(exc) from None
    finally:
        store.dispose()
    print(f"{args.file}: {plural(len(result.created), 'integration')} created, "
          f"{len(result.updated)} updated, {len(result.unchanged)} unchanged")
    for issuer, fields in result.set_aside.items():
        print(f"  {issuer}: kept aside (not configuration): {', '.join(fields)}")
    for issuer, why in result.skipped.items():
        print(f"  {issuer}: skipped: {why}")
    return EXIT_OK


def cmd_integrations_list(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.requests.integrations import list_integrations

    store = _open_store(load_settings())
    try:
        with store.reader() as session:
            found = list_integrations(session)
    except SQLAlchemyError as exc:
        raise _db_error(exc) from None
    finally:
        store.dispose()
    if args.json:
        _print_json([i.as_json() for i in found])
        return EXIT_OK
    print(_table(("ISSUER", "PROTOCOL", "IAL", "AGENCY", "FRIENDLY NAME"),
                 [(i.issuer, str(i.configuration.get("protocol") or "-"),
                   str(i.configuration.get("ial") or "-"), i.agency or "-",
                   i.friendly_name or "-") for i in found]))
    return EXIT_OK


def cmd_manifest(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.requests.manifest import manifest_for, render_csv, render_json, render_text

    settings = load_settings()
    calendar = settings.calendar()
    day = args.date or calendar.next_deploy_day(_today(calendar)).date
    store = _open_store(settings)
    try:
        with store.reader() as session:
            items = manifest_for(session, day)
    except SQLAlchemyError as exc:
        raise _db_error(exc) from None
    finally:
        store.dispose()
    render = {"text": render_text, "json": render_json, "csv": render_csv}[args.format]
    sys.stdout.write(render(day, items))
    if args.format == "json":
        sys.stdout.write("\n")
    return EXIT_OK


def add_store_commands(sub: Any) -> None:
    """`db upgrade`, `integrations import|list`, `manifest` (bot/store, bot/workflow)."""
    db = sub.add_parser("db", help="the database schema", description="the database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND",
                               parser_class=_Parser)
    p = db_sub.add_parser("upgrade", help="apply the migrations to DATABASE_URL (safe to "
                          "repeat, and from several replicas at once)")
    p.set_defaults(handler=cmd_db_upgrade)

    integ = sub.add_parser("integrations", help="the production integrations the bot knows",
                           description="the production integrations the bot knows")
    integ_sub = integ.add_subparsers(dest="integrations_command", required=True,
                                     metavar="COMMAND", parser_class=_Parser)
    p = integ_sub.add_parser("import", help="import a service-provider configuration export "
                             "(YAML keyed by issuer); re-importing updates")
    p.add_argument("file", help="the export (see examples/integrations-export.yaml)")
    p.set_defaults(handler=cmd_integrations_import)
    p = integ_sub.add_parser("list", help="list the known integrations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_integrations_list)

    p = sub.add_parser("manifest", help="what is approved for a deploy day",
                       description="what is approved for a deploy day, with each change's diff")
    p.add_argument("--date", type=_date, metavar="DATE",
                   help="the deploy day (default: the next one, today included)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(handler=cmd_manifest)


# --- serve -------------------------------------------------------------------------------------

def _serve_settings_problem(settings: Settings, socket_mode: bool) -> str | None:
    """One line naming every required setting that is missing, or None."""
    missing = ["SLACK_BOT_TOKEN"] if settings.slack_bot_token is None else []
    if socket_mode and settings.slack_app_token is None:
        missing.append("SLACK_APP_TOKEN")
    if not socket_mode and settings.slack_signing_secret is None:
        missing.append("SLACK_SIGNING_SECRET")
    if not settings.review_channel:
        missing.append("REVIEW_CHANNEL")
    if not missing:
        return None
    names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"{names} {verb} not set (see README: running it for real)"


class _Shutdown(SystemExit):
    """SIGTERM: stop like Ctrl-C (waitress finishes the requests in flight)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Shutdown(0)


def cmd_serve(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.db import Store, normalize_url
    from bot.store.migrate import upgrade

    settings = load_settings()
    socket_mode = bool(args.socket_mode or settings.slack_app_token is not None)
    problem = _serve_settings_problem(settings, socket_mode)
    if problem:
        raise UsageError(problem)
    url = _store_url(settings)
    shown_url = normalize_url(url).render_as_string(hide_password=True)
    port = settings.port if args.port is None else args.port
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("launchbot")
    if args.no_migrate:
        _open_store(settings).dispose()  # refuses a schema that is not at head, in one line
    else:
        try:
            upgrade(url)  # takes a lock: replicas starting together migrate once
        except SQLAlchemyError as exc:
            raise _db_error(exc) from None
    from bot.slack.server import assemble, make_server, serve_until_stopped

    store = Store.from_url(url)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    bot = None
    try:
        bot = assemble(settings, store)
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            assert settings.slack_app_token is not None
            handler = SocketModeHandler(bot.app, settings.slack_app_token.get_secret_value())
            handler.connect()
            bot.relay.start()
            bot.scheduler.start()
            log.info("launchbot serving in Socket Mode; database %s", shown_url)
            try:
                threading.Event().wait()
            finally:
                handler.close()
        else:
            try:
                server = make_server(bot.wsgi, host=args.host, port=port)
            except OSError as exc:
                raise UsageError(f"cannot listen on {args.host}:{port}: "
                                 f"{exc.strerror or exc}") from None
            bot.relay.start()
            bot.scheduler.start()
            log.info("launchbot serving HTTP on %s:%s (POST /slack/events, GET /healthz, "
                     "GET /readyz); database %s", args.host, server.effective_port, shown_url)
            serve_until_stopped(server)
    except (KeyboardInterrupt, SystemExit):
        pass  # a signal: a clean stop
    finally:
        signal.signal(signal.SIGTERM, previous)
        if bot is not None:
            bot.scheduler.stop()
            bot.relay.stop()
        store.dispose()
        log.info("launchbot stopped")
    return EXIT_OK


def add_serve_command(sub: Any) -> None:
    """`serve` (bot/slack)."""
    help_text = ("run the Slack bot: HTTP on PORT (POST /slack/events, GET /healthz, "
                 "GET /readyz), or Socket Mode with SLACK_APP_TOKEN")
    p = sub.add_parser("serve", help=help_text, description=help_text)
    p.add_argument("--port", type=int, help="the HTTP port (default: PORT, or 3000)")
    p.add_argument("--host", default="0.0.0.0", help="the address to listen on (0.0.0.0)")
    p.add_argument("--socket-mode", action="store_true",
                   help="connect to Slack over Socket Mode (needs SLACK_APP_TOKEN)")
    p.add_argument("--no-migrate", action="store_true",
                   help="do not apply the database migrations at start-up")
    p.set_defaults(handler=cmd_serve)


# --- jobs (the scheduler, bot/scheduler) -------------------------------------------------------

def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO time (e.g. 2026-11-30T09:00-05:00): {text!r}") from None


def _as_of(args: argparse.Namespace, calendar: DeployCalendar) -> datetime:
    """--at (a time without an offset is in TIMEZONE), or now."""
    from datetime import UTC

    if args.at is None:
        return datetime.now(UTC)
    return args.at if args.at.tzinfo else args.at.replace(tzinfo=calendar.tz)


def _local(moment: datetime, calendar: DeployCalendar) -> str:
    return f"{moment.astimezone(calendar.tz):%a %Y-%m-%d %H:%M %Z}"


def cmd_jobs_list(args: argparse.Namespace) -> int:
    from bot.schedule.jobs import JOBS
    from bot.schedule.slots import next_slot

    calendar = load_settings().calendar()
    now = _as_of(args, calendar)
    found = [(job, next_slot(job, calendar, now)) for job in JOBS]
    found.sort(key=lambda pair: (pair[1] is None, pair[1].at if pair[1] else now))
    if args.json:
        _print_json([{"name": job.name, "next_run": slot.at.isoformat() if slot else None,
                      "period": slot.period if slot else None, "times": job.when(),
                      "grace_minutes": int(job.grace.total_seconds() // 60),
                      "summary": job.summary} for job, slot in found])
        return EXIT_OK
    print(_table(("JOB", "NEXT RUN", "FOR", "WHAT"),
                 [(job.name, _local(slot.at, calendar) if slot else "-",
                   slot.period if slot else "-", job.summary) for job, slot in found]))
    return EXIT_OK


def cmd_jobs_run(args: argparse.Namespace) -> int:
    from datetime import UTC

    from sqlalchemy.exc import SQLAlchemyError

    from bot.schedule.jobs import BY_NAME
    from bot.schedule.slots import next_slot
    from bot.scheduler import instance_id, run_due, schedule_context
    from bot.store.claims import job_claim

    job = BY_NAME.get(args.name)
    if job is None:
        raise UsageError(f"no job {args.name!r}; jobs: {', '.join(BY_NAME)}")
    settings = load_settings()
    calendar = settings.calendar()
    at = _as_of(args, calendar)
    wall = datetime.now(UTC)
    store = _open_store(settings)
    failed = False
    try:
        ctx = schedule_context(settings, calendar=calendar, by=f"cli:{instance_id()}")
        # The same claims as the scheduler: a slot another run made is not made again.
        outcomes = run_due(store, ctx, [job], now=at, wall=wall, record_missed=False)
        if not outcomes:
            upcoming = next_slot(job, calendar, at)
            print(f"{job.name}: nothing due as of {_local(at, calendar)}"
                  + (f" (next: {_local(upcoming.at, calendar)} for {upcoming.period})"
                     if upcoming else ""))
        for outcome in outcomes:
            slot = outcome.slot
            head = f"{job.name} {slot.period} (due {_local(slot.at, calendar)})"
            if outcome.status == "already":
                with store.reader() as session:
                    claim = job_claim(session, slot.job, slot.period)
                    who = (f" by {claim.claimed_by} at {claim.claimed_at:%Y-%m-%d %H:%M} UTC"
                           if claim else "")
                    state = claim.status if claim else "done"
                print(f"{head}: already {state}{who}; nothing posted")
            elif outcome.status == "posted":
                print(f"{head}: {plural(outcome.posts, 'post')} queued")
            elif outcome.status == "done":
                print(f"{head}: done, nothing to post")
            elif outcome.status == "failed":
                failed = True
                print(f"{head}: failed: {outcome.detail}")
            else:
                print(f"{head}: not run ({outcome.detail})")
        queued = sum(o.posts for o in outcomes)
        if queued:
            print(_deliver(settings, store, at))
    except SQLAlchemyError as exc:
        raise _db_error(exc) from None
    finally:
        store.dispose()
    return EXIT_FINDINGS if failed else EXIT_OK


def _deliver(settings: Settings, store: Any, at: datetime) -> str:
    """Send the outbox now when this process can reach Slack; else leave it to the server."""
    if settings.slack_bot_token is None:
        return ("No SLACK_BOT_TOKEN here: the posts wait in the outbox and `launchbot serve` "
                "delivers them.")
    from datetime import UTC

    from bot.slack.client import make_client
    from bot.slack.messages import render_outbox
    from bot.slack.relay import Relay

    # Posts made as of a future --at are due then; this run sends them now.
    relay = Relay(store, make_client(settings),
                  lambda session, message: render_outbox(session, message, settings),
                  settings, lambda: max(datetime.now(UTC), at))
    sent = 0
    while True:
        batch = relay.run_once()
        if not batch:
            break
        sent += batch
    return f"Delivered {plural(sent, 'outbox message')} to Slack."


def add_jobs_commands(sub: Any) -> None:
    """`jobs list`, `jobs run NAME [--at TIME]` (bot/scheduler)."""
    jobs = sub.add_parser("jobs", help="the scheduled jobs: deploy-day manifests, reminders, "
                          "digest", description="the scheduled jobs (`launchbot serve` runs "
                          "them on their own)")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="COMMAND",
                                   parser_class=_Parser)
    p = jobs_sub.add_parser("list", help="each job and its next run")
    p.add_argument("--at", type=_instant, metavar="TIME", help="as of TIME (ISO; default now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_jobs_list)
    p = jobs_sub.add_parser("run", help="run one job as of a time, through the same claims as "
                            "the scheduler (running it twice posts once)")
    p.add_argument("name", metavar="NAME", help="a job of `launchbot jobs list`")
    p.add_argument("--at", type=_instant, metavar="TIME",
                   help="as of TIME, e.g. 2026-11-30T09:00-05:00 (default now)")
    p.set_defaults(handler=cmd_jobs_run)


# --- the parser --------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="launchbot", description="Take agency integrations to production: check requests, "
        "see the deploy calendar, run the Slack bot.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
                ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("check", cmd_check, "check a request file against the rules (RULES.md)")
    p.add_argument("file", help="the request file (YAML or JSON)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--today", type=_date, metavar="DATE",
                   help="judge as if submitted on DATE (YYYY-MM-DD, America/New_York)")

    p = command("calendar", cmd_calendar, "list deploy days with their cutoffs")
    p.add_argument("--from", dest="from_", type=_date, metavar="DATE", help="first day (today)")
    limit = p.add_mutually_exclusive_group()
    limit.add_argument("--count", type=_positive, help="how many deploy days (10)")
    limit.add_argument("--until", type=_date, metavar="DATE", help="last day")
    p.add_argument("--json", action="store_true")

    p = command("holidays", cmd_holidays, "list the holidays and closures of a year")
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--json", action="store_true")

    command("demo", cmd_demo, "walk one request through the whole flow on a simulated Slack")

    p = command("rules", cmd_rules, "list the rule catalog")
    p.add_argument("--json", action="store_true")

    add_store_commands(sub)
    add_serve_command(sub)
    add_jobs_commands(sub)
    add_settings_command(sub)
    from bot.cli_export import add_export_command
    add_export_command(sub)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not as a message at exit
        return code
    except InputError as exc:
        print(f"launchbot: {exc}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
