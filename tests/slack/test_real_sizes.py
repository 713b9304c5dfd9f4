"""Builders at real sizes, judged by what Slack refuses (bot.devtools.slack_strict): a deploy
day of a dozen items at every field's maximum, an integration with 200 redirect URIs and a
1,000-character issuer, a reviewer reminder with 60 items, a team with 500 requests."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.devtools.slack_strict import message_problems, view_problems
from bot.schedule.deploy_day import DeployItem
from bot.slack.home.view import home_view
from bot.slack.rendering import Outgoing, fit_for_slack
from bot.slack.requests.card import review_card
from bot.slack.requests.form.fields import FormMeta, remove_block
from bot.slack.requests.form.reading import apply_list_edits, changed_only, read_state
from bot.slack.requests.form.view import request_form
from bot.slack.schedule.deploy import manifest_message, not_deployed_message
from bot.slack.schedule.reminders import review_reminder
from tests.slack.test_views import record

DAY = date(2026, 12, 10)
LONG_ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:" + "benefits-" * 106  # 1,000
URIS = [f"https://app{i:03d}.benefits.example.gov/auth/result?tenant=agency&x={i}"
        for i in range(200)]


def each_fits(outgoing: list[Outgoing]) -> None:
    for message in fit_for_slack(outgoing):
        assert message_problems(message.text, message.blocks) == [], message.text


def all_text(node: Any) -> str:
    if isinstance(node, dict):
        return " ".join(all_text(v) for v in node.values())
    if isinstance(node, list):
        return " ".join(all_text(v) for v in node)
    return node if isinstance(node, str) else ""


# -- a change to an integration with 200 redirect URIs and a 1,000-character issuer ---------

def change_form() -> dict[str, Any]:
    meta = FormMeta.new(kind="change", issuer=LONG_ISSUER)
    current = {"issuer": LONG_ISSUER, "protocol": "oidc_private_key_jwt", "ial": 2,
               "redirect_uris": URIS}
    return request_form(meta, {}, integrations={"7": f"Benefits ({LONG_ISSUER})"},
                        picked="7", current=current)


def test_the_change_form_fits_slack_and_prefills_nothing_clipped() -> None:
    view = change_form()
    assert view_problems(view, "modal") == []
    values = [o["value"] for b in view["blocks"] for o in
              (b.get("element") or {}).get("options") or []]
    assert "7" in values and all(len(v) <= 150 for v in values)
    prefilled = [b["element"].get("initial_value") for b in view["blocks"]
                 if b.get("type") == "input" and b["element"].get("initial_value")]
    assert prefilled == []  # nothing from production is put in an input
    shown = all_text(view)
    assert "Redirect URIs: add" in shown and "Redirect URIs: remove" in shown
    assert "the 200 in place stay" in shown
    assert "shortened here; everything you do not change stays as it is" in shown


def test_adding_and_removing_lines_leaves_every_other_uri_exactly_as_it_is() -> None:
    typed = read_state({
        "add_redirect_uris": {"value": {"type": "plain_text_input",
                                        "value": "https://new.benefits.example.gov/cb"}},
        remove_block("redirect_uris"): {"value": {"type": "plain_text_input",
                                                  "value": URIS[57]}},
        "change_summary": {"value": {"type": "plain_text_input", "value": "Move one."}},
    }).values
    current = {"issuer": LONG_ISSUER, "protocol": "oidc_private_key_jwt",
               "redirect_uris": URIS}
    values, errors = apply_list_edits({**typed, "kind": "change", "issuer": LONG_ISSUER},
                                      current)
    assert errors == {}
    expected = [*URIS[:57], *URIS[58:], "https://new.benefits.example.gov/cb"]
    assert values["redirect_uris"] == expected
    recorded = changed_only(values, current)
    assert set(recorded) == {"kind", "issuer", "redirect_uris", "change_summary"}


def test_submitting_the_change_form_untouched_changes_nothing() -> None:
    current = {"redirect_uris": URIS, "protocol": "oidc_private_key_jwt"}
    values, errors = apply_list_edits({"kind": "change", "issuer": LONG_ISSUER}, current)
    assert errors == {} and "redirect_uris" not in values
    assert changed_only(values, current) == {"kind": "change", "issuer": LONG_ISSUER}


def test_removing_a_line_that_is_not_there_is_an_error_on_that_input() -> None:
    _, errors = apply_list_edits({"remove_redirect_uris": ["https://typo.example.gov"]},
                                 {"redirect_uris": URIS})
    assert list(errors) == ["remove_redirect_uris"]
    assert "https://typo.example.gov" in errors["remove_redirect_uris"]


def test_the_card_shows_item_by_item_what_a_change_adds_and_removes() -> None:
    new = [*URIS[:57], *URIS[58:], "https://new.benefits.example.gov/cb"]
    change = record(kind="change", issuer=LONG_ISSUER, submitted={
        "redirect_uris": new, "change_summary": "x" * 2000},
        diff={"redirect_uris": {"old": URIS, "new": new}, "ial": {"old": 1, "new": 2}})
    blocks = review_card(change, logo=None, certificates=[])
    each_fits([Outgoing(text="card", blocks=blocks, channel="C1", card_of=("request", 1))])
    shown = all_text(blocks)
    assert "(200 → 200): 1 added, 1 removed" in shown
    assert "+ `https://new.benefits.example.gov/cb`" in shown
    assert f"− `{URIS[57].replace('&', '&amp;')}`" in shown
    assert "*ial*: 1 → 2" in shown


# -- a deploy day at every field's maximum ---------------------------------------------------

def item(n: int) -> DeployItem:
    base = record(id=n, public_id=f"LR-{1000 + n}", kind="change", state="approved",
                  issuer=LONG_ISSUER + str(n), decided_by="U0REVIEW", slip_count=3,
                  target_deploy_date=DAY, card_channel="C0REVIEW",
                  card_ts="1700000000.000100",
                  submitted={"friendly_name": "F&B <!channel> " * 13, "agency": "A" * 200,
                             "protocol": "oidc_private_key_jwt", "ial": 2,
                             "change_summary": "why " * 500},
                  diff={"redirect_uris": {"old": URIS, "new": [*URIS[100:], "https://n"]},
                        "friendly_name": {"old": "a" * 300, "new": "b" * 300}})
    return DeployItem(**{f.name: getattr(base, f.name) for f in fields(base)})



def test_a_manifest_page_of_twelve_items_at_their_maximum_is_posted_and_updated() -> None:
    items = [item(n) for n in range(12)]
    text, blocks = manifest_message(DAY, items, tz=ZoneInfo("America/New_York"), page=1,
                                    pages=9)
    posted = fit_for_slack([Outgoing(text=text, blocks=blocks, channel="C0DEPLOY",
                                     in_place=True, whole_at="see each review card")])
    updated = fit_for_slack([Outgoing(text=text, blocks=blocks, channel="C0DEPLOY",
                                      update_ts="1.2", whole_at="see each review card")])
    for message in posted + updated:
        assert message_problems(message.text, message.blocks) == []
    for message in (posted[0], updated[0]):  # every item keeps its buttons
        ids = [b["block_id"] for b in message.blocks if b.get("type") == "actions"]
        assert ids == [f"deploy:LR-{1000 + n}" for n in range(12)]


def test_the_close_of_business_list_of_a_hundred_items_fits() -> None:
    items = [item(n) for n in range(100)]
    text, blocks = not_deployed_message(DAY, items, next_business_day=date(2026, 12, 11),
                                        slips_to=date(2026, 12, 17))
    each_fits([Outgoing(text=text, blocks=blocks, channel="C0DEPLOY")])
    assert "…and 75 more on the manifest." in all_text(blocks)


def test_a_reviewer_reminder_with_sixty_items_fits_and_names_every_one() -> None:
    items = [{"public_id": f"LR-{1000 + n}", "kind": "launch", "name": "N&me " * 200,
              "state": "submitted", "target": DAY.isoformat(), "card_channel": "C0REVIEW",
              "card_ts": "1700000000.000100"} for n in range(60)]
    text, blocks = review_reminder({"day": DAY.isoformat(), "items": items, "more": 0})
    parts = fit_for_slack([Outgoing(text=text, blocks=blocks, channel="C0REVIEW")])
    for message in parts:
        assert message_problems(message.text, message.blocks) == []
    shown = " ".join(all_text(m.blocks) for m in parts)
    assert set(re.findall(r"LR-1\d{3}", shown)) == {f"LR-{1000 + n}" for n in range(60)}


# -- a team with 500 requests ----------------------------------------------------------------

def test_the_app_home_of_a_team_with_500_requests_fits() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    mine = [record(id=n, public_id=f"LR-{1000 + n}", issuer=LONG_ISSUER,
                   submitted={"friendly_name": "x" * 200}, state="changes_requested",
                   decision_note="fix " * 500, created_at=now) for n in range(500)]
    view = home_view(mine, mine)
    assert view_problems(view, "home") == []


def test_the_list_answer_of_a_team_with_500_requests_fits_and_says_there_are_more() -> None:
    from bot.slack.requests.replies import request_list

    newest = [record(id=n, public_id=f"LR-{1500 - n}", issuer=LONG_ISSUER,
                     submitted={"friendly_name": "<x> " * 250}) for n in range(21)]
    text = request_list(newest, shown=20)
    assert message_problems(text, None) == []
    assert text.count("LR-") == 21 and "these are the 20 newest" in text
