"""Which partner teams a Slack user is on. Three ways to belong, checked in this order:

1. explicit membership (a reviewer added the user, or an imported email matched the user's);
2. a Slack Connect organisation bound to a team: every user whose home workspace is that
   external workspace. An external workspace bound to no team gets a team of its own on first
   use, named from team.info, so Slack Connect needs no set-up; users of the host workspace
   (where the bot is installed) never get a team that way;
3. a shared channel bound to a team: its members, reviewers excepted.

A user may be on several teams (they pick one when filing). What Slack says about a user comes
from a `Directory`; when it cannot say (Slack failing), `Unavailable` is raised and the caller
refuses with "try again": the boundary never falls back to the payload's workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import String, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.db import Store
from bot.store.models import Team, TeamChannel, TeamEvent, TeamMember, TeamWorkspace
from bot.teams.manage import free_slug

AUTO = "auto (Slack Connect)"  # who created a team for an external workspace
_NO_CHANNEL = cast(null(), String(32))


def _how(tag: str) -> Any:
    return literal_column(f"'{tag}'", String(16))


# All that decides someone's teams, in one statement: the teams they were added to, imported
# members waiting for their email, the team bound to their home workspace, and every shared
# channel bound to a team (its members are asked of Slack).
_MEMBERSHIP = union_all(
    select(_how("member"), TeamMember.team_id, _NO_CHANNEL).where(
        TeamMember.user_id == bindparam("user")),
    select(_how("pending"), TeamMember.team_id, _NO_CHANNEL).where(
        TeamMember.email == bindparam("email"), TeamMember.user_id.is_(None)),
    select(_how("workspace"), TeamWorkspace.team_id, _NO_CHANNEL).where(
        TeamWorkspace.slack_team_id == bindparam("workspace")),
    select(_how("channel"), TeamChannel.team_id, TeamChannel.channel_id))


class Unavailable(Exception):
    """Slack could not tell who the user is (their home workspace, a channel's members)."""


@dataclass(frozen=True)
class Person:
    user_id: str
    home_team: str  # the user's home workspace (users.info team_id)
    email: str | None = None


class Directory(Protocol):
    """What Slack knows about users, workspaces and channels. Every method raises
    Unavailable when Slack cannot answer."""

    def host_team(self) -> str: ...

    def person(self, user_id: str) -> Person: ...

    def workspace_name(self, team_id: str) -> str: ...

    def channel_members(self, channel_id: str) -> frozenset[str]: ...


def teams_of(store: Store, directory: Directory, user_id: str, *, is_reviewer: bool,
             now: datetime) -> frozenset[int]:
    """The IDs of the partner teams `user_id` is on (possibly none)."""
    person = directory.person(user_id)
    # Every request asks this: one read, without the write lock (one writer at a time on
    # SQLite), unless an imported email of theirs is still waiting for their user ID.
    with store.read_rows() as connection:
        rows = connection.execute(_MEMBERSHIP, {
            "user": person.user_id, "email": person.email.lower() if person.email else None,
            "workspace": person.home_team}).all()
    found = {team_id for how, team_id, _ in rows if how == "member"}
    bound = next((team_id for how, team_id, _ in rows if how == "workspace"), None)
    channels = [(channel_id, team_id) for how, team_id, channel_id in rows if how == "channel"]
    if any(how == "pending" for how, _, _ in rows):
        with store.unit_of_work() as session:
            found = set(_explicit(session, person, now))
    if bound is not None:
        found.add(bound)
    if not is_reviewer:
        for channel_id, team_id in channels:
            if team_id in found:
                continue
            try:
                if user_id in directory.channel_members(channel_id):
                    found.add(team_id)
            except Unavailable:
                if not found:  # "no team" would be a false answer: refuse instead
                    raise
    # Reviewers see every team's records already: no team is made for their workspace.
    if (bound is None and not is_reviewer and person.home_team
            and person.home_team != directory.host_team()):
        found.add(_team_for_workspace(store, directory, person.home_team, now))
    return frozenset(found)


def _pending(session: Session, person: Person) -> list[TeamMember]:
    """Imported members with the user's email and no user ID yet."""
    if not person.email:
        return []
    return list(session.scalars(select(TeamMember).where(
        TeamMember.email == person.email.lower(), TeamMember.user_id.is_(None))))


def _explicit(session: Session, person: Person, now: datetime) -> list[int]:
    """Teams the user was added to; an imported email of theirs becomes their user ID now."""
    if person.email:
        for member in _pending(session, person):
            already = session.scalars(select(TeamMember.id).where(
                TeamMember.team_id == member.team_id,
                TeamMember.user_id == person.user_id)).first()
            if already is not None:
                session.delete(member)
                continue
            member.user_id = person.user_id
            session.add(TeamEvent(team_id=member.team_id, actor=person.user_id,
                                  action="match_email", at=now,
                                  detail={"email": member.email, "user": person.user_id}))
        session.flush()
    return list(session.scalars(select(TeamMember.team_id).where(
        TeamMember.user_id == person.user_id)))


def _team_for_workspace(store: Store, directory: Directory, workspace: str,
                        now: datetime) -> int:
    """The team of an external workspace bound to none: made now, named from team.info."""
    name = directory.workspace_name(workspace)
    try:
        with store.unit_of_work() as session:
            team = Team(slug=free_slug(session, name), name=name, agency=name, created_at=now,
                        updated_at=now)
            team.workspaces.append(TeamWorkspace(slack_team_id=workspace, bound_by=AUTO,
                                                 bound_at=now))
            session.add(team)
            session.flush()
            session.add(TeamEvent(team_id=team.id, actor=AUTO, action="create", at=now,
                                  detail={"workspace": workspace, "name": name}))
            return team.id
    except IntegrityError:
        # Another request from the same workspace made it first: use theirs.
        with store.reader() as session:
            team_id = session.scalars(select(TeamWorkspace.team_id).where(
                TeamWorkspace.slack_team_id == workspace)).first()
        if team_id is None:
            raise
        return team_id
