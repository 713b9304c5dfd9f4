"""Faults met one at a time, over HTTP with the real app on PostgreSQL: the database going away
(its connections cut, new ones refused) while a partner submits and a reviewer decides, and
Slack failing every call from the bot's first request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import URL, func, select

from bench.slack import VALID
from bot.slack.app import SORRY
from bot.slack.team_gate import TRY_AGAIN as GATE_TRY_AGAIN
from bot.store.db import Store
from bot.store.models import AuditEvent, Request, public_id
from tests.conftest import BACKENDS
from tests.drill.plug import Plug
from tests.e2e.test_launch_flow import (
    AGENCY,
    PARTNER,
    REVIEWER,
    World,
    eventually,
    open_launch_form,
    world_on,
)

pytestmark = pytest.mark.parametrize("backend", [BACKENDS[1]], indirect=True)
ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:faults"
TRY_AGAIN = "could not store your request just now, so nothing was filed"


@pytest.fixture
def plug(db_url: URL) -> Iterator[Plug]:
    with Plug((db_url.host or "127.0.0.1", db_url.port or 5432)) as plug:
        yield plug


@pytest.fixture
def world(db_url: URL, plug: Plug) -> Iterator[World]:
    """The e2e world, its store reaching PostgreSQL through the plug."""
    store = Store.from_url(db_url.set(host="127.0.0.1", port=plug.port))
    with world_on(store) as world:
        yield world
    store.dispose()


def readyz(world: World) -> int:
    base = world.sender.url.removesuffix("/slack/events")
    return httpx.get(f"{base}/readyz", timeout=10).status_code


def requests_in(db: Store) -> list[tuple[str, str]]:
    """(public ID, state) of every request stored."""
    with db.reader() as session:
        return [(public_id(i), state) for i, state in session.execute(
            select(Request.id, Request.state).order_by(Request.id))]


def submit(world: World, view: dict[str, Any]) -> dict[str, Any]:
    response = world.sender.view_submission(view, user_id=PARTNER,
                                            values={**VALID, "issuer": ISSUER})
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def test_database_gone_the_form_says_try_again_and_the_same_form_files_once_it_is_back(
        world: World, db: Store, plug: Plug) -> None:
    view = open_launch_form(world)
    assert readyz(world) == 200

    plug.pull()
    refused = submit(world, view)
    assert refused["response_action"] == "errors"
    assert any(TRY_AGAIN in message for message in refused["errors"].values())
    assert readyz(world) == 503
    assert requests_in(db) == []  # nothing half-written

    plug.put_back()
    filed = submit(world, view)
    assert filed["response_action"] == "update" and "LR-" in str(filed["view"])
    assert readyz(world) == 200
    again = submit(world, view)  # the partner clicks once more: still one request
    assert str(again["view"]) == str(filed["view"])
    [(stored, _)] = requests_in(db)
    assert stored in str(filed["view"])


def test_database_gone_a_reviewer_is_told_and_the_next_click_decides_once(
        world: World, db: Store, plug: Plug) -> None:
    assert submit(world, open_launch_form(world))["response_action"] == "update"
    world.deliver()
    card = world.card()

    plug.pull()
    assert world.sender.block_action("approve", user_id=REVIEWER,
                                     message=card).status_code == 200
    told = eventually(lambda: world.slack.ephemerals_to(REVIEWER))
    assert [e["text"] for e in told] == [SORRY]
    plug.put_back()
    [(_, state)] = requests_in(db)
    assert state == "submitted"

    assert world.sender.block_action("approve", user_id=REVIEWER,
                                     message=card).status_code == 200
    eventually(lambda: requests_in(db)[0][1] == "approved")
    with db.reader() as session:
        approvals = session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "approve"))
    assert approvals == 1


def test_slack_failing_from_the_first_request_the_command_is_still_answered(
        world: World) -> None:
    world.slack.fail_for(60, status=(429, 500))
    answered = world.sender.slash_command("/launch-request", user_id=PARTNER, team_id=AGENCY)
    # Answered at once, not "please install this app" because auth.test failed; Slack cannot
    # say which partner team the partner is on, so they are asked to try again (never given
    # the workspace's view) and nothing opens.
    assert answered.status_code == 200
    assert answered.json() == {"response_type": "ephemeral", "text": GATE_TRY_AGAIN}
    assert not world.slack.calls_to("views.open")
    assert not [c for c in world.slack.calls if c.ok]

    world.slack.reset()  # Slack is back (and forgets the failed calls)
    assert open_launch_form(world)["callback_id"] == "request_form"
