"""Who may see and do what: the one visibility rule every surface goes through.

Requests, tickets and integrations belong to a partner team (`partner_team_id`); a user is on
the teams bot.teams.membership finds for them (`Actor.teams`). A reviewer (support staff are
the reviewers) and the scheduler see every record; anyone else sees their own teams' records,
and only a record's team may act on it as its partner (withdraw, resubmit, answer). Someone on
no team sees nothing and files nothing. A record someone may not see is NotFound to them,
whatever they try on it: a refusal such as "only reviewers can ..." would tell them it exists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.kernel.errors import NotAllowed, NotFound
from bot.kernel.lifecycle import Lifecycle, Row

Owned = TypeVar("Owned")


def on_team(actor: Actor, owner_team: int | None) -> bool:
    """Whether `actor` is on the team that owns a record (acts on it as its partner)."""
    return owner_team is not None and owner_team in actor.teams


def may_see(actor: Actor, owner_team: int | None) -> bool:
    """The visibility rule: may `actor` see a record owned by the team `owner_team`?"""
    return actor.is_reviewer or actor.is_system or on_team(actor, owner_team)


def load_visible(session: Session, kind: Lifecycle[Row], ref: int | str, actor: Actor) -> Row:
    """A record by row id or public ID as `actor` may see it; NotFound otherwise (missing and
    not visible are not told apart)."""
    row = kind.load(session, ref)
    if not may_see(actor, row.partner_team_id):
        raise NotFound(ref if isinstance(ref, str) else row.public_id, noun=kind.ids.noun)
    return row


def require_reviewer(actor: Actor, row: Row, action: str, *,
                     not_own: str | None = None) -> None:
    """Only reviewers may `action`; with `not_own` (the record's requester), not on their own
    record either."""
    if not actor.is_reviewer:
        raise NotAllowed("not_reviewer", action=action, request=row.public_id)
    if not_own is not None and not_own == actor.user_id:
        raise NotAllowed("own_request", action=action, request=row.public_id)


def require_team(actor: Actor, row: Row, action: str) -> None:
    """Only the team that owns the record may `action`."""
    if not on_team(actor, row.partner_team_id):
        raise NotAllowed("other_team", action=action, request=row.public_id)


def filing_team(actor: Actor, what: str = "requests") -> int:
    """The team a new record of `actor`'s belongs to; refused when there is none to pick."""
    team = actor.team
    if team is None:
        raise NotAllowed("no_team" if not actor.teams else "pick_team", action=f"file {what}")
    return team


def require_own_integration(team: int | None, owner_team: int | None,
                            issuer: str | None) -> None:
    """A change is filed by the team that owns the integration (one no team owns yet, an
    import, is the first deployed change's). Another team's is "not found", as an unknown one."""
    if owner_team is not None and owner_team != team:
        raise NotFound(f"integration {issuer}")


def own(actor: Actor, rows: Iterable[Owned], owner: str = "partner_team_id") -> list[Owned]:
    """The rows of `actor`'s teams (their integrations on the forms' pickers)."""
    return [r for r in rows if on_team(actor, getattr(r, owner))]
