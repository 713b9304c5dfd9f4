"""Who may see and do what: the one visibility rule every surface goes through.

A reviewer (support staff are the reviewers) and the scheduler see every record; anyone else
sees their own team's. A record someone may not see is NotFound to them, whatever they try on
it: a refusal such as "only reviewers can ..." would tell them it exists."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.kernel.errors import NotAllowed, NotFound
from bot.kernel.lifecycle import Lifecycle, Row


def may_see(actor: Actor, team_id: str) -> bool:
    """The visibility rule: may `actor` see a record owned by team `team_id`?"""
    return actor.is_reviewer or actor.is_system or team_id == actor.team_id


def load_visible(session: Session, kind: Lifecycle[Row], ref: int | str, actor: Actor) -> Row:
    """A record by row id or public ID as `actor` may see it; NotFound otherwise (missing and
    not visible are not told apart)."""
    row = kind.load(session, ref)
    if not may_see(actor, row.requester_team_id):
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
    if row.requester_team_id != actor.team_id:
        raise NotAllowed("other_team", action=action, request=row.public_id)
