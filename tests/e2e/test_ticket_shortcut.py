"""The message shortcut *Open a support ticket*, end to end over HTTP against the fake Slack:
the ticket form opens prefilled with the message and its link; submitted, it files a ticket
whose description keeps the link. A long message is shortened in the prefill, which says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.store.db import Store
from tests.e2e.test_launch_flow import AGENCY, PARTNER, World, eventually, text_of, world_on

CHANNEL = "C0PARTNERS"


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with world_on(db) as made:
        made.slack.add_channel(CHANNEL, name="partners")
        yield made


def posted(world: World, text: str) -> dict:
    client = WebClient(token=world.slack.bot_token, base_url=world.slack.url)
    client.chat_postMessage(channel=CHANNEL, text=text)
    return world.slack.messages_in(CHANNEL)[-1]


def shortcut_form(world: World, message: dict) -> dict:
    before = world.view_calls()
    answer = world.sender.message_shortcut("open_support_ticket", message, user_id=PARTNER,
                                           team_id=AGENCY)
    assert answer.status_code == 200
    form = world.view_of(PARTNER, before)
    assert form["callback_id"] == "ticket_form"
    return form


def initial(form: dict, block_id: str) -> str:
    block = next(b for b in form["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value", "")


def test_a_message_becomes_a_prefilled_ticket(world: World) -> None:
    message = posted(world, "SAML response rejected for benefits <!channel>\nSince 09:30 ET, "
                            "every sign-in ends on an error page.")
    form = shortcut_form(world, message)
    assert initial(form, "summary") == "SAML response rejected for benefits <!channel>"
    description = initial(form, "description")
    link = f"https://{world.slack.team_domain}.slack.com/archives/{CHANNEL}/p" \
           f"{message['ts'].replace('.', '')}"
    assert description.startswith(f"From this Slack message: {link}\n\n")
    assert description.endswith("every sign-in ends on an error page.")
    assert not world.slack.errors()

    answer = world.sender.view_submission(form, user_id=PARTNER, team_id=AGENCY, values={
        "category": "redirect problem", "environment": "production",
        "production_account_email": "pat@example.gov"}).json()
    assert answer.get("response_action") == "update", answer
    assert "ST-" in text_of(answer["view"]["blocks"])
    world.deliver()
    card = eventually(lambda: world.slack.messages_in("C0REVIEW"))[-1]
    assert link in text_of(card["blocks"]) or link in str(card)


def test_a_long_message_is_shortened_in_the_prefill_and_says_so(world: World) -> None:
    form = shortcut_form(world, posted(world, "x" * 200 + "\n" + "y" * 5000))
    assert len(initial(form, "summary")) == 150
    description = initial(form, "description")
    assert len(description) <= 3000
    assert description.endswith("(Shortened here: the whole message is at the link above.)")
