"""Reviewers' operations on partner teams: create, members, bound workspaces and channels,
list and show. Each checks its input first and changes nothing when it is refused; each change
is recorded in team_events with who made it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.kernel.errors import WorkflowError
from bot.kernel.ids import REQUEST_IDS, scheme_of
from bot.store.models import (
    OPEN_STATES,
    OPEN_TICKET_STATES,
    Integration,
    Request,
    Team,
    TeamChannel,
    TeamEvent,
    TeamMember,
    TeamWorkspace,
    Ticket,
    public_id,
    ticket_public_id,
)

SLUG = re.compile(r"[a-z][a-z0-9-]{1,31}")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
WORKSPACE_ID = re.compile(r"[TE][A-Z0-9]{2,31}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,31}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
TEXT_LIMIT = 255  # the name and agency columns


class TeamError(WorkflowError):
    """A team operation refused: one line saying why; nothing was changed."""


def check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise TeamError(f"'{slug[:40]}' is not a team slug: 2 to 32 lower-case letters, digits "
                        "or hyphens, starting with a letter (e.g. dhs-benefits)")
    return slug


def _check_text(label: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise TeamError(f"the team's {label} is empty")
    if len(value) > TEXT_LIMIT:
        raise TeamError(f"the team's {label} is {len(value)} characters; at most {TEXT_LIMIT}")
    return value


def _check_id(kind: str, pattern: re.Pattern[str], value: str, example: str) -> str:
    if not pattern.fullmatch(value):
        raise TeamError(f"'{value[:40]}' is not a Slack {kind} ID (like {example})")
    return value


def team_by_slug(session: Session, slug: str) -> Team:
    team = session.scalars(select(Team).where(Team.slug == slug)).first()
    if team is None:
        raise TeamError(f"no team '{slug[:40]}' (launchbot teams list shows them)")
    return team


def _event(session: Session, team: Team, actor: str, action: str, now: datetime,
           **detail: Any) -> None:
    team.updated_at = now
    session.add(TeamEvent(team_id=team.id, actor=actor, action=action, detail=detail, at=now))


def create_team(session: Session, slug: str, *, name: str, agency: str, actor: str,
                now: datetime) -> Team:
    check_slug(slug)
    name, agency = _check_text("name", name), _check_text("agency", agency)
    if session.scalars(select(Team.id).where(Team.slug == slug)).first() is not None:
        raise TeamError(f"there is already a team '{slug}'")
    team = Team(slug=slug, name=name, agency=agency, created_at=now, updated_at=now)
    session.add(team)
    session.flush()
    _event(session, team, actor, "create", now, name=name, agency=agency)
    return team


def _member_keys(values: Iterable[str]) -> list[tuple[str | None, str | None]]:
    """(user_id, email) per value: a Slack user ID, or an email (matched when they turn up)."""
    keys: list[tuple[str | None, str | None]] = []
    for value in values:
        if "@" in value:
            if not EMAIL.fullmatch(value) or len(value) > 320:
                raise TeamError(f"'{value[:60]}' is not an email address")
            keys.append((None, value.lower()))
        else:
            keys.append((_check_id("user", USER_ID, value, "U0123ABCD"), None))
    if not keys:
        raise TeamError("name at least one Slack user ID (or email)")
    return keys


def find_member(team: Team, user_id: str | None, email: str | None) -> TeamMember | None:
    """The team's explicit member with this user ID or email, if any."""
    return next((m for m in team.members if (user_id and m.user_id == user_id)
                 or (email and m.email == email)), None)


def _looked_up(team: Team, values: Sequence[str]
               ) -> list[tuple[str, str | None, str | None, TeamMember | None]]:
    """(the name given, user_id, email, the explicit member it names or None) per value."""
    found = []
    for user_id, email in _member_keys(values):
        found.append((user_id or email or "", user_id, email, find_member(team, user_id, email)))
    return found


def add_members(session: Session, slug: str, values: Sequence[str], *, actor: str,
                now: datetime) -> list[str]:
    """Adds the users (IDs or emails); returns those that were not members already."""
    team = team_by_slug(session, slug)
    new = list(dict.fromkeys((name, user_id, email) for name, user_id, email, member
                             in _looked_up(team, values) if member is None))
    team.members += [TeamMember(user_id=user_id, email=email, added_by=actor, added_at=now)
                     for _, user_id, email in new]
    added = [name for name, _, _ in new]
    if added:
        _event(session, team, actor, "add_members", now, members=added)
    return added


def remove_members(session: Session, slug: str, values: Sequence[str], *, actor: str,
                   now: datetime) -> list[str]:
    """Removes the explicit members named; refused (nothing removed) if one is not."""
    team = team_by_slug(session, slug)
    found = _looked_up(team, values)
    missing = next((name for name, _, _, member in found if member is None), None)
    if missing is not None:
        raise TeamError(f"{missing} is not an explicit member of '{slug}'")
    for *_, member in found:
        team.members.remove(member)
    removed = [member.user_id or member.email or "" for *_, member in found]
    _event(session, team, actor, "remove_members", now, members=removed)
    return removed


@dataclass(frozen=True)
class Binding:
    """Something of Slack's that makes its members a team's: a workspace or a channel."""

    kind: str  # "workspace" | "channel": the word in messages, actions and event details
    pattern: re.Pattern[str]
    example: str
    model: type[TeamWorkspace] | type[TeamChannel]
    key: str  # the column holding the Slack ID
    collection: str  # the team's list of them


WORKSPACES = Binding("workspace", WORKSPACE_ID, "T0123ABCD", TeamWorkspace, "slack_team_id",
                     "workspaces")
