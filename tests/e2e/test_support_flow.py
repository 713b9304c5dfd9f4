"""Support tickets end to end over HTTP: the real Bolt app served by waitress, real signed
requests, the fake Slack Web API, and the store on SQLite (and PostgreSQL when
TEST_DATABASE_URL is set).

A partner files a ticket (a field error first: no production account email), support claims
it, replies, waits on the partner, the partner answers from the DM, support resolves it. The
card (updated in place) and the DMs are checked at each step; an urgent ticket alerts the
reviewer group; another team's partner can neither read nor answer the ticket."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Settings
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.rules.support import URGENT_CATEGORY
from bot.slack.server import BackgroundServer, assemble
from bot.store.db import Store
from bot.store.models import OutboxMessage, OutboxStatus, Ticket, TicketAttachment
from bot.teams.manage import add_members
from bot.tickets.queries import ticket_trail
from tests.e2e.test_launch_flow import (
    AGENCY,
    IDP,
    NOW,
    OTHER_AGENCY,
    OTHER_PARTNER,
    PARTNER,
    REVIEWER,
    SECRET,
    World,
    eventually,
    text_of,
)
from tests.partner_teams import OTHER_TEAM, make_teams

SUPPORT_CHANNEL = "C0SUPPORT"
GROUP = "S0REVIEWERS"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TICKET = {
    "category": "redirect problem",
    "environment": "production",
    "issuer": "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits",
    "summary": "Redirect fails after sign-in <!channel>",  # shown as text, pings no one
    "description": "Users land on an error page instead of /auth/result.",
    "started": "2026-11-24 09:30 ET",
    "ongoing": ["true"],
    "browser": "Firefox 132",
    "steps_to_reproduce": "1. Open https://benefits.example.gov\n2. Sign in",
    "technical_contact": "Sam Roe - Eng - sam.roe@example.gov - 555",
    "attachments": ["F0SHOT"],
}


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with FakeSlack() as slack:
        slack.add_user(PARTNER, name="pat", team_id=AGENCY)
        slack.add_user(OTHER_PARTNER, name="oli", team_id=OTHER_AGENCY)
        slack.add_user(REVIEWER, name="rae", team_id=IDP)
        slack.add_usergroup(GROUP, [REVIEWER])
        slack.add_file("F0SHOT", "error-page.png", PNG)
        settings = Settings(slack_bot_token=SecretStr(slack.bot_token),
                            slack_signing_secret=SecretStr(SECRET), slack_api_url=slack.url,
                            review_channel="C0REVIEW", support_channel=SUPPORT_CHANNEL,
                            reviewer_group=GROUP)
        make_teams(db, agency_workspace=AGENCY, other_workspace=OTHER_AGENCY)
        bot = assemble(settings, db, clock=lambda: NOW)
        with BackgroundServer(bot.wsgi) as server, \
                SignedSender(server.url, SECRET, fake=slack) as sender:
            yield World(slack, bot, sender)


def card(world: World) -> dict[str, Any]:
    return eventually(lambda: world.slack.messages_in(SUPPORT_CHANNEL))[-1]


def until(world: World, done: Callable[[], bool]) -> None:
    """Listeners go on after the HTTP answer: relay what they wrote until `done`."""
    def probe() -> bool:
        world.deliver()
        return done()
    eventually(probe)


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


def open_ticket_form(world: World, user: str = PARTNER, team: str = AGENCY) -> dict[str, Any]:
    before = world.view_calls()
    assert world.sender.slash_command("/support-ticket", user_id=user,
                                      team_id=team).status_code == 200
    view = world.view_of(user, before)
    assert view["callback_id"] == "ticket_form"
    return view


def file(world: World, values: dict[str, Any], user: str = PARTNER) -> dict[str, Any]:
    view = open_ticket_form(world, user)
    answer = world.sender.view_submission(view, user_id=user, values=values).json()
    assert answer["response_action"] == "update", answer
    return answer["view"]


def note(world: World, action: str, message: dict[str, Any], user: str, team: str,
         text: str) -> None:
    """Click a button that asks for text, then send the text."""
    before = world.view_calls()
    world.sender.block_action(action, user_id=user, message=message, team_id=team)
    modal = world.view_of(user, before)
    answer = world.sender.view_submission(modal, user_id=user, values={"note": text})
    assert answer.status_code == 200 and not answer.content, answer.text


def test_ticket_from_form_to_resolution(world: World, db: Store) -> None:
    slack, sender = world.slack, world.sender

    # 1. No production account email: an error on that field, nothing filed.
    view = open_ticket_form(world)
    hints = text_of(view["blocks"])
    assert "what you expected and what happened" in hints and "separate" in hints
    answer = sender.view_submission(view, user_id=PARTNER, values=TICKET).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"production_account_email"}
    assert "SUP-PROD-ACCOUNT" in answer["errors"]["production_account_email"]
    assert "dashboard account" in answer["errors"]["production_account_email"]
    assert not slack.messages_in(SUPPORT_CHANNEL)

    # 2. Fixed: filed, with its attachment fetched and stored.
    answer = sender.view_submission(view, user_id=PARTNER, values={
        **TICKET, "production_account_email": "pat.doe@example.gov"}).json()
    assert answer["response_action"] == "update", answer
    assert "ST-1001" in text_of(answer["view"]["blocks"])
    world.deliver()
    posted = card(world)
    shown = text_of(posted["blocks"])
    assert "ST-1001" in shown and "redirect problem" in shown and "error-page.png" in shown
    assert "pat.doe@example.gov" in shown and "still happening" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "URGENT" not in shown and "subteam" not in shown
    assert buttons(posted) == ["ticket_claim", "ticket_reply", "ticket_waiting",
                               "ticket_resolve"]
    assert "ST-1001" in slack.dms_to(PARTNER)[-1]["text"]
    with db.reader() as s:
        stored = s.scalars(select(TicketAttachment)).one()
        assert (stored.name, stored.content) == ("error-page.png", PNG)

    # 3. A partner cannot claim; support claims it: the card changes in place.
    sender.block_action("ticket_claim", user_id=PARTNER, message=posted, team_id=AGENCY)
    refusal = eventually(lambda: slack.ephemerals_to(PARTNER))[-1]
    assert "Only the support team can claim tickets" in refusal["text"]
    sender.block_action("ticket_claim", user_id=REVIEWER, message=posted, team_id=IDP)
    until(world, lambda: "In progress* · with <@U0REVIEW>" in text_of(card(world)["blocks"]))
    assert len(slack.messages_in(SUPPORT_CHANNEL)) == 1 and slack.calls_to("chat.update")
    assert buttons(card(world)) == ["ticket_reply", "ticket_waiting", "ticket_resolve"]
    assert "<@U0REVIEW> from the support team is working on" in slack.dms_to(PARTNER)[-1][
        "text"]

    # 4. Support replies (an empty reply is refused on the field): DMed with an Answer button.
    before = world.view_calls()
    sender.block_action("ticket_reply", user_id=REVIEWER, message=card(world), team_id=IDP)
    modal = world.view_of(REVIEWER, before)
    assert modal["callback_id"] == "ticket_reply"
    empty = sender.view_submission(modal, user_id=REVIEWER, values={"note": ""}).json()
    assert empty["response_action"] == "errors"
    sender.view_submission(modal, user_id=REVIEWER,
                           values={"note": "Which redirect URI? Ask <@U0BOSS> if unsure."})
    until(world, lambda: "Which redirect URI?" in slack.dms_to(PARTNER)[-1]["text"])
    dm = slack.dms_to(PARTNER)[-1]
    assert "&lt;@U0BOSS&gt;" in dm["text"] and "<@U0BOSS>" not in dm["text"]
    assert buttons(dm) == ["ticket_answer"]
    assert "Which redirect URI?" in text_of(card(world)["blocks"])

    # 5. Waiting on the partner; the partner answers from the DM.
    sender.block_action("ticket_waiting", user_id=REVIEWER, message=card(world), team_id=IDP)
    until(world, lambda: "Waiting on the partner" in text_of(card(world)["blocks"]))
    assert "waiting on you" in slack.dms_to(PARTNER)[-1]["text"]
    note(world, "ticket_answer", dm, PARTNER, AGENCY,
         "https://benefits.example.gov/auth/result <!here>")
    until(world, lambda: "In progress* · with" in text_of(card(world)["blocks"]))
    shown = text_of(card(world)["blocks"])
    assert "auth/result &lt;!here&gt;" in shown and "(partner)" in shown
    staff_dm = eventually(lambda: slack.dms_to(REVIEWER))[-1]
    assert "answered on *ST-1001*" in staff_dm["text"]
    status = sender.slash_command("/support-ticket", "status ST-1001", user_id=PARTNER,
                                  team_id=AGENCY).text
    assert "ST-1001" in status and "In progress" in status and "auth/result" in status

    # 6. Resolved with a note: the card keeps no buttons, the partner gets the note.
    note(world, "ticket_resolve", card(world), REVIEWER, IDP,
         "The redirect URI was missing from production; deployed.")
    until(world, lambda: "Resolved* by <@U0REVIEW>" in text_of(card(world)["blocks"]))
    assert buttons(card(world)) == []
    assert "redirect URI was missing" in slack.dms_to(PARTNER)[-1]["text"]
    assert len(slack.messages_in(SUPPORT_CHANNEL)) == 1

    # A late click on the old card is told who resolved it.
    sender.block_action("ticket_claim", user_id=REVIEWER, message=posted, team_id=IDP)
    late = eventually(lambda: slack.ephemerals_to(REVIEWER))[-1]
    assert "already resolved by <@U0REVIEW>" in late["text"]

    with db.reader() as s:
        assert [e.action for e in ticket_trail(s, 1)] == [
            "file", "claim", "reply", "wait_on_partner", "answer", "resolve"]
        assert not s.scalars(select(OutboxMessage).where(
            OutboxMessage.status != OutboxStatus.sent.value)).all()
    assert not [c for c in slack.errors() if c.method != "response_action"]


def test_an_urgent_ticket_says_so_and_alerts_the_reviewer_group(world: World) -> None:
    done = file(world, {**TICKET, "category": URGENT_CATEGORY, "attachments": [],
                        "production_account_email": "pat.doe@example.gov"})
    assert "urgent" in text_of(done["blocks"])
    world.deliver()
    posted = card(world)
    first = text_of(posted["blocks"][0])
    assert "URGENT" in first and f"<!subteam^{GROUP}>" in first
    assert f"<!subteam^{GROUP}>" in posted["text"]
    # The mention is the bot's own: the partner's text around it stays escaped.
    assert "&lt;!channel&gt;" in text_of(posted["blocks"])


def test_another_team_cannot_read_or_answer_a_ticket(world: World) -> None:
    file(world, {**TICKET, "attachments": [], "production_account_email": "pat@example.gov"})
    sender, slack = world.sender, world.slack
    theirs = sender.slash_command("/support-ticket", "status ST-1001", user_id=OTHER_PARTNER,
                                  team_id=OTHER_AGENCY).text
    assert "can't find ST-1001" in theirs and "Redirect" not in theirs
    listed = sender.slash_command("/support-ticket", "list", user_id=OTHER_PARTNER,
                                  team_id=OTHER_AGENCY).text
    assert "no support tickets" in listed
    mine = sender.slash_command("/support-ticket", "list", user_id=PARTNER,
                                team_id=AGENCY).text
    assert "ST-1001" in mine
    # A reply DM's Answer button clicked by someone of another team: refused, nothing opens.
    world.deliver()
    sender.block_action("ticket_claim", user_id=REVIEWER, message=card(world), team_id=IDP)
    note(world, "ticket_reply", card(world), REVIEWER, IDP, "Which URI?")
    until(world, lambda: "Which URI?" in slack.dms_to(PARTNER)[-1]["text"])
    before = len(slack.calls_to("views.open"))
    sender.block_action("ticket_answer", user_id=OTHER_PARTNER,
                        message=slack.dms_to(PARTNER)[-1], team_id=OTHER_AGENCY)
    refused = eventually(lambda: slack.ephemerals_to(OTHER_PARTNER))[-1]
    assert "can't find ST-1001" in refused["text"]
    assert len(slack.calls_to("views.open")) == before
    assert "help" in sender.slash_command("/support-ticket", "help", user_id=PARTNER).text


def test_double_submit_files_one_ticket(world: World) -> None:
    view = open_ticket_form(world)
    values = {**TICKET, "production_account_email": "pat@example.gov"}
    first = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    again = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    assert "ST-1001" in text_of(first["view"]) and "ST-1001" in text_of(again["view"])
    world.deliver()
    assert len(world.slack.messages_in(SUPPORT_CHANNEL)) == 1


def test_app_home_lists_open_tickets_beside_requests(world: World) -> None:
    file(world, {**TICKET, "attachments": [], "production_account_email": "pat@example.gov"})
    world.sender.app_home_opened(PARTNER)
    home = text_of(eventually(lambda: world.slack.home_view(PARTNER))["blocks"])
    assert "Your team's requests" in home and "ST-1001" in home
    assert "Open support tickets" not in home
    world.sender.app_home_opened(REVIEWER)
    queue = text_of(eventually(lambda: world.slack.home_view(REVIEWER))["blocks"])
    assert "Open support tickets* (1" in queue and "unclaimed" in queue


def test_someone_on_two_teams_picks_the_team_of_a_ticket(world: World, db: Store) -> None:
    with db.unit_of_work() as session:
        add_members(session, "other", [PARTNER], actor="U0SETUP", now=NOW)
    view = open_ticket_form(world)
    picker = next(b for b in view["blocks"] if b.get("block_id") == "partner_team")
    assert [o["value"] for o in picker["element"]["options"]] == ["1", "2"]
    values = {**TICKET, "production_account_email": "pat.doe@example.gov"}
    unpicked = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    assert unpicked["errors"] == {"partner_team": "Pick the partner team this ticket is for."}
    assert world.sender.view_submission(view, user_id=PARTNER, values={
        **values, "partner_team": "2"}).json()["response_action"] == "update"
    with db.reader() as session:
        assert session.scalars(select(Ticket.partner_team_id)).all() == [OTHER_TEAM]
    assert "ST-1001" in world.sender.slash_command("/support-ticket", "status ST-1001",
                                                   user_id=OTHER_PARTNER,
                                                   team_id=OTHER_AGENCY).text
