"""`/launch-request [status ID | list | withdraw ID | help]`: opens the form, or answers."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from sqlalchemy.exc import SQLAlchemyError

from bot.requests import Actor, RequestRecord, get_request, team_requests, withdraw
from bot.requests.history import request_history
from bot.slack.blocks import section
from bot.slack.listening import Subcommand, answer, slash_command
from bot.slack.requests import replies
from bot.slack.requests.card import details_button
from bot.slack.requests.details import history_message
from bot.slack.requests.export import export_command
from bot.slack.requests.filing import open_form
from bot.slack.runtime import Runtime
from bot.slack.schedule import calendar as deploy_calendar
from bot.slack.server import CALENDAR_PATH
from bot.slack.teams_command import team_command
from bot.slack.text import escape

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    app.command("/launch-request")(slash_command(
        runtime, open_form, SUBCOMMANDS, replies.unknown_subcommand))


def _status(runtime: Runtime, who: Actor, args: list[str]) -> str | dict[str, Any]:
    if not args:
        return _list(runtime, who, args)
    return answer(runtime, lambda session: _status_message(
        get_request(session, args[0], actor=who)),
        unreadable=replies.UNREADABLE.format(what=escape(args[0])))


def _status_message(record: RequestRecord) -> dict[str, Any]:
    text = replies.status(record)
    return {"text": text, "blocks": [section(text, accessory=details_button(record))]}


def _history(runtime: Runtime, who: Actor, args: list[str]) -> str | dict[str, Any]:
    if not args:
        return "Which request? `/launch-request history LR-1042`"
    return answer(runtime, lambda session: history_message(
        *request_history(session, args[0], actor=who), runtime.calendar.tz),
        unreadable=replies.UNREADABLE.format(what=f"the history of {escape(args[0])}"))


def _list(runtime: Runtime, who: Actor, args: list[str]) -> str:
    try:
        with runtime.store.reader() as session:
            return replies.request_list(team_requests(session, actor=who, limit=21), shown=20)
    except SQLAlchemyError as exc:  # a read: nothing was sent, so nothing can be lost
        log.warning("list failed: %s", exc)
        return replies.UNREADABLE.format(what="your team's requests")


def _withdraw(runtime: Runtime, who: Actor, args: list[str]) -> str:
    if not args:
        return "Which request? `/launch-request withdraw LR-1042`"
    return answer(runtime, lambda session: replies.withdrawn(withdraw(
        session, args[0], actor=who, now=runtime.clock(), reason=" ".join(args[1:]) or None)),
        write=True)


def _calendar(runtime: Runtime, who: Actor, args: list[str]) -> str:
    count = deploy_calendar.parse_count(args)
    if isinstance(count, str):
        return count
    today = runtime.calendar.local_date(runtime.clock())
    public = runtime.settings.public_url
    return deploy_calendar.calendar_reply(
        runtime.calendar.deploy_days(today, count=count), today,
        timezone=runtime.calendar.tz.key,
        feed_url=f"{public.rstrip('/')}{CALENDAR_PATH}" if public else None)


def _help(runtime: Runtime, who: Actor, args: list[str]) -> str:
    return replies.HELP


SUBCOMMANDS: dict[str, Subcommand] = {
    "status": _status, "list": _list, "withdraw": _withdraw, "calendar": _calendar,
    "help": _help, "team": team_command, "history": _history, "export": export_command,
}
