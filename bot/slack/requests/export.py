"""`/launch-request export [requests|decisions|tickets|audit] [--since DATE] [--until DATE]
[--team TEAM]`: reviewers get the same CSV as `launchbot export`, uploaded to their DM."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.exports import TABLES, Scope, export
from bot.kernel.actors import Actor
from bot.slack.counts import counted
from bot.slack.listening import Later
from bot.slack.runtime import Runtime
from bot.slack.text import escape

log = logging.getLogger(__name__)
USAGE = ("`/launch-request export [requests|decisions|tickets|audit] [--since YYYY-MM-DD] "
         "[--until YYYY-MM-DD] [--team TEAM]`")


class BadArguments(ValueError):
    pass


@dataclass(frozen=True)
class ExportAsk:
    what: str = "requests"
    since: date | None = None
    until: date | None = None
    team: str | None = None

    def filename(self, today: date) -> str:
        return f"launchbot-{self.what}-{today.isoformat()}.csv"

    def described(self) -> str:
        parts = [self.what]
        if self.since:
            parts.append(f"since {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        if self.team:
            parts.append(f"of team {escape(self.team)}")
        return " ".join(parts)


def parse(args: list[str]) -> ExportAsk:
    """The subcommand's words; BadArguments says what is wrong, in one line."""
    values: dict[str, object] = {}
    rest = list(args)
    while rest:
        word = rest.pop(0)
        if word in TABLES and "what" not in values:
            values["what"] = word
        elif word in ("--since", "--until", "--team"):
            if not rest:
                raise BadArguments(f"`{word}` needs a value")
            value = rest.pop(0)
            if word == "--team":
                values["team"] = value
                continue
            try:
                values[word[2:]] = date.fromisoformat(value)
            except ValueError:
                raise BadArguments(f"`{escape(value)}` is not a date (YYYY-MM-DD)") from None
        else:
            raise BadArguments(f"`{escape(word)}` is not something export takes")
    ask = ExportAsk(**values)  # type: ignore[arg-type]
    if ask.since and ask.until and ask.since > ask.until:
        raise BadArguments(f"--since {ask.since} is after --until {ask.until}")
    return ask


def export_command(runtime: Runtime, who: Actor, args: list[str]) -> str | Later:
    if not who.is_reviewer:
        return "Only reviewers can export. Your team's requests are in `/launch-request list`."
    try:
        ask = parse(args)
    except BadArguments as exc:
        return f"{exc}. Usage: {USAGE}"
    return Later(f"Exporting {ask.described()}: the CSV arrives in a direct message from me "
                 "in a moment.",
                 lambda client: deliver(runtime, client, who, ask))


def deliver(runtime: Runtime, client: WebClient, who: Actor, ask: ExportAsk) -> None:
    """Write the CSV and upload it to the reviewer's DM; say so when it cannot be done."""
    tz = runtime.calendar.tz
    out = io.StringIO()
    try:
        with runtime.store.snapshot() as session:
            count = export(session, out, ask.what, fmt="csv",
                           scope=Scope(tz=tz, since=ask.since, until=ask.until, team=ask.team))
    except SQLAlchemyError as exc:
        log.warning("export failed: %s", exc)
        _say(client, who, "The export could not be read from the database just now. "
                          "Please try again in a few minutes.")
        return
    try:
        channel = client.conversations_open(users=who.user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel, content=out.getvalue(),
            filename=ask.filename(runtime.calendar.local_date(runtime.clock())),
            title=f"launchbot export: {ask.described()}",
            initial_comment=f"{counted(count, 'record')} of {ask.described()} "
                            "(columns: docs/exports.md; times in "
                            f"{tz.key}).")
    except SlackApiError as exc:
        log.warning("export upload failed: %s", exc.response.get("error"))
        _say(client, who, "The export could not be uploaded to Slack just now. Please try "
                          "again in a few minutes.")


def _say(client: WebClient, who: Actor, text: str) -> None:
    try:
        client.chat_postMessage(channel=who.user_id, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s: %s", who.user_id, exc.response.get("error"))
