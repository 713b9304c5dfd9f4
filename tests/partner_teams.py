"""Partner teams for the tests' worlds: the agency's team and another agency's, made in a
migrated, empty store (so their IDs are 1 and 2), optionally bound to Slack workspaces.
Calling it again only adds the bindings."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.db import Store
from bot.teams import manage
from bot.teams.manage import TeamError

AGENCY_TEAM, OTHER_TEAM = 1, 2
SET_UP = datetime(2026, 10, 1, tzinfo=UTC)


def make_teams(store: Store, *, agency_workspace: str | None = None,
               other_workspace: str | None = None) -> None:
    with store.unit_of_work() as s:
        for slug, workspace, expected in (("agency", agency_workspace, AGENCY_TEAM),
                                          ("other", other_workspace, OTHER_TEAM)):
            try:
                team = manage.team_by_slug(s, slug)
            except TeamError:
                team = manage.create_team(s, slug, name=f"{slug.title()} team",
                                          agency=slug.upper(), actor="U0SETUP", now=SET_UP)
            assert team.id == expected
            if workspace and workspace not in {w.slack_team_id for w in team.workspaces}:
                manage.bind_workspace(s, slug, workspace, actor="U0SETUP", now=SET_UP)
