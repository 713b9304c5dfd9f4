"""Who may see and act on a record: the one rule every surface goes through.

A record (request, ticket, integration) belongs to a partner team. Reviewers, and the
scheduler, see every record; anyone else sees a record only when they are on its team, and only
its team may act on it as a partner (withdraw, resubmit, answer). Someone on no team sees
nothing and files nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from bot.kernel.actors import Actor
from bot.kernel.errors import NotAllowed, NotFound

Owned = TypeVar("Owned")


def sees(actor: Actor, owner_team: int | None) -> bool:
    """Whether `actor` may see a record owned by `owner_team`."""
    return actor.is_reviewer or actor.is_system or on_team(actor, owner_team)


def on_team(actor: Actor, owner_team: int | None) -> bool:
    """Whether `actor` is on the team that owns a record (acts on it as its partner)."""
    return owner_team is not None and owner_team in actor.teams


def visible_teams(actor: Actor) -> frozenset[int] | None:
    """The teams whose records `actor` may list; None: every team's (reviewers)."""
    return None if actor.is_reviewer or actor.is_system else actor.teams


def filing_team(actor: Actor, what: str = "requests") -> int:
    """The team a new record of `actor`'s belongs to; refused when there is none to pick."""
    team = actor.team
    if team is None:
        raise NotAllowed("no_team" if not actor.teams else "pick_team", action=f"file {what}")
    return team


def require_own_integration(team: int | None, owner_team: int | None, issuer: str) -> None:
    """A change is filed by the team that owns the integration (one no team owns yet, an
    import, is the first deployed change's). Another team's is "not found", as an unknown one."""
    if owner_team is not None and owner_team != team:
        raise NotFound(f"integration {issuer}")


def own(actor: Actor, rows: Iterable[Owned], owner: str = "partner_team_id") -> list[Owned]:
    """The rows of `actor`'s teams (their integrations on the forms' pickers)."""
    return [r for r in rows if on_team(actor, getattr(r, owner))]
