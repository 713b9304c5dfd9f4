"""`/launch-request [status ID | list | withdraw ID | help]`: opens the form, or answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.listeners.common import UserTeams, actor
from bot.slack.listeners.form import open_form
from bot.slack.runtime import Runtime
from bot.slack.views import replies
from bot.workflow import Actor, WorkflowError, get_request, team_requests, withdraw


def register(app: App, runtime: Runtime) -> None:
    teams = UserTeams(runtime.client)

    @app.command("/launch-request")
    def launch_request(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        words = str(body.get("text") or "").split()
        verb, args = (words[0].lower(), words[1:]) if words else ("", [])
        if verb in ("", "new"):
            ack()
            # The trigger expires 3 seconds after the command: open the form first thing.
            open_form(runtime, client, body["trigger_id"], actor(runtime, body, teams))
            return
        handler = SUBCOMMANDS.get(verb)
        if handler is None:
            ack(replies.unknown_subcommand(verb))
            return
        ack(handler(runtime, actor(runtime, body, teams), args))


def _status(runtime: Runtime, who: Actor, args: list[str]) -> str:
    if not args:
        return _list(runtime, who, args)
    try:
        with runtime.store.reader() as session:
            return replies.status(get_request(session, args[0], actor=who))
    except WorkflowError as exc:
        return replies.refusal(exc)


def _list(runtime: Runtime, who: Actor, args: list[str]) -> str:
    with runtime.store.reader() as session:
        return replies.request_list(team_requests(session, actor=who, limit=20))


def _withdraw(runtime: Runtime, who: Actor, args: list[str]) -> str:
    if not args:
        return "Which request? `/launch-request withdraw LR-1042`"
    try:
        with runtime.store.unit_of_work() as session:
            record = withdraw(session, args[0], actor=who, now=runtime.clock(),
                              reason=" ".join(args[1:]) or None)
    except WorkflowError as exc:
        return replies.refusal(exc)
    runtime.poke_relay()
    return replies.withdrawn(record)


def _help(runtime: Runtime, who: Actor, args: list[str]) -> str:
    return replies.HELP


SUBCOMMANDS: dict[str, Callable[[Runtime, Actor, list[str]], str]] = {
    "status": _status, "list": _list, "withdraw": _withdraw, "help": _help,
}