CHANNELS = Binding("channel", CHANNEL_ID, "C0123ABCD", TeamChannel, "channel_id", "channels")


def bind(binding: Binding, session: Session, slug: str, slack_id: str, *, actor: str,
         now: datetime) -> None:
    """Binds a workspace or channel to the team `slug`; one bound elsewhere is refused."""
    _check_id(binding.kind, binding.pattern, slack_id, binding.example)
    team = team_by_slug(session, slug)
    bound = session.scalars(select(binding.model).where(
        getattr(binding.model, binding.key) == slack_id)).first()
    if bound is not None:
        where = "this team" if bound.team_id == team.id else f"team '{bound.team.slug}'"
        raise TeamError(f"{binding.kind} {slack_id} is already bound to {where}")
    getattr(team, binding.collection).append(
        binding.model(**{binding.key: slack_id}, bound_by=actor, bound_at=now))
    _event(session, team, actor, f"bind_{binding.kind}", now, **{binding.kind: slack_id})


def unbind(binding: Binding, session: Session, slug: str, slack_id: str, *, actor: str,
           now: datetime) -> None:
    _check_id(binding.kind, binding.pattern, slack_id, binding.example)
    team = team_by_slug(session, slug)
    rows = getattr(team, binding.collection)
    bound = next((row for row in rows if getattr(row, binding.key) == slack_id), None)
    if bound is None:
        raise TeamError(f"{binding.kind} {slack_id} is not bound to '{slug}'")
    rows.remove(bound)
    _event(session, team, actor, f"unbind_{binding.kind}", now, **{binding.kind: slack_id})


bind_workspace = partial(bind, WORKSPACES)
unbind_workspace = partial(unbind, WORKSPACES)
bind_channel = partial(bind, CHANNELS)
unbind_channel = partial(unbind, CHANNELS)


def move_records(session: Session, slug: str, refs: Sequence[str], *, actor: str,
                 now: datetime) -> list[str]:
    """Gives requests and tickets (LR-…, ST-…) to the team `slug` (splitting a team); returns
    their public IDs. Every ID is checked before anything moves."""
    team = team_by_slug(session, slug)
    if not refs:
        raise TeamError("name at least one request or ticket (LR-1042, ST-1001)")
    rows: list[Request | Ticket] = []
    for ref in refs:
        scheme = scheme_of(ref)
        row_id = scheme.parse(ref) if scheme is not None else None
        if scheme is None or row_id is None:
            raise TeamError(f"'{ref[:40]}' is not a request or ticket ID (LR-1042, ST-1001)")
        model = Request if scheme is REQUEST_IDS else Ticket
        row = session.get(model, row_id)
        if row is None:
            raise TeamError(f"there is no {scheme.format(row_id)}")
        rows.append(row)
    moved = {}
    for row in rows:
        moved[row.public_id] = row.partner_team_id
        row.partner_team_id = team.id
    _event(session, team, actor, "move_records", now, records=moved)
    return list(moved)


@dataclass(frozen=True)
class TeamSummary:
    """A team as `teams list` and `teams show` print it."""

    id: int
    slug: str
    name: str
    agency: str
    members: list[str]
    workspaces: list[str]
    channels: list[str]
    integrations: list[str]
    open_requests: list[str]
    open_tickets: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "name": self.name, "agency": self.agency,
                "members": self.members, "workspaces": self.workspaces,
                "channels": self.channels, "integrations": self.integrations,
                "open_requests": self.open_requests, "open_tickets": self.open_tickets}


def summary(session: Session, team: Team, *, detail: bool = True) -> TeamSummary:
    integrations = requests = tickets = []
    if detail:
        integrations = list(session.scalars(select(Integration.issuer).where(
            Integration.partner_team_id == team.id).order_by(Integration.issuer)))
        requests = [public_id(i) for i in session.scalars(select(Request.id).where(
            Request.partner_team_id == team.id,
            Request.state.in_([s.value for s in OPEN_STATES])).order_by(Request.id))]
        tickets = [ticket_public_id(i) for i in session.scalars(select(Ticket.id).where(
            Ticket.partner_team_id == team.id,
            Ticket.state.in_([s.value for s in OPEN_TICKET_STATES])).order_by(Ticket.id))]
    return TeamSummary(
        id=team.id, slug=team.slug, name=team.name, agency=team.agency,
        members=[m.user_id or m.email or "" for m in team.members],
        workspaces=[w.slack_team_id for w in team.workspaces],
        channels=[c.channel_id for c in team.channels],
        integrations=integrations, open_requests=requests, open_tickets=tickets)


def list_teams(session: Session) -> list[TeamSummary]:
    return [summary(session, t, detail=False)
            for t in session.scalars(select(Team).order_by(Team.slug))]


def show_team(session: Session, slug: str) -> TeamSummary:
    return summary(session, team_by_slug(session, slug))


def teams_by_id(session: Session, ids: Iterable[int]) -> list[Team]:
    ids = list(ids)
    if not ids:
        return []
    return list(session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.slug)))


def free_slug(session: Session, wanted: str) -> str:
    """`wanted` made a valid slug not yet taken (a number appended when it is)."""
    base = re.sub(r"[^a-z0-9]+", "-", wanted.lower()).strip("-")[:28] or "team"
    if not base[0].isalpha():
        base = f"t-{base}"[:28]
    base = base if len(base) >= 2 else f"{base}-team"
    taken = set(session.scalars(select(Team.slug).where(
        func.lower(Team.slug).like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
