"""Payloads found by fuzzing (tests/fuzz) that once made a listener raise or made Slack refuse
the bot's answer: each is now answered plainly. Over HTTP against the assembled bot, with the
world of tests/fuzz/slack_world.py (it fails a case on any ERROR logged and on any answer
Slack would refuse)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.devtools.view_inputs import state_values
from bot.slack.ids import Action, Callback
from bot.slack.listening import STALE_FORM
from bot.slack.notes import NoteMeta
from bot.slack.requests import submitting
from bot.slack.requests.decision import review_note_modal
from bot.slack.requests.filing import STORE_FAILED
from bot.slack.requests.form.fields import KINDS, METADATA_LIMIT, FormMeta
from bot.slack.requests.form.view import request_form
from bot.slack.tickets.form import ticket_note_modal
from tests.fuzz.slack_payloads import LAUNCH
from tests.fuzz.slack_world import (
    IDP,
    PARTNER,
    REVIEW_CHANNEL,
    REVIEWER,
    FuzzWorld,
    fuzz_world,
)


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path) -> Iterator[FuzzWorld]:
    with fuzz_world(tmp_path, sqlite_template) as world:
        yield world


def submit_note(world: FuzzWorld, view: dict[str, Any], metadata: str, text: str,
                user: str = REVIEWER) -> dict[str, Any]:
    answer = world.sender.view_submission({**view, "private_metadata": metadata},
                                          user_id=user, values={"note": text})
    assert answer.status_code == 200
    return answer.json()


@pytest.mark.parametrize("callback", [Callback.changes_comment, Callback.ticket_reply])
def test_a_note_modal_with_unreadable_metadata_says_it_is_out_of_date(
        world: FuzzWorld, callback: Callback) -> None:
    view = review_note_modal(callback, NoteMeta(record="LR-1001")) \
        if callback is Callback.changes_comment \
        else ticket_note_modal(callback, NoteMeta(record="ST-1001"))
    with world.case():
        answer = submit_note(world, view, "not json", "Please fix the IAA number.")
    assert answer == {"response_action": "errors", "errors": {"note": STALE_FORM}}


def test_a_refusal_quoting_a_huge_id_fits_in_the_modal(world: FuzzWorld) -> None:
    huge = "ST-" + "x" * 5000
    view = ticket_note_modal(Callback.ticket_reply, NoteMeta(record=huge))
    with world.case():
        answer = submit_note(world, view, NoteMeta(record=huge).model_dump_json(),
                             "Hello")
    assert answer["response_action"] == "errors"
    assert "I can't find" in answer["errors"]["note"]
    assert len(answer["errors"]["note"]) <= 2000


@pytest.mark.parametrize("value", [None, "LR-" + "x" * 50_000])
def test_a_button_naming_nothing_is_answered_in_a_short_message(world: FuzzWorld,
                                                                  value: str | None) -> None:
    button = {"action_id": Action.approve.value, "block_id": "actions", "type": "button",
              "action_ts": "1.0", **({"value": value} if value else {})}
    payload = world.sender.envelope("block_actions", user_id=REVIEWER, team_id=IDP)
    payload.update({
        "actions": [button],
        "container": {"type": "message", "message_ts": "1.000100",
                      "channel_id": REVIEW_CHANNEL},
        "channel": {"id": REVIEW_CHANNEL}, "message": {"ts": "1.000100", "blocks": []},
        "trigger_id": world.slack.issue_trigger(REVIEWER)})
    with world.case():
        assert world.sender.interactive(payload).status_code == 200
    told = world.slack.ephemerals_to(REVIEWER)
    assert told and "can't find" in told[-1]["text"] and len(told[-1]["text"]) <= 3000


def test_warnings_shown_on_a_form_keep_its_metadata_within_slacks_limit(
        world: FuzzWorld) -> None:
    """Metadata so long that the warnings' signature and the uploads would push it past
    3,000 characters is not one the bot wrote: the form goes on with a new key instead."""
    view = request_form(FormMeta.new(kind="launch"), {"protocol": "oidc_private_key_jwt"})
    values = {**LAUNCH, "protocol": "oidc_private_key_jwt", "iaa_number": "ABC123-0001-0000",
              "issuer": LAUNCH["issuer"] + ":warned"}  # IAA-FORMAT-TYPICAL: a warning
    stuffed = json.dumps({"kind": "launch", "key": "k" * 2950})
    with world.case():  # fails on a view Slack refuses
        answer = world.sender.view_submission(
            {**view, "private_metadata": stuffed}, user_id=PARTNER,
            state=state_values(view, values, file_info=world.slack.file_info)).json()
    assert answer["response_action"] == "update"
    assert len(answer["view"]["private_metadata"]) <= METADATA_LIMIT
    assert FormMeta.parse(answer["view"]["private_metadata"]).key != "k" * 2950


def pick(world: FuzzWorld, container: dict[str, Any], value: Any) -> None:
    payload = world.sender.envelope("block_actions", user_id=PARTNER)
    payload.update({"actions": [{"action_id": Action.pick_kind.value, "block_id": "kind",
                                 "type": "static_select", "action_ts": "1.0",
                                 "selected_option": {"value": value}}],
                    "trigger_id": world.slack.issue_trigger(PARTNER), **container})
    with world.case():
        assert world.sender.interactive(payload).status_code == 200


def test_a_kind_the_form_never_offered_is_not_taken(world: FuzzWorld) -> None:
    opened = world.open_view(request_form(FormMeta.new(), {}))
    pick(world, {"container": {"type": "view", "view_id": opened["id"]},
                 "view": {**opened, "state": {"values": {}}}}, "x" * 4000)
    updated = world.slack.view(opened["id"])
    assert updated is not None and updated["hash"] != opened["hash"]
    assert len(updated["private_metadata"]) <= METADATA_LIMIT
    assert FormMeta.parse(updated["private_metadata"]).kind is None
    pick(world, {"container": {"type": "view", "view_id": opened["id"]},
                 "view": {**updated, "state": {"values": {}}}}, "launch")
    assert FormMeta.parse(world.slack.view(opened["id"])["private_metadata"]).kind == "launch"
    assert "launch" in KINDS


def test_a_form_select_outside_a_form_does_nothing(world: FuzzWorld) -> None:
    # who the clicker is (reads only)
    lookups = {"users.info", "auth.test", "team.info", "usergroups.users.list"}

    def changes() -> int:
        return sum(c.method not in lookups for c in world.slack.calls)

    calls = changes()
    pick(world, {"container": {"type": "message", "message_ts": "1.000100",
                               "channel_id": REVIEW_CHANNEL},
                 "message": {"ts": "1.000100", "blocks": []}}, "launch")
    assert not world.slack.calls_to("views.update")
    assert changes() == calls


def test_metadata_over_slacks_limit_is_not_carried_on(world: FuzzWorld) -> None:
    """A form whose metadata the bot could not have written (too long to store) is a new
    form: the bot does not echo it back for Slack to refuse."""
    opened = world.open_view(request_form(FormMeta.new(), {}))
    stuffed = json.dumps({"key": "k", "issuer": "u" * 2990, "kind": "change"})
    pick(world, {"container": {"type": "view", "view_id": opened["id"]},
                 "view": {**opened, "private_metadata": stuffed,
                          "state": {"values": {}}}}, "launch")
    meta = FormMeta.parse(world.slack.view(opened["id"])["private_metadata"])
    assert meta.kind == "launch" and meta.issuer is None and meta.key != "k"


@pytest.mark.parametrize(("command", "text"), [("/launch-request", "status LR-²"),
                                               ("/support-ticket", "status ST-" + "9" * 5000)])
def test_an_id_of_digits_python_cannot_read_is_not_found(world: FuzzWorld, command: str,
                                                        text: str) -> None:
    with world.case():
        answer = world.sender.slash_command(command, text, user_id=PARTNER)
    assert "can't find" in answer.text


def test_the_store_failing_while_a_change_form_is_read_is_said_on_the_form(
        world: FuzzWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change's integration is read before filing: the store failing there is the same
    "nothing was filed, submit again" on the form as a failure while filing."""
    def store_gone(*_: Any, **__: Any) -> None:
        raise OperationalError("SELECT integrations", {}, Exception("server closed"))

    monkeypatch.setattr(submitting.queries, "integration_by_issuer", store_gone)
    view = request_form(FormMeta.new(kind="change", issuer=LAUNCH["issuer"]), {})
    values = {"change_summary": "Move the logout URL."}
    answer = world.sender.view_submission(
        view, user_id=PARTNER, state=state_values(view, values, file_info=world.slack.file_info))
    assert answer.status_code == 200
    shown = answer.json()
    assert shown["response_action"] == "errors"
    assert list(shown["errors"].values()) == [STORE_FAILED]
