"""Every note modal (a reviewer's comment or reason, support's reply or resolution) behaves the
same when the use case refuses after it was opened: the refusal shows on the modal's field, the
typed text stays in it, nothing changes, and no ephemeral message is sent instead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.devtools.fake_slack import FakeSlack
from bot.requests import approve
from bot.slack.server import BackgroundServer
from bot.store.db import Store
from bot.tickets.use_cases import resolve_ticket
from tests.security.conftest import (
    BOT_TOKEN,
    IDP,
    REVIEW_CHANNEL,
    REVIEWER,
    REVIEWER2,
    SECRET,
    SUPPORT_CHANNEL,
    HostileSender,
    World,
    actor,
    make_world,
)


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with FakeSlack(bot_token=BOT_TOKEN, team_id=IDP) as slack:
        bot, clock = make_world(db, slack)
        with BackgroundServer(bot.wsgi) as server, \
                HostileSender(server.url, SECRET, fake=slack) as sender:
            yield World(slack, bot, sender, clock, db, server.url)


def _decided_elsewhere(world: World, kind: str) -> tuple[str, str, dict[str, Any],
                                                          Callable[[], None]]:
    """A record, the button that asks for a note on it, its message, and a change another
    reviewer makes while the note modal is open."""
    if kind == "request":
        record: Any = world.file_request()
        def decide() -> None:
            with world.store.unit_of_work() as session:
                approve(session, record.public_id, actor=actor(REVIEWER2), now=world.clock())
        return (record.public_id, "request_changes",
                world.message_about(REVIEW_CHANNEL, record.public_id), decide)
    record = world.file_ticket()
    def resolve() -> None:
        with world.store.unit_of_work() as session:
            resolve_ticket(session, record.public_id, actor=actor(REVIEWER2), now=world.clock(),
                           note="Fixed on our side.")
    return (record.public_id, "ticket_resolve",
            world.message_about(SUPPORT_CHANNEL, record.public_id), resolve)


@pytest.mark.parametrize("kind", ["request", "ticket"])
def test_a_refused_note_stays_on_the_modal(world: World, kind: str) -> None:
    public_id, button, message, decide_elsewhere = _decided_elsewhere(world, kind)
    before = world.view_calls()
    world.sender.block_action(button, user_id=REVIEWER, message=message)
    modal = world.view_of(REVIEWER, before)
    decide_elsewhere()

    answer = world.sender.view_submission(modal, user_id=REVIEWER,
                                          values={"note": "Please use the production logo."})

    body = answer.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["note"]
    assert f"{public_id} " in body["errors"]["note"] and f"by <@{REVIEWER2}>" in \
        body["errors"]["note"]
    assert not world.slack.ephemerals_to(REVIEWER)


@pytest.mark.parametrize("kind", ["request", "ticket"])
def test_an_empty_note_is_refused_on_the_modal(world: World, kind: str) -> None:
    public_id, button, message, _ = _decided_elsewhere(world, kind)
    before = world.view_calls()
    world.sender.block_action(button, user_id=REVIEWER, message=message)
    modal = world.view_of(REVIEWER, before)
    answer = world.sender.view_submission(modal, user_id=REVIEWER, values={"note": "  "})
    body = answer.json()
    assert body["response_action"] == "errors" and body["errors"]["note"].startswith("Write the")
    assert public_id in str(modal["blocks"])
