"""`/launch-request team ...`: reviewers manage partner teams from Slack, with the same
operations as `launchbot teams` (bot.teams.manage), each answered in place and recorded in the
team audit trail with the reviewer's user ID. Anyone else is told it is for reviewers."""

from __future__ import annotations

import re
import shlex

from bot.kernel.actors import Actor
from bot.slack.runtime import Runtime
from bot.slack.text import escape
from bot.teams import manage
from bot.teams.manage import TeamError

USAGE = ("Manage partner teams (reviewers): `/launch-request team list`, "
         "`team show SLUG`, `team create SLUG --name NAME --agency AGENCY`, "
         "`team add-member SLUG USER_ID...`, `team remove-member SLUG USER_ID...`, "
         "`team bind-workspace SLUG TEAM_ID`, `team unbind-workspace SLUG TEAM_ID`, "
         "`team bind-channel SLUG CHANNEL_ID`, `team unbind-channel SLUG CHANNEL_ID`, "
         "`team move SLUG LR-1042 ST-1001...`")
REVIEWERS_ONLY = "Only reviewers manage partner teams."
# A mention or channel link Slack may put in the text: <@U123|name>, <#C123|name> -> the ID.
_REFERENCE = re.compile(r"<[@#]([A-Z0-9]+)(?:\|[^>]*)?>")
BINDINGS = {"bind-workspace": manage.bind_workspace, "unbind-workspace": manage.unbind_workspace,
            "bind-channel": manage.bind_channel, "unbind-channel": manage.unbind_channel}


def _options(words: list[str]) -> dict[str, str]:
    """`--name Benefits portal --agency DHS` -> {"name": "Benefits portal", "agency": "DHS"}."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for word in words:
        if word in ("--name", "--agency"):
            current = found.setdefault(word[2:], [])
        elif current is None:
            raise TeamError(f"unexpected '{word[:40]}': give --name NAME --agency AGENCY")
        else:
            current.append(word)
    return {k: " ".join(v) for k, v in found.items()}


def _answer(runtime: Runtime, who: Actor, verb: str, args: list[str]) -> str:
    now, by = runtime.clock(), who.user_id
    if verb == "list":
        with runtime.store.reader() as session:
            teams = manage.list_teams(session)
        return "\n".join(f"*{t.slug}* · {escape(t.name)} · {escape(t.agency)} · "
                         f"{len(t.members)} member(s)" for t in teams) or "No teams yet."
    if not args:
        raise TeamError(f"which team? `/launch-request team {verb} SLUG ...`")
    slug, rest = args[0], args[1:]
    if verb == "show":
        with runtime.store.reader() as session:
            team = manage.show_team(session, slug)
        lines = [f"*{team.slug}* · {escape(team.name)} · {escape(team.agency)}"]
        lines += [f"{label}: {', '.join(escape(v) for v in values) or '-'}" for label, values in (
            ("Members", team.members), ("Workspaces", team.workspaces),
            ("Channels", team.channels), ("Integrations", team.integrations),
            ("Open requests", team.open_requests), ("Open tickets", team.open_tickets))]
        return "\n".join(lines)
    with runtime.store.unit_of_work() as session:
        if verb == "create":
            options = _options(rest)
            manage.create_team(session, slug, name=options.get("name", ""),
                               agency=options.get("agency", ""), actor=by, now=now)
            return f"Team *{slug}* created."
        if verb in ("add-member", "remove-member"):
            change = manage.add_members if verb == "add-member" else manage.remove_members
            done = change(session, slug, rest, actor=by, now=now)
            where = "added to" if verb == "add-member" else "removed from"
            return (f"{len(done)} member(s) {where} *{slug}*"
                    + (f": {', '.join(escape(d) for d in done)}." if done else "."))
        if verb == "move":
            moved = manage.move_records(session, slug, rest, actor=by, now=now)
            return f"{len(moved)} record(s) moved to *{slug}*: {', '.join(moved)}."
        if verb in BINDINGS:
            if len(rest) != 1:
                raise TeamError(f"give one ID: `/launch-request team {verb} {slug} ID`")
            BINDINGS[verb](session, slug, rest[0], actor=by, now=now)
            return f"{verb.split('-', 1)[1].capitalize()} {rest[0]} " \
                   f"{'unbound from' if verb.startswith('un') else 'bound to'} *{slug}*."
    return USAGE


def team_command(runtime: Runtime, who: Actor, args: list[str]) -> str:
    if not who.is_reviewer:
        return REVIEWERS_ONLY
    try:
        words = shlex.split(_REFERENCE.sub(r"\1", " ".join(args)))
    except ValueError:  # an unclosed quote
        words = _REFERENCE.sub(r"\1", " ".join(args)).split()
    if not words:
        return USAGE
    try:
        return _answer(runtime, who, words[0].lower(), words[1:])
    except TeamError as exc:
        return f"Nothing changed: {escape(exc)}."
