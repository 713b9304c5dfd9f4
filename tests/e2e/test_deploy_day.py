"""Deploy day end to end over HTTP: requests filed and approved (the reviewer clicks Approve on
the card), the manifest job posts the manifest at 09:00, a deployer clicks Mark deployed on one
item and Slip on the other; the manifest updates in place and the partner is told."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from bot.config import Settings
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.requests import Actor, approve, submit
from bot.slack.server import BackgroundServer, Bot, assemble
from bot.store.db import Store
from tests.partner_teams import AGENCY_TEAM, make_teams

from .test_launch_flow import eventually, text_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "e2e-deploy-signing-secret-0123456789"
PARTNER, REVIEWER = "U0PARTNER", "U0REVIEW"
REVIEW_CHANNEL, MANIFEST_CHANNEL = "C0REVIEW", "C0MANIFEST"
FILED = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
DEPLOY_DAY = date(2026, 11, 19)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def deploy_world(db: Store) -> Iterator[tuple[FakeSlack, Bot, SignedSender, Clock]]:
    clock = Clock(FILED)
    with FakeSlack() as slack:
        slack.add_user(PARTNER, name="pat", team_id="T0AGENCY")
        slack.add_user(REVIEWER, name="rae", team_id="T0IDP")
        slack.add_usergroup("S0REVIEWERS", [REVIEWER])
        settings = Settings(slack_bot_token=SecretStr(slack.bot_token),
                            slack_signing_secret=SecretStr(SECRET), slack_api_url=slack.url,
                            review_channel=REVIEW_CHANNEL, manifest_channel=MANIFEST_CHANNEL,
                            reviewer_group="S0REVIEWERS")
        make_teams(db, agency_workspace="T0AGENCY")
        bot = assemble(settings, db, clock=clock)
        with BackgroundServer(bot.wsgi) as server, \
                SignedSender(server.url, SECRET, fake=slack) as sender:
            yield slack, bot, sender, clock


def _deliver(bot: Bot) -> None:
    while bot.relay.run_once():
        pass


def _file(bot: Bot, n: int, name: str) -> None:
    data = yaml.safe_load((EXAMPLES / "launch-oidc.yaml").read_text())
    data.update(issuer=f"urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:app{n}",
                friendly_name=name, desired_deploy_date=DEPLOY_DAY.isoformat())
    files = {f: (EXAMPLES / f).read_bytes() for f in ("benefits-logo.svg", "benefits-cert.pem")}
    with bot.runtime.store.unit_of_work() as s:
        submit(s, data, actor=Actor(PARTNER, "T0AGENCY", teams=frozenset({AGENCY_TEAM})), now=FILED,
               calendar=bot.runtime.calendar, files=files)


def _only(message: dict[str, Any], public_id: str) -> dict[str, Any]:
    """The message with only one item's buttons (the sender clicks the first it finds)."""
    return dict(message, blocks=[b for b in message["blocks"]
                                 if b.get("block_id") == f"deploy:{public_id}"])


