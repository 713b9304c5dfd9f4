"""End to end over HTTP: the real Bolt app served by waitress, real signed requests, the fake
Slack Web API, and the store on SQLite (and PostgreSQL when TEST_DATABASE_URL is set).

A partner files a launch request with uploads, gets field errors, fixes them, sees warnings,
submits; a reviewer requests changes; the partner reopens the form and resubmits; a reviewer
approves. The card (updated in place) and the DMs are checked at each step."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import Settings
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender, Signing
from bot.devtools.view_inputs import option_labelled
from bot.slack.server import BackgroundServer, Bot, assemble
from bot.store.db import Store
from bot.store.models import Request
from bot.teams.manage import add_members
from tests.partner_teams import AGENCY_TEAM, OTHER_TEAM, make_teams

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "e2e-signing-secret-0123456789abcdef"
PARTNER, OTHER_PARTNER, REVIEWER = "U0PARTNER", "U0OTHER", "U0REVIEW"
AGENCY, OTHER_AGENCY, IDP = "T0AGENCY", "T0OTHER", "T0IDP"
REVIEW_CHANNEL = "C0REVIEW"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday; two weeks out is Dec 10
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float = 5.0) -> T:
    """Listeners go on after the HTTP answer: wait for what they do."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


@dataclass
class World:
    slack: FakeSlack
    bot: Bot
    sender: SignedSender

    def deliver(self) -> None:
        """Run the outbox relay until nothing is due (what its thread does in production)."""
        while self.bot.relay.run_once():
            pass

    def view_of(self, user: str, after: int = 0) -> dict[str, Any]:
        """The user's modal once Slack has seen more than `after` view calls."""
        eventually(lambda: len([c for c in self.slack.calls if c.method.startswith("views.")
                                and c.ok]) > after)
        return eventually(lambda: self.slack.last_view(user, type="modal"))

    def view_calls(self) -> int:
        return len([c for c in self.slack.calls if c.method.startswith("views.") and c.ok])

    def card(self) -> dict[str, Any]:
        return eventually(lambda: self.slack.messages_in(REVIEW_CHANNEL))[-1]


def text_of(blocks: Any) -> str:
    if isinstance(blocks, dict):
        return " ".join(text_of(v) for v in blocks.values())
    if isinstance(blocks, list):
        return " ".join(text_of(v) for v in blocks)
    return blocks if isinstance(blocks, str) else ""


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with world_on(db) as world:
        yield world


@contextmanager
def world_on(db: Store) -> Iterator[World]:
    """The bot on `db`, served over HTTP, with the fake Slack and a signed sender."""
    with FakeSlack() as slack:
        slack.add_user(PARTNER, name="pat", team_id=AGENCY)
        slack.add_user(OTHER_PARTNER, name="oli", team_id=OTHER_AGENCY)
        slack.add_user(REVIEWER, name="rae", team_id=IDP)
        slack.add_usergroup("S0REVIEWERS", [REVIEWER])
        slack.add_file("F0LOGO", "benefits-logo.svg",
                       (EXAMPLES / "benefits-logo.svg").read_bytes())
        slack.add_file("F0CERT", "benefits-cert.pem",
                       (EXAMPLES / "benefits-cert.pem").read_bytes())
        settings = Settings(slack_bot_token=SecretStr(slack.bot_token),
                            slack_signing_secret=SecretStr(SECRET), slack_api_url=slack.url,
                            review_channel=REVIEW_CHANNEL, reviewer_group="S0REVIEWERS")
        make_teams(db, agency_workspace=AGENCY, other_workspace=OTHER_AGENCY)
        bot = assemble(settings, db, clock=lambda: NOW)
        with BackgroundServer(bot.wsgi) as server, \
                SignedSender(server.url, SECRET, fake=slack) as sender:
            yield World(slack, bot, sender)


