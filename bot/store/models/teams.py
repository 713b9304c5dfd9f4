"""The partner teams' tables: a team, its explicit members, the workspaces and channels bound
to it, and its audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, TeamBindingColumns, TrailColumns, owned


class Team(Base):
    """A partner team (an agency's staff, or a contractor working for it). It owns requests,
    tickets and integrations; bot.teams.membership says who belongs to it."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    agency: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    members: Mapped[list[TeamMember]] = owned("TeamMember", "team")
    workspaces: Mapped[list[TeamWorkspace]] = owned("TeamWorkspace", "team")
    channels: Mapped[list[TeamChannel]] = owned("TeamChannel", "team")


class TeamMember(Base):
    """An explicit member: a Slack user, or an email (an import) until that user turns up."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", name="uq_team_members_team_user"),
        UniqueConstraint("team_id", "email", name="uq_team_members_team_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)  # lower case
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]

    team: Mapped[Team] = relationship(back_populates="members")


class TeamWorkspace(TeamBindingColumns, Base):
    """A Slack Connect organisation (an external workspace): all its users are on the team."""

    __tablename__ = "team_workspaces"

    slack_team_id: Mapped[str] = mapped_column(String(32), unique=True)

    team: Mapped[Team] = relationship(back_populates="workspaces")


class TeamChannel(TeamBindingColumns, Base):
    """A shared channel: its members (reviewers excepted) are on the team."""

    __tablename__ = "team_channels"

    channel_id: Mapped[str] = mapped_column(String(32), unique=True)

    team: Mapped[Team] = relationship(back_populates="channels")


class TeamEvent(TrailColumns, Base):
    """The teams' audit trail: who created a team, added or removed whom, bound what."""

    __tablename__ = "team_events"
    __table_args__ = (Index("ix_team_events_team_at", "team_id", "at"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
