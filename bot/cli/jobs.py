"""`jobs list`, `jobs run NAME [--at TIME]`: the scheduled jobs by hand."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from bot.calendar import DeployCalendar
from bot.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    Parser,
    UsageError,
    db_error,
    load_settings,
    open_store,
    plural,
    print_json,
    table,
)
from bot.config import Settings


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
        print_json([{"name": job.name, "next_run": slot.at.isoformat() if slot else None,
                      "period": slot.period if slot else None, "times": job.when(),
                      "grace_minutes": int(job.grace.total_seconds() // 60),
                      "summary": job.summary} for job, slot in found])
        return EXIT_OK
    print(table(("JOB", "NEXT RUN", "FOR", "WHAT"),
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
    store = open_store(settings)
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
        raise db_error(exc) from None
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
                                   parser_class=Parser)
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
