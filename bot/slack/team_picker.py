"""The partner-team picker on the request and ticket forms: someone on several partner teams
says which team the request or ticket belongs to (someone on one team is not asked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.kernel.actors import Actor
from bot.slack import view_state
from bot.slack.blocks import plain, static_select
from bot.slack.ids import Action
from bot.slack.listening import FormAnswer
from bot.slack.runtime import Runtime
from bot.teams.manage import teams_by_id

TEAM_BLOCK = "partner_team"


def pick_team(noun: str) -> str:
    return f"Pick the partner team this {noun} is for."


def team_block(teams: Mapping[str, str], picked: Any, noun: str) -> dict[str, Any]:
    """A picker of the partner teams (team ID -> name)."""
    return {"type": "input", "block_id": TEAM_BLOCK, "label": plain("Partner team"),
            "hint": plain(f"You are on several partner teams: the {noun} belongs to this one."),
            "element": static_select(Action.value.value, "Choose your team", teams, picked)}


def team_choices(runtime: Runtime, who: Actor) -> dict[str, str]:
    """The teams someone on several partner teams picks from (team ID -> name); else none."""
    if len(who.teams) < 2:
        return {}
    with runtime.store.reader() as session:
        return {str(t.id): f"{t.name} ({t.slug})" for t in teams_by_id(session, who.teams)}


def picked_value(state_values: Any) -> str | None:
    """The picked team's ID as the form's state has it, if any."""
    return next((view_state.picked_value(state) for block_id, state
                 in view_state.input_states(state_values) if block_id == TEAM_BLOCK), None)


def acting_for(who: Actor, picked: Any) -> Actor | None:
    """`who` acting for the `picked` team: as is when on one team, None when on several and
    none of theirs was picked."""
    if len(who.teams) < 2:
        return who
    team = int(picked) if isinstance(picked, str) and picked.isascii() and picked.isdigit() \
        and len(picked) < 12 else None
    return replace(who, acting_for=team) if team in who.teams else None


def team_for(who: Actor, picked: Any, noun: str) -> Actor | FormAnswer:
    """Who files a form: `who` acting for the `picked` team, or the form's answer asking for
    one (someone on several teams picked none of theirs)."""
    acting = acting_for(who, picked)
    return acting if acting is not None else FormAnswer.errors({TEAM_BLOCK: pick_team(noun)})
