"""Which teams a user is on: explicit membership, a bound Slack Connect organisation (a team of
its own on first use), a bound shared channel; Slack failing refuses rather than guesses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.store.db import Store
from bot.store.models import Team, TeamMember
from bot.teams import manage
from bot.teams.membership import Person, Unavailable, teams_of

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
HOST = "T0IDP"


@dataclass
class Directory:
    people: dict[str, Person] = field(default_factory=dict)
    channels: dict[str, frozenset[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    down: bool = False
    channel_calls: int = 0

    def host_team(self) -> str:
        return HOST

    def person(self, user_id: str) -> Person:
        if self.down:
            raise Unavailable("users.info failed")
        return self.people[user_id]

    def workspace_name(self, team_id: str) -> str:
        if self.down or team_id not in self.names:
            raise Unavailable("team.info failed")
        return self.names[team_id]

    def channel_members(self, channel_id: str) -> frozenset[str]:
        self.channel_calls += 1
        if self.down:
            raise Unavailable("conversations.members failed")
        return self.channels.get(channel_id, frozenset())


def _team(db: Store, slug: str) -> int:
    with db.unit_of_work() as s:
        return manage.create_team(s, slug, name=slug.upper(), agency=slug, actor="U0S",
                                  now=NOW).id


def test_guests_of_the_host_workspace_by_explicit_membership(db: Store) -> None:
    dhs, va = _team(db, "dhs"), _team(db, "va")
    with db.unit_of_work() as s:
        manage.add_members(s, "dhs", ["U0ALICE"], actor="U0S", now=NOW)
        manage.add_members(s, "va", ["U0BOB"], actor="U0S", now=NOW)
    d = Directory(people={u: Person(u, HOST) for u in ("U0ALICE", "U0BOB", "U0CAROL")})
    assert teams_of(db, d, "U0ALICE", is_reviewer=False, now=NOW) == {dhs}
    assert teams_of(db, d, "U0BOB", is_reviewer=False, now=NOW) == {va}
    # a host user on no team gets none (no team made for the host workspace)
    assert teams_of(db, d, "U0CAROL", is_reviewer=False, now=NOW) == frozenset()
    with db.reader() as s:
        assert len(s.scalars(select(Team)).all()) == 2


def test_slack_connect_user_is_placed_by_their_org(db: Store) -> None:
    dhs = _team(db, "dhs")
    with db.unit_of_work() as s:
        manage.bind_workspace(s, "dhs", "T0DHS", actor="U0S", now=NOW)
    d = Directory(people={"U0ALICE": Person("U0ALICE", "T0DHS"),
                          "U0ZED": Person("U0ZED", "T0ACME"),
                          "U0ZOE": Person("U0ZOE", "T0ACME")},
                  names={"T0ACME": "Acme Contractors"})
    assert teams_of(db, d, "U0ALICE", is_reviewer=False, now=NOW) == {dhs}
    # an unbound external workspace: a team of its own, made once, named from team.info
    acme = teams_of(db, d, "U0ZED", is_reviewer=False, now=NOW)
    assert teams_of(db, d, "U0ZOE", is_reviewer=False, now=NOW) == acme
    with db.reader() as s:
        team = s.get(Team, next(iter(acme)))
        assert (team.slug, team.name) == ("acme-contractors", "Acme Contractors")
        assert [w.slack_team_id for w in team.workspaces] == ["T0ACME"]


def test_channel_binding_places_a_guest_but_not_a_reviewer(db: Store) -> None:
    dhs = _team(db, "dhs")
    with db.unit_of_work() as s:
        manage.bind_channel(s, "dhs", "C0DHS", actor="U0S", now=NOW)
    d = Directory(people={u: Person(u, HOST) for u in ("U0GUEST", "U0STAFF", "U0OUT")},
                  channels={"C0DHS": frozenset({"U0GUEST", "U0STAFF"})})
    assert teams_of(db, d, "U0GUEST", is_reviewer=False, now=NOW) == {dhs}
    assert teams_of(db, d, "U0STAFF", is_reviewer=True, now=NOW) == frozenset()
    assert teams_of(db, d, "U0OUT", is_reviewer=False, now=NOW) == frozenset()


def test_a_user_on_two_teams(db: Store) -> None:
    dhs, va = _team(db, "dhs"), _team(db, "va")
    with db.unit_of_work() as s:
        manage.add_members(s, "dhs", ["U0CONTRACTOR"], actor="U0S", now=NOW)
        manage.bind_channel(s, "va", "C0VA", actor="U0S", now=NOW)
    d = Directory(people={"U0CONTRACTOR": Person("U0CONTRACTOR", HOST)},
                  channels={"C0VA": frozenset({"U0CONTRACTOR"})})
    assert teams_of(db, d, "U0CONTRACTOR", is_reviewer=False, now=NOW) == {dhs, va}


def test_imported_email_becomes_the_user_on_first_use(db: Store) -> None:
    dhs = _team(db, "dhs")
    with db.unit_of_work() as s:
        manage.add_members(s, "dhs", ["pat@dhs.gov"], actor="import", now=NOW)
    d = Directory(people={"U0PAT": Person("U0PAT", HOST, "Pat@DHS.gov")})
    assert teams_of(db, d, "U0PAT", is_reviewer=False, now=NOW) == {dhs}
    with db.reader() as s:
        member = s.scalars(select(TeamMember)).one()
        assert (member.user_id, member.email) == ("U0PAT", "pat@dhs.gov")


def test_slack_failing_refuses_instead_of_guessing(db: Store) -> None:
    _team(db, "dhs")
    with db.unit_of_work() as s:
        manage.bind_channel(s, "dhs", "C0DHS", actor="U0S", now=NOW)
    d = Directory(people={"U0ZED": Person("U0ZED", "T0ACME")})
    d.down = True
    with pytest.raises(Unavailable):
        teams_of(db, d, "U0ZED", is_reviewer=False, now=NOW)
    d.down = False  # team.info fails for an unknown workspace: no team is made
    with pytest.raises(Unavailable):
        teams_of(db, d, "U0ZED", is_reviewer=False, now=NOW)
    with db.reader() as s:
        assert [t.slug for t in s.scalars(select(Team))] == ["dhs"]