LAUNCH = {
    "app_name": "Benefits Portal Prod",  # APP-NAME-ENV: fixed below
    "friendly_name": "Benefits Portal <!channel>",  # shown as text, pings no one
    "agency": "Department of Examples",
    "ial": "1", "default_aal": "1",
    "attribute_bundle": ["email", "verified_at"],
    "issuer": "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits",
    "logo": ["F0LOGO"], "certificates": ["F0CERT"],
    "redirect_uris": "https://benefits.example.gov/auth/result\nhttps://localhost/cb",
    "help_text.sign_in": "blank", "help_text.sign_up": "first_time",
    "help_text.forgot_password": "troubleshoot_html",
    "application_url": "https://benefits.example.gov/", "audience": "general_public",
    "estimated_annual_registrations": "120000",
    "contacts.program": "Pat Doe - PM - pat.doe@example.gov - 555",
    "contacts.technical": "Sam Roe - Eng - sam.roe@example.gov - 555",
    "attestations": ["iaa_lists_integration", "production_app_created", "ato_environment",
                     "logo_approved"],
}


def open_launch_form(world: World) -> dict[str, Any]:
    sender, slack = world.sender, world.slack
    before = world.view_calls()
    assert sender.slash_command("/launch-request", user_id=PARTNER,
                                team_id=AGENCY).status_code == 200
    view = world.view_of(PARTNER, before)
    assert view["callback_id"] == "request_form"
    before = world.view_calls()
    sender.block_action("pick_kind", user_id=PARTNER, view=view, value="launch")
    view = world.view_of(PARTNER, before)
    before = world.view_calls()
    sender.block_action("pick_protocol", user_id=PARTNER, view=view,
                        value="oidc_private_key_jwt", values={"app_name": "typed before"})
    view = world.view_of(PARTNER, before)
    typed = next(b for b in view["blocks"] if b.get("block_id") == "app_name")
    assert typed["element"]["initial_value"] == "typed before"  # reshaping keeps what was typed
    assert not slack.errors()
    return view