def test_manifest_buttons_update_the_manifest_in_place(
        deploy_world: tuple[FakeSlack, Bot, SignedSender, Clock]) -> None:
    slack, bot, sender, clock = deploy_world
    _file(bot, 1, "Alpha <!here>")
    _file(bot, 2, "Bravo")
    _deliver(bot)
    for card in eventually(lambda: slack.messages_in(REVIEW_CHANNEL)):
        sender.block_action("approve", user_id=REVIEWER, message=card, team_id="T0IDP")
    eventually(lambda: bot.relay.run_once() or all(
        "Approved* by" in text_of(c["blocks"]) for c in slack.messages_in(REVIEW_CHANNEL)))
    _deliver(bot)

    clock.now = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)  # 09:00 in New York
    ran = {o.slot.period: o.status for o in bot.scheduler.tick("manifest")}
    assert ran["2026-11-19"] == "posted"
    assert {o.slot.period: o.status for o in bot.scheduler.tick("manifest")}[
        "2026-11-19"] == "already"
    _deliver(bot)
    [manifest] = slack.messages_in(MANIFEST_CHANNEL)
    shown = text_of(manifest["blocks"])
    assert "Deploy manifest · Thursday, November 19, 2026" in shown
    assert "Alpha &lt;!here&gt;" in shown and "<!here>" not in shown
    assert "benefits-cert.pem" in shown and "expires 2029-05-31" in shown
    assert "review card" in shown  # a link to each card
    assert [e["action_id"] for b in manifest["blocks"] if b["type"] == "actions"
            for e in b["elements"]] == ["mark_deployed", "slip"] * 2

    # A partner cannot deploy; a reviewer can.
    sender.block_action("mark_deployed", user_id=PARTNER, message=manifest, team_id="T0AGENCY")
    refusal = eventually(lambda: slack.ephemerals_to(PARTNER))[-1]
    assert "Only reviewers can mark deployed" in refusal["text"]
    clock.now = datetime(2026, 11, 19, 17, 30, tzinfo=UTC)
    sender.block_action("mark_deployed", user_id=REVIEWER, message=_only(manifest, "LR-1001"),
                        team_id="T0IDP")
    eventually(lambda: bot.relay.run_once() or "Deployed* by <@U0REVIEW> at 12:30" in text_of(
        slack.messages_in(MANIFEST_CHANNEL)[0]["blocks"]))
    sender.block_action("slip", user_id=REVIEWER, message=_only(manifest, "LR-1002"),
                        team_id="T0IDP")
    eventually(lambda: bot.relay.run_once() or "Slipped* to Monday, November 30" in text_of(
        slack.messages_in(MANIFEST_CHANNEL)[0]["blocks"]))
    _deliver(bot)
    [manifest] = slack.messages_in(MANIFEST_CHANNEL)  # one message, updated in place
    assert not [b for b in manifest["blocks"] if b["type"] == "actions"]
    dms = [m["text"] for m in slack.dms_to(PARTNER)]
    assert any("is deployed to production" in t and "LR-1001" in t for t in dms)
    assert any("moves to the next deploy day, Monday, November 30, 2026" in t for t in dms)

    # A late second click is told who deployed it.
    sender.block_action("mark_deployed", user_id=REVIEWER,
                        message=_only(_first_post(slack), "LR-1001"), team_id="T0IDP")
    late = eventually(lambda: slack.ephemerals_to(REVIEWER))[-1]
    assert "already deployed by <@U0REVIEW>" in late["text"]
    assert not [c for c in slack.errors() if c.method != "response_action"]


def _first_post(slack: FakeSlack) -> dict[str, Any]:
    """The manifest as first posted (with its buttons), as a user's stale client shows it."""
    call = next(c for c in slack.calls_to("chat.postMessage")
                if c.params.get("channel") == MANIFEST_CHANNEL)
    message = slack.messages_in(MANIFEST_CHANNEL)[0]
    blocks = call.params["blocks"]
    return dict(message, blocks=json.loads(blocks) if isinstance(blocks, str) else blocks)


def test_a_deploy_day_of_a_hundred_items_is_posted_whole_against_the_strict_fake(
        deploy_world: tuple[FakeSlack, Bot, SignedSender, Clock]) -> None:
    """100 approved requests with long names: the preview, the manifest pages and the 17:00
    list all reach Slack (which refuses any message over its limits), naming every item."""
    slack, bot, _, clock = deploy_world
    for n in range(100):
        _file(bot, n, f"Benefits & Claims {n} " + "<Portal> " * 18)
    with bot.runtime.store.unit_of_work() as s:
        for n in range(100):
            approve(s, f"LR-{1001 + n}", actor=Actor(REVIEWER, "T0IDP", is_reviewer=True),
                    now=FILED)
    _deliver(bot)

    clock.now = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)  # two business days before
    bot.scheduler.tick("preview")
    clock.now = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)  # 09:00: the manifest
    bot.scheduler.tick("manifest")
    clock.now = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)  # 17:00: not yet deployed
    bot.scheduler.tick("not_deployed")
    _deliver(bot)

    assert not slack.errors(), [(c.method, c.error) for c in slack.errors()]
    posts = slack.messages_in(MANIFEST_CHANNEL)
    manifests = [m for m in posts if "Deploy manifest" in text_of(m["blocks"])]
    assert len(manifests) == 9  # 12 items a page
    on_manifest = [b["block_id"] for m in manifests for b in m["blocks"]
                   if b["type"] == "actions"]
    assert on_manifest == [f"deploy:LR-{1001 + n}" for n in range(100)]
    assert any("Deploy preview" in text_of(m["blocks"]) for m in posts)
    late = next(m for m in posts if "Close of business" in m["text"])
    assert "100 not marked deployed" in text_of(late["blocks"])
    assert "…and 75 more on the manifest." in text_of(late["blocks"])
