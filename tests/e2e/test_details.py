"""A reviewer approves from what the bot shows: the Details button on the card opens every
submitted field (at real sizes: 200 redirect URIs, over several pages), the findings, the files
and the history; a partner of another team is told it is not found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.calendar import DeployCalendar
from bot.kernel.actors import Actor
from bot.requests import RequestRecord, request_changes, resubmit, submit
from bot.store.db import Store
from tests.e2e.test_launch_flow import (
    AGENCY,
    IDP,
    NOW,
    OTHER_AGENCY,
    OTHER_PARTNER,
    PARTNER,
    REVIEWER,
    World,
    eventually,
    text_of,
    world_on,
)
from tests.partner_teams import AGENCY_TEAM
from tests.requests.conftest import LAUNCH_FILES, example, example_files

URIS = [f"https://benefits.example.gov/auth/result/{i:03d}" for i in range(200)]
PARTNER_ACTOR = Actor(user_id=PARTNER, team_id=AGENCY, teams=frozenset({AGENCY_TEAM}))
REVIEWER_ACTOR = Actor(user_id=REVIEWER, team_id=IDP, is_reviewer=True)


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with world_on(db) as world:
        yield world


def _file(world: World, **changes: Any) -> RequestRecord:
    data = {**example("launch-oidc.yaml"), **changes}
    with world.bot.runtime.store.unit_of_work() as s:
        record = submit(s, data, actor=PARTNER_ACTOR, now=NOW, calendar=DeployCalendar(),
                        files=example_files(*LAUNCH_FILES))
    world.deliver()
    return record


def open_details(world: World, user: str, team: str, message: dict[str, Any] | None = None,
                 home: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Click Details on `message` (or the `home` tab) and every Next; the pages in order."""
    before = world.view_calls()
    world.sender.block_action("details", user_id=user, message=message, view=home,
                              team_id=team)
    view = world.view_of(user, before)
    pages = [view]
    while any(e.get("action_id") == "details_page" and e["text"]["text"].startswith("Next")
              for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]):
        next_button = next(e for b in view["blocks"] if b["type"] == "actions"
                           for e in b["elements"] if e["text"]["text"].startswith("Next"))
        before = world.view_calls()
        world.sender.block_action("details_page", user_id=user, view=view,
                                  value=next_button["value"], team_id=team)
        eventually(lambda before=before: world.view_calls() > before)
        view = eventually(lambda view_id=view["id"]: world.slack.view(view_id))
        assert view not in pages
        pages.append(view)
    assert len(pages) < 20
    return pages


def test_reviewer_finds_every_url_the_iaa_and_the_attributes(world: World) -> None:
    record = _file(world, redirect_uris=URIS,
                   push_notification_url="https://benefits.example.gov/push")
    card = world.card()
    assert "https://benefits.example.gov/auth/result/199" not in text_of(card["blocks"])
    pages = open_details(world, REVIEWER, IDP, card)
    # 200 URLs run over several sections (3,000 characters each), none shortened
    sections = [b for p in pages for b in p["blocks"] if "Redirect URIs" in text_of(b)]
    assert len(sections) > 1
    assert pages[0]["title"]["text"].startswith(record.public_id)
    shown = text_of([p["blocks"] for p in pages])
    assert all(uri in shown for uri in URIS)
    assert "https://benefits.example.gov/push" in shown
    assert "LGABCFY210001-0001-0000" in shown
    assert "• email" in shown and "• verified_at" in shown
    assert "sam.roe@example.gov" in shown and "troubleshoot_html" in shown
    assert "benefits-cert.pem" in shown and "expires" in shown
    assert "filed it" in shown and "Times in America/New_York" in shown
    assert "(shortened" not in shown
    assert not world.slack.errors()


def test_another_team_is_told_not_found(world: World) -> None:
    _file(world)
    card = world.card()
    world.sender.block_action("details", user_id=OTHER_PARTNER, message=card,
                              team_id=OTHER_AGENCY)
    told = eventually(lambda: world.slack.ephemerals_to(OTHER_PARTNER))[-1]
    assert "can't find LR-1001" in told["text"]
    assert not world.slack.calls_to("views.open")


def test_history_shows_both_versions_and_the_comment(world: World) -> None:
    record = _file(world)
    store = world.bot.runtime.store
    with store.unit_of_work() as s:
        request_changes(s, record.id, actor=REVIEWER_ACTOR, now=NOW + timedelta(hours=1),
                        comment="Drop the custom scheme redirect")
    data = {**example("launch-oidc.yaml"),
            "redirect_uris": ["https://benefits.example.gov/auth/result"]}
    with store.unit_of_work() as s:
        resubmit(s, record.id, data, actor=PARTNER_ACTOR, now=NOW + timedelta(hours=2),
                 calendar=DeployCalendar())
    world.deliver()
    dm = world.slack.dms_to(PARTNER)[-1]
    pages = open_details(world, PARTNER, AGENCY, dm)  # the partner's DM has the button too
    shown = text_of([p["blocks"] for p in pages])
    assert "asked for changes" in shown and "Drop the custom scheme redirect" in shown
    assert "resubmitted it" in shown
    assert "removed: gov.example.benefits://auth/result" in shown
    # 15:00 UTC is 10:00 in New York
    assert "Wed, Nov 25, 2026, 11:00 AM EST" in shown


def test_status_history_and_home_open_the_details(world: World) -> None:
    record = _file(world)
    status = world.sender.slash_command("/launch-request", f"status {record.public_id}",
                                        user_id=PARTNER, team_id=AGENCY).json()
    assert status["blocks"][0]["accessory"]["action_id"] == "details"
    history = world.sender.slash_command("/launch-request", f"history {record.public_id}",
                                         user_id=PARTNER, team_id=AGENCY).json()
    assert "filed it" in text_of(history["blocks"])
    theirs = world.sender.slash_command("/launch-request", f"history {record.public_id}",
                                        user_id=OTHER_PARTNER, team_id=OTHER_AGENCY)
    assert "can't find LR-1001" in theirs.text
    world.sender.app_home_opened(REVIEWER)
    home = eventually(lambda: world.slack.home_view(REVIEWER))
    pages = open_details(world, REVIEWER, IDP, home=home)
    assert "LGABCFY210001-0001-0000" in text_of(pages[0]["blocks"])


def test_files_filed_from_slack_link_to_the_upload(world: World) -> None:
    from tests.e2e.test_launch_flow import LAUNCH, open_launch_form

    view = open_launch_form(world)
    values = {**LAUNCH, "app_name": "DHS Benefits Portal",
              "iaa_number": "LGABCFY210001-0001-0000",
              "redirect_uris": "https://benefits.example.gov/auth/result"}
    answer = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
    assert answer["response_action"] == "update"
    world.deliver()
    shown = text_of([p["blocks"] for p in open_details(world, REVIEWER, IDP, world.card())])
    logo = world.slack.file_info("F0LOGO")["permalink"]
    cert = world.slack.file_info("F0CERT")["permalink"]
    assert f"<{logo}|open the file>" in shown and f"<{cert}|open the file>" in shown