def test_launch_request_from_form_to_approval(world: World) -> None:
    slack, sender = world.slack, world.sender
    view = open_launch_form(world)

    # 1. Field errors, each on its own input; nothing is filed.
    answer = sender.view_submission(view, user_id=PARTNER, values=LAUNCH).json()
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert "APP-NAME-ENV" in errors["app_name"]
    assert "URL-LOCAL" in errors["redirect_uris"]
    assert "IAA-REQUIRED" in errors["iaa_number"]
    assert not slack.messages_in(REVIEW_CHANNEL)

    # 2. Fixed, but with a warning (AAL 1 at IAL 2 is allowed with a warning): shown once.
    fixed = {**LAUNCH, "app_name": "DHS Benefits Portal", "iaa_number": "ABC123-0001-0000",
             "redirect_uris": "https://benefits.example.gov/auth/result"}
    answer = sender.view_submission(view, user_id=PARTNER, values=fixed).json()
    assert answer["response_action"] == "update"
    warned = answer["view"]
    assert "IAA-FORMAT-TYPICAL" in text_of(warned["blocks"])
    assert warned["submit"]["text"] == "Submit anyway"

    # 3. Submit anyway: filed. Uploads made before the warning are still there.
    answer = sender.view_submission({**warned, "id": view["id"]}, user_id=PARTNER,
                                    values={**fixed, "logo": [], "certificates": []}).json()
    assert answer["response_action"] == "update", answer
    done = text_of(answer["view"]["blocks"])
    assert "LR-1001" in done and "Thursday, December 10, 2026" in done
    assert "made the cutoff of Thursday, November 26, 2026" in done

    world.deliver()
    card = world.card()
    card_text = text_of(card["blocks"])
    assert "LR-1001" in card_text and "benefits-logo.svg" in card_text
    assert "expires 2029-05-31" in card_text
    assert "<!channel>" not in card_text and "&lt;!channel&gt;" in card_text
    assert [e["action_id"] for b in card["blocks"] if b["type"] == "actions"
            for e in b["elements"]] == ["approve", "request_changes", "reject"]
    dm = slack.dms_to(PARTNER)[-1]
    assert "LR-1001" in dm["text"] and "December 10, 2026" in dm["text"]
    assert "IAA-FORMAT-TYPICAL" in dm["text"]

    # 4. The partner cannot approve; the reviewer requests changes with a comment.
    sender.block_action("approve", user_id=PARTNER, message=card, team_id=AGENCY)
    refusal = eventually(lambda: slack.ephemerals_to(PARTNER))[-1]
    assert "Only reviewers can approve" in refusal["text"]
    before = world.view_calls()
    sender.block_action("request_changes", user_id=REVIEWER, message=card, team_id=IDP)
    note = world.view_of(REVIEWER, before)
    assert note["callback_id"] == "changes_comment"
    empty = sender.view_submission(note, user_id=REVIEWER, values={"note": ""}).json()
    assert empty["response_action"] == "errors"
    sender.view_submission(note, user_id=REVIEWER,
                           values={"note": "Use the <@U0BOSS> production IAA number."})
    eventually(lambda: world.bot.relay.run_once() or
               "Changes requested" in text_of(world.card()["blocks"]))
    world.deliver()
    card = world.card()
    assert "Changes requested* by <@U0REVIEW>" in text_of(card["blocks"])
    assert len(slack.messages_in(REVIEW_CHANNEL)) == 1  # updated in place, not reposted
    assert slack.calls_to("chat.update")
    dm = slack.dms_to(PARTNER)[-1]
    assert "&lt;@U0BOSS&gt;" in dm["text"] and "<@U0BOSS>" not in dm["text"]

    # 5. The partner reopens the form (prefilled) and resubmits.
    before = world.view_calls()
    sender.block_action("reopen", user_id=PARTNER, message=dm, team_id=AGENCY)
    reopened = world.view_of(PARTNER, before)
    app_name = next(b for b in reopened["blocks"] if b.get("block_id") == "app_name")
    assert app_name["element"]["initial_value"] == "DHS Benefits Portal"
    assert "Asked for" in text_of(reopened["blocks"])
    answer = sender.view_submission(reopened, user_id=PARTNER,
                                    values={"iaa_number": "LGABCFY210001-0001-0000"}).json()
    assert answer["response_action"] == "update", answer
    world.deliver()
    assert "Submitted, waiting for review" in text_of(world.card()["blocks"])

    # 6. The reviewer approves; a second click is told who approved.
    card = world.card()
    sender.block_action("approve", user_id=REVIEWER, message=card, team_id=IDP)
    eventually(lambda: world.bot.relay.run_once() or
               "Approved* by <@U0REVIEW>" in text_of(world.card()["blocks"]))
    world.deliver()
    card = world.card()
    assert not [b for b in card["blocks"] if b["type"] == "actions"]
    assert "approved by <@U0REVIEW>" in slack.dms_to(PARTNER)[-1]["text"]
    sender.block_action("approve", user_id=REVIEWER, message=dict(card, blocks=eventually(
        lambda: [m for m in slack.calls_to("chat.postMessage")
                 if m.params.get("channel") == REVIEW_CHANNEL])[0].params["blocks"]),
        team_id=IDP)
    late = eventually(lambda: slack.ephemerals_to(REVIEWER))[-1]
    assert "already approved by <@U0REVIEW>" in late["text"]
    assert not [c for c in slack.errors() if c.method != "response_action"]


