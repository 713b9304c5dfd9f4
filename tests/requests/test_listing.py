"""A team's request list: newest first, only the teams' own, at most the limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.calendar import DeployCalendar
from bot.requests import Actor, submit, team_requests
from bot.store.db import Store
from tests.partner_teams import AGENCY_TEAM, OTHER_TEAM

from .conftest import LAUNCH_FILES, NOW, PARTNER, STRANGER, example_files


def _file(db: Store, cal: DeployCalendar, data: dict[str, Any], who: Actor, n: int) -> int:
    with db.unit_of_work() as s:
        return submit(s, {**data, "issuer": f"{data['issuer']}-{n}"}, actor=who,
                      now=NOW + timedelta(minutes=n), calendar=cal,
                      files=example_files(*LAUNCH_FILES)).id


def test_a_member_of_two_teams_sees_both_lists_merged_newest_first(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any]) -> None:
    agency = [_file(db, cal, launch_data, PARTNER, n) for n in (1, 3, 4)]
    other = [_file(db, cal, launch_data, STRANGER, n) for n in (2, 5)]
    both = Actor(user_id="U0BOTH", team_id="T0AGENCY",
                 teams=frozenset({AGENCY_TEAM, OTHER_TEAM}))
    with db.reader() as s:
        mine = team_requests(s, actor=PARTNER)
        theirs = team_requests(s, actor=STRANGER)
        merged = team_requests(s, actor=both)
        newest = team_requests(s, actor=both, limit=3)
        nobody = team_requests(s, actor=Actor(user_id="U0NEW", team_id="T0NEW"))
    assert [r.id for r in mine] == agency[::-1]
    assert [r.id for r in theirs] == other[::-1]
    assert [r.id for r in merged] == [other[1], agency[2], agency[1], other[0], agency[0]]
    assert [r.id for r in newest] == [other[1], agency[2], agency[1]]
    assert nobody == []
    assert merged[0].friendly_name == launch_data["friendly_name"]  # the whole snapshot
