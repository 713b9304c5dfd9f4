"""The App Home's "Team" section: the partner teams someone is on, and who is on them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.blocks import context, divider, section
from bot.slack.text import clip, escape, user
from bot.teams.manage import TeamSummary

MAX_TEAMS = 3  # the Home tab holds 100 blocks; requests and tickets come first
MAX_MEMBERS = 30  # named on the tab; the rest are counted


def _members(team: TeamSummary) -> str:
    named = [user(m) if "@" not in m else escape(m) for m in team.members[:MAX_MEMBERS]]
    more = len(team.members) - len(named)
    ways = [", ".join(named) + (f" and {more} more" if more > 0 else "")] if named else []
    ways += [f"everyone from workspace {escape(w)}" for w in team.workspaces]
    ways += [f"the members of <#{c}>" for c in team.channels]
    return "; ".join(ways) or "no one named yet"


def team_sections(teams: Sequence[TeamSummary]) -> list[dict[str, Any]]:
    if not teams:
        return []
    blocks: list[dict[str, Any]] = [divider(), section("*Your team*" if len(teams) == 1
                                                       else "*Your teams*")]
    for team in teams[:MAX_TEAMS]:
        blocks.append(section(f"*{escape(clip(team.name, 200))}* ({team.slug}) · "
                              f"{escape(clip(team.agency, 200))}"))
        blocks.append(context(clip(f"Members: {_members(team)}", 2900)))
    return blocks
