"""`jobs list`, `jobs run NAME [--at TIME] [--preview]`: the scheduled jobs by hand.

A run changes real data (a slip moves approved requests, a post claims its period for good),
so it happens as of now or an earlier time only (a catch-up); a later time is for `--preview`,
which prints what would be posted and changes and claims nothing."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.calendar import DeployCalendar
from bot.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    FIRST_YEAR,
    LAST_YEAR,
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

# The wall clock, which tests set (they never depend on today's date); never a setting.
CLOCK_ENV = "LAUNCHBOT_TEST_NOW"
FUTURE_SLACK = timedelta(minutes=1)  # clocks of two machines disagree a little


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO time (e.g. 2026-11-30T09:00-05:00): {text!r}") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years {FIRST_YEAR} to "
                                         f"{LAST_YEAR}")
    return moment


def wall_clock() -> datetime:
    fixed = os.environ.get(CLOCK_ENV)
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _as_of(args: argparse.Namespace, calendar: DeployCalendar) -> datetime:
    """--at (a time without an offset is in TIMEZONE), or now."""
    if args.at is None:
        return wall_clock()
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
    from sqlalchemy.exc import SQLAlchemyError

    from bot.schedule.jobs import BY_NAME
    from bot.schedule.slots import unconfigured
    from bot.scheduler import instance_id, run_due, schedule_context
    from bot.store.claims import job_claim

    job = BY_NAME.get(args.name)
    if job is None:
        raise UsageError(f"no job {args.name!r}; jobs: {', '.join(BY_NAME)}")
    settings = load_settings()
    calendar = settings.calendar()
    at = _as_of(args, calendar)
    wall = wall_clock()
    if at > wall + FUTURE_SLACK and not args.preview:
        raise UsageError(f"--at {_local(at, calendar)} is in the future: a job runs as of now "
                         "or an earlier time (add --preview to see what it would post then)")
    ctx = schedule_context(settings, calendar=calendar, by=f"cli:{instance_id()}")
    missing = unconfigured(job, ctx.channels)
    if missing:
        raise UsageError(f"{job.name} posts to {missing}, which is not set here: nothing run, "
                         "nothing claimed (set it as `launchbot serve` has it)")
    store = open_store(settings)
    failed = False
    try:
        if args.preview:
            return _preview(settings, store, ctx, job, at, calendar)
        # The same claims as the scheduler: a slot another run made is not made again.
        outcomes = run_due(store, ctx, [job], now=at, wall=wall, record_missed=False)
        if not outcomes:
            print(_nothing_due(job, at, calendar))
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


def _nothing_due(job: Any, at: datetime, calendar: DeployCalendar) -> str:
    from bot.schedule.slots import next_slot

    upcoming = next_slot(job, calendar, at)
    return (f"{job.name}: nothing due as of {_local(at, calendar)}"
            + (f" (next: {_local(upcoming.at, calendar)} for {upcoming.period})"
               if upcoming else ""))


def _preview(settings: Settings, store: Any, ctx: Any, job: Any, at: datetime,
             calendar: DeployCalendar) -> int:
    """What the job would post as of `at`; its work is rolled back, nothing is claimed."""
    from bot.scheduler.preview import preview_due

    found = preview_due(store, ctx, [job], now=at,
                        render=lambda session, message: _render(session, message, settings))
    print(f"PREVIEW as of {_local(at, calendar)}: nothing is posted, changed or claimed.")
    if not found:
        print(_nothing_due(job, at, calendar))
    for item in found:
        head = f"{job.name} {item.slot.period} (due {_local(item.slot.at, calendar)})"
        if item.status == "already":
            print(f"{head}: already done; it would post nothing")
        elif item.status == "waiting":
            print(f"{head}: would not run ({item.detail})")
        elif not item.posts:
            print(f"{head}: would run, with nothing to post")
        else:
            print(f"{head}: would post {plural(len(item.posts), 'message')}:")
            for post in item.posts:
                print("\n" + post)
    return EXIT_OK


def _render(session: Any, message: Any, settings: Settings) -> list[str]:
    from bot.devtools import transcript
    from bot.slack.messages import render_outbox

    try:
        outgoing = render_outbox(session, message, settings)
    except Exception as exc:  # an update of a post that is not there yet, say
        return [f"({message.topic}: cannot be shown before it is posted: {exc})"]
    shown = []
    for post in outgoing:
        where = f"in {post.channel}" if post.channel else f"DM to {post.user_id}"
        if post.update_ts:
            where = f"update in {post.channel}"
        body = transcript.render(post.blocks) if post.blocks else "  " + post.text
        shown.append(f"  {where}:\n{body.rstrip()}")
    return shown


def _deliver(settings: Settings, store: Any, at: datetime) -> str:
    """Send the outbox now when this process can reach Slack; else leave it to the server."""
    if settings.slack_bot_token is None:
        return ("No SLACK_BOT_TOKEN here: the posts wait in the outbox and `launchbot serve` "
                "delivers them.")
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
                   help="as of TIME, e.g. 2026-11-30T09:00-05:00 (default now; a later time "
                   "only with --preview)")
    p.add_argument("--preview", action="store_true",
                   help="print what it would post; post, change and claim nothing")
    p.set_defaults(handler=cmd_jobs_run)