def test_slash_subcommands_and_another_teams_request(world: World) -> None:
    view = open_launch_form(world)
    values = {**LAUNCH, "app_name": "DHS Benefits Portal",
              "iaa_number": "LGABCFY210001-0001-0000",
              "redirect_uris": "https://benefits.example.gov/auth/result"}
    answer = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    assert answer["response_action"] == "update"
    mine = world.sender.slash_command("/launch-request", "status LR-1001", user_id=PARTNER,
                                      team_id=AGENCY)
    assert "LR-1001" in mine.text and "Submitted" in mine.text
    theirs = world.sender.slash_command("/launch-request", "status LR-1001",
                                        user_id=OTHER_PARTNER, team_id=OTHER_AGENCY)
    assert "can't find LR-1001" in theirs.text
    refused = world.sender.slash_command("/launch-request", "withdraw LR-1001",
                                         user_id=OTHER_PARTNER, team_id=OTHER_AGENCY)
    assert "can't find LR-1001" in refused.text
    withdrawn = world.sender.slash_command("/launch-request", "withdraw LR-1001",
                                           user_id=PARTNER, team_id=AGENCY)
    assert "withdrawn" in withdrawn.text
    assert "`/launch-request list`" in world.sender.slash_command(
        "/launch-request", "help", user_id=PARTNER).text


def test_double_submit_files_one_request(world: World) -> None:
    view = open_launch_form(world)
    values = {**LAUNCH, "app_name": "DHS Benefits Portal",
              "iaa_number": "LGABCFY210001-0001-0000",
              "redirect_uris": "https://benefits.example.gov/auth/result"}
    first = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    again = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    assert "LR-1001" in text_of(first["view"]) and "LR-1001" in text_of(again["view"])
    world.deliver()
    assert len(world.slack.messages_in(REVIEW_CHANNEL)) == 1


def test_forged_and_stale_signatures_reach_no_listener(world: World) -> None:
    for signing in (Signing.FORGED, Signing.REPLAYED, Signing.MISSING):
        response = world.sender.slash_command("/launch-request", user_id=PARTNER,
                                              signing=signing)
        assert response.status_code == 401
    assert not world.slack.calls_to("views.open")


def test_app_home_shows_requests_and_the_reviewer_queue(world: World) -> None:
    view = open_launch_form(world)
    values = {**LAUNCH, "app_name": "DHS Benefits Portal",
              "iaa_number": "LGABCFY210001-0001-0000",
              "redirect_uris": "https://benefits.example.gov/auth/result"}
    world.sender.view_submission(view, user_id=PARTNER, values=values)
    world.sender.app_home_opened(PARTNER)
    home = text_of(eventually(lambda: world.slack.home_view(PARTNER))["blocks"])
    assert "LR-1001" in home and "Review queue" not in home
    world.sender.app_home_opened(REVIEWER)
    queue = text_of(eventually(lambda: world.slack.home_view(REVIEWER))["blocks"])
    assert "Review queue* (1 waiting" in queue


def test_a_redelivered_event_is_handled_once(world: World) -> None:
    first = world.sender.app_home_opened(PARTNER, event_id="Ev0HOME1")
    again = world.sender.event({"type": "app_home_opened", "user": PARTNER, "tab": "home"},
                               event_id="Ev0HOME1", retry_num=1)
    assert first.status_code == again.status_code == 200
    eventually(lambda: world.slack.calls_to("views.publish"))
    time.sleep(0.3)  # a second publish would have happened by now
    assert len(world.slack.calls_to("views.publish")) == 1


def test_fifty_reviewers_clicking_approve_at_once_give_one_approval(world: World) -> None:
    from concurrent.futures import ThreadPoolExecutor

    reviewers = [f"U0REV{i:02d}" for i in range(50)]
    for user in reviewers:
        world.slack.add_user(user, team_id=IDP)
    world.slack.add_usergroup("S0REVIEWERS", [REVIEWER, *reviewers])
    view = open_launch_form(world)
    values = {**LAUNCH, "app_name": "DHS Benefits Portal",
              "iaa_number": "LGABCFY210001-0001-0000",
              "redirect_uris": "https://benefits.example.gov/auth/result"}
    world.sender.view_submission(view, user_id=PARTNER, values=values)
    world.deliver()
    card = world.card()
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda user: world.sender.block_action(
            "approve", user_id=user, message=card, team_id=IDP).status_code, reviewers))
    assert answers == [200] * 50
    told = eventually(lambda: [u for u in reviewers if world.slack.ephemerals_to(u)]
                      if sum(bool(world.slack.ephemerals_to(u)) for u in reviewers) == 49
                      else None, timeout=15)
    assert all("already approved by <@U0REV" in world.slack.ephemerals_to(u)[-1]["text"]
               for u in told)
    world.deliver()
    approved = [dm for dm in world.slack.dms_to(PARTNER) if "was approved by" in dm["text"]]
    assert len(approved) == 1


