"""Reviewers manage teams: each operation changes what it says, is audited, and bad input
gets one clear line and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.store.db import Store
from bot.store.models import TeamEvent
from bot.teams import manage
from bot.teams.manage import TeamError

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def _events(db: Store) -> list[tuple[str, str]]:
    with db.reader() as s:
        return [(e.actor, e.action) for e in s.scalars(select(TeamEvent).order_by(TeamEvent.id))]


def test_create_add_bind_show(db: Store) -> None:
    with db.unit_of_work() as s:
        manage.create_team(s, "dhs-benefits", name="Benefits portal", agency="DHS",
                           actor="U0STAFF", now=NOW)
        assert manage.add_members(s, "dhs-benefits", ["U0ALICE", "Bob@Agency.gov"],
                                  actor="U0STAFF", now=NOW) == ["U0ALICE", "bob@agency.gov"]
        assert manage.add_members(s, "dhs-benefits", ["U0ALICE"], actor="U0STAFF",
                                  now=NOW) == []
        manage.bind_workspace(s, "dhs-benefits", "T0DHS", actor="U0STAFF", now=NOW)
        manage.bind_channel(s, "dhs-benefits", "C0DHS", actor="U0STAFF", now=NOW)
    with db.reader() as s:
        shown = manage.show_team(s, "dhs-benefits")
        listed = manage.list_teams(s)
    assert shown.as_dict() == {
        "slug": "dhs-benefits", "name": "Benefits portal", "agency": "DHS",
        "members": ["U0ALICE", "bob@agency.gov"], "workspaces": ["T0DHS"],
        "channels": ["C0DHS"], "integrations": [], "open_requests": [], "open_tickets": []}
    assert [t.slug for t in listed] == ["dhs-benefits"]
    assert _events(db) == [("U0STAFF", a) for a in
                           ("create", "add_members", "bind_workspace", "bind_channel")]
    with db.unit_of_work() as s:
        manage.remove_members(s, "dhs-benefits", ["U0ALICE"], actor="U0STAFF2", now=NOW)
        manage.unbind_workspace(s, "dhs-benefits", "T0DHS", actor="U0STAFF2", now=NOW)
        manage.unbind_channel(s, "dhs-benefits", "C0DHS", actor="U0STAFF2", now=NOW)
    with db.reader() as s:
        shown = manage.show_team(s, "dhs-benefits")
    assert (shown.members, shown.workspaces, shown.channels) == (["bob@agency.gov"], [], [])


@pytest.mark.parametrize(("operation", "message"), [
    (lambda s: manage.create_team(s, "Bad Slug", name="n", agency="a", actor="U0S", now=NOW),
     "'Bad Slug' is not a team slug"),
    (lambda s: manage.create_team(s, "dhs", name="n", agency="a", actor="U0S", now=NOW),
     "there is already a team 'dhs'"),
    (lambda s: manage.create_team(s, "new", name=" ", agency="a", actor="U0S", now=NOW),
     "the team's name is empty"),
    (lambda s: manage.create_team(s, "new", name="n" * 256, agency="a", actor="U0S", now=NOW),
     "the team's name is 256 characters; at most 255"),
    (lambda s: manage.add_members(s, "nope", ["U0A"], actor="U0S", now=NOW),
     "no team 'nope'"),
    (lambda s: manage.add_members(s, "dhs", ["U0A", "alice"], actor="U0S", now=NOW),
     "'alice' is not a Slack user ID"),
    (lambda s: manage.remove_members(s, "dhs", ["U0NOBODY"], actor="U0S", now=NOW),
     "U0NOBODY is not an explicit member of 'dhs'"),
    (lambda s: manage.bind_workspace(s, "dhs", "C0NOTATEAM", actor="U0S", now=NOW),
     "'C0NOTATEAM' is not a Slack workspace ID"),
    (lambda s: manage.bind_workspace(s, "va", "T0DHS", actor="U0S", now=NOW),
     "workspace T0DHS is already bound to team 'dhs'"),
    (lambda s: manage.bind_channel(s, "va", "C0DHS", actor="U0S", now=NOW),
     "channel C0DHS is already bound to team 'dhs'"),
    (lambda s: manage.unbind_channel(s, "va", "C0DHS", actor="U0S", now=NOW),
     "channel C0DHS is not bound to 'va'"),
])
def test_bad_input_is_one_line_and_changes_nothing(db: Store, operation, message) -> None:
    with db.unit_of_work() as s:
        manage.create_team(s, "dhs", name="DHS", agency="DHS", actor="U0S", now=NOW)
        manage.create_team(s, "va", name="VA", agency="VA", actor="U0S", now=NOW)
        manage.bind_workspace(s, "dhs", "T0DHS", actor="U0S", now=NOW)
        manage.bind_channel(s, "dhs", "C0DHS", actor="U0S", now=NOW)
    before = _events(db)
    with pytest.raises(TeamError) as caught, db.unit_of_work() as s:
        operation(s)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert _events(db) == before
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(TeamEvent)) == len(before)


def test_free_slug(db: Store) -> None:
    with db.unit_of_work() as s:
        assert manage.free_slug(s, "Agency Partners!") == "agency-partners"
        manage.create_team(s, "agency-partners", name="A", agency="A", actor="U0S", now=NOW)
        assert manage.free_slug(s, "Agency  partners") == "agency-partners-2"
        assert manage.free_slug(s, "42") == "t-42"
        assert manage.SLUG.fullmatch(manage.free_slug(s, "é"))


def test_moving_records_to_another_team(db: Store) -> None:
    """Splitting a team: its records go to the new team; a bad ID moves nothing."""
    from bot.calendar import DeployCalendar
    from bot.requests import submit
    from bot.store.models import Request
    from tests.partner_teams import AGENCY_TEAM, OTHER_TEAM, make_teams
    from tests.requests.conftest import LAUNCH_FILES, PARTNER, example, example_files

    make_teams(db)
    with db.unit_of_work() as s:
        filed = submit(s, example("launch-oidc.yaml"), actor=PARTNER, now=NOW,
                       calendar=DeployCalendar(), files=example_files(*LAUNCH_FILES))
    with pytest.raises(TeamError, match="there is no LR-1999"), db.unit_of_work() as s:
        manage.move_records(s, "other", [filed.public_id, "LR-1999"], actor="U0S", now=NOW)
    with pytest.raises(TeamError, match="'X-1' is not a request or ticket ID"), \
            db.unit_of_work() as s:
        manage.move_records(s, "other", ["X-1"], actor="U0S", now=NOW)
    with db.reader() as s:
        assert s.get(Request, filed.id).partner_team_id == AGENCY_TEAM
    with db.unit_of_work() as s:
        assert manage.move_records(s, "other", [filed.public_id.lower()], actor="U0S",
                                   now=NOW) == [filed.public_id]
    with db.reader() as s:
        assert s.get(Request, filed.id).partner_team_id == OTHER_TEAM
        assert manage.show_team(s, "other").open_requests == [filed.public_id]
    assert _events(db)[-1] == ("U0S", "move_records")
