"""Who acts in a request from Slack (their partner teams, from the store and Slack) is worked
out once, by the team gate, and the listener takes that answer: a busy deadline day pays for it
once per click, not twice."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import listening
from bot.store.db import Store
from tests.e2e.test_launch_flow import LAUNCH, PARTNER, open_launch_form, world_on


def test_each_request_reads_the_partners_teams_once(db: Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    read_for: list[str] = []
    teams_of = listening.teams_of

    def counted(*args: Any, **kwargs: Any) -> Any:
        read_for.append(args[2])
        return teams_of(*args, **kwargs)

    monkeypatch.setattr(listening, "teams_of", counted)
    with world_on(db) as world:
        view = open_launch_form(world)  # the command, then the kind and the protocol picked
        answer = world.sender.view_submission(view, user_id=PARTNER, values=LAUNCH).json()
    assert answer["response_action"] == "errors"  # the listener ran, with the gate's answer
    assert read_for == [PARTNER] * 4