def test_a_change_request_records_only_what_changes(world: World) -> None:
    import yaml
    from sqlalchemy import update

    from bot.requests import import_export
    from bot.store.models import Integration

    export = yaml.safe_load((EXAMPLES / "integrations-export.yaml").read_text())
    issuer = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits"
    with world.bot.runtime.store.unit_of_work() as session:
        import_export(session, {issuer: export[issuer]}, NOW)
        session.execute(update(Integration).values(  # the agency's own
            team_id=AGENCY, partner_team_id=AGENCY_TEAM))
    sender = world.sender
    before = world.view_calls()
    sender.slash_command("/launch-request", user_id=PARTNER, team_id=AGENCY)
    view = world.view_of(PARTNER, before)
    before = world.view_calls()
    sender.block_action("pick_kind", user_id=PARTNER, view=view, value="change")
    view = world.view_of(PARTNER, before)
    before = world.view_calls()
    sender.block_action("pick_integration", user_id=PARTNER, view=view,
                        value=option_labelled(view, "pick_integration", "Benefits Portal"))
    view = world.view_of(PARTNER, before)
    shown = text_of(view["blocks"])
    assert "In production now" in shown and "https://benefits.example.gov/auth/result" in shown
    answer = sender.view_submission(view, user_id=PARTNER, values={
        "add_redirect_uris": "https://claims.benefits.example.gov/auth/result",
        "change_summary": "Add the claims subdomain.",
        "attestations": ["iaa_lists_integration"]}).json()
    assert answer["response_action"] == "update", answer
    world.deliver()
    card = text_of(world.card()["blocks"])
    assert "Change request" in card and "*Changes*" in card
    assert "claims.benefits.example.gov" in card
    assert "*ial*" not in card and "*protocol*" not in card  # unchanged: not in the diff
    # Another agency's partner does not see this integration in the picker.
    before = world.view_calls()
    sender.slash_command("/launch-request", user_id=OTHER_PARTNER, team_id=OTHER_AGENCY)
    other = world.view_of(OTHER_PARTNER, before)
    before = world.view_calls()
    sender.block_action("pick_kind", user_id=OTHER_PARTNER, view=other, value="change")
    other = world.view_of(OTHER_PARTNER, before)
    assert issuer not in text_of(other["blocks"])


def test_someone_on_two_teams_picks_the_team_on_the_form(world: World, db: Store) -> None:
    with db.unit_of_work() as session:  # the agency's partner also works for the other team
        add_members(session, "other", [PARTNER], actor="U0SETUP", now=NOW)
    view = open_launch_form(world)
    picker = next(b for b in view["blocks"] if b.get("block_id") == "partner_team")
    assert [o["value"] for o in picker["element"]["options"]] == ["1", "2"]
    values = {**LAUNCH, "app_name": "DHS Benefits Portal",
              "iaa_number": "LGABCFY210001-0001-0000",
              "redirect_uris": "https://benefits.example.gov/auth/result"}
    unpicked = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    assert unpicked == {"response_action": "errors",
                        "errors": {"partner_team": "Pick the partner team this request is for."}}
    filed = world.sender.view_submission(view, user_id=PARTNER,
                                         values={**values, "partner_team": "2"}).json()
    assert filed["response_action"] == "update"
    with db.reader() as session:
        assert session.scalars(select(Request.partner_team_id)).all() == [OTHER_TEAM]
    # the other team sees it; the partner's list shows both teams' requests
    for user, team in ((OTHER_PARTNER, OTHER_AGENCY), (PARTNER, AGENCY)):
        assert "LR-1001" in world.sender.slash_command("/launch-request", "list", user_id=user,
                                                       team_id=team).text
