"""Fuzzing what Slack posts to the bot, over real HTTP, signed: modal submissions with random
and mutated `state.values` and `private_metadata`, block actions with any action_id and value
(the bot's own action_ids with bogus values too), slash command text. However odd the input,
the bot answers below 500, no listener raises, and Slack never refuses what the bot sends
back (see tests/fuzz/slack_world.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import event
from hypothesis import strategies as st

from bot.devtools.view_inputs import state_values
from bot.requests import Actor, submit
from bot.slack.requests.form.fields import FormMeta
from bot.slack.requests.form.view import request_form
from bot.tickets.use_cases import file_ticket
from tests.fuzz.budget import fuzz
from tests.fuzz.slack_payloads import (
    LAUNCH,
    RESHAPES,
    TICKET,
    actions,
    as_json,
    command_texts,
    form_metadata,
    form_submissions,
    note_submissions,
    ticket_submissions,
)
from tests.fuzz.slack_world import (
    AGENCY,
    EXAMPLES,
    NOW,
    PARTNER,
    REVIEW_CHANNEL,
    SUPPORT_CHANNEL,
    TEAMS,
    USERS,
    FuzzWorld,
    fuzz_world,
)
from tests.partner_teams import AGENCY_TEAM

users = st.sampled_from([PARTNER, PARTNER, *USERS])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory,
          sqlite_template: Path) -> Iterator[FuzzWorld]:
    """One bot for the module, with a request and a ticket already filed (their cards
    posted) so that real IDs and real messages are there to be clicked with bogus values."""
    with fuzz_world(tmp_path_factory.mktemp("fuzz-slack"), sqlite_template) as world:
        runtime = world.bot.runtime
        launch = yaml.safe_load((EXAMPLES / "launch-oidc.yaml").read_text())
        files = {name: (EXAMPLES / name).read_bytes()
                 for name in ("benefits-logo.svg", "benefits-cert.pem")}
        partner = Actor(user_id=PARTNER, team_id=AGENCY, teams=frozenset({AGENCY_TEAM}))
        with runtime.store.unit_of_work() as session:
            request = submit(session, launch, actor=partner, now=NOW,
                             calendar=runtime.calendar, files=files)
            ticket = file_ticket(session, {k: v for k, v in TICKET.items()
                                           if k not in ("ongoing", "attachments")},
                                 actor=partner, now=NOW)
        world.settle()
        world.seeds.update(request=request.public_id, ticket=ticket.public_id,
                           card=world.slack.messages_in(REVIEW_CHANNEL)[-1],
                           ticket_card=world.slack.messages_in(SUPPORT_CHANNEL)[-1])
        yield world


def test_the_seeded_world_is_as_the_cases_expect(world: FuzzWorld) -> None:
    assert world.seeds["request"] == "LR-1001"
    assert any(b.get("type") == "actions" for b in world.seeds["card"]["blocks"])
    assert any(b.get("type") == "actions" for b in world.seeds["ticket_card"]["blocks"])


@fuzz("slack: request form submissions", ci=100, full=2500, case=form_submissions(),
      user=users)
def test_request_form_submissions(world: FuzzWorld, case: tuple[Any, Any, str],
                                  user: str) -> None:
    view, state, metadata = case
    with world.case():
        answer = world.answer(world.sender.view_submission(
            {**view, "private_metadata": metadata}, user_id=user, state=state,
            team_id=TEAMS[user]))
    event(outcome(answer))


def outcome(answer: httpx.Response) -> str:
    """How a submission was answered, for `--hypothesis-show-statistics`: the cases should
    reach filing, not only field errors."""
    body = answer.json() if answer.content else {}
    if body.get("response_action") == "update":
        blocks = str(body["view"].get("blocks"))
        return "filed" if "is filed" in blocks else "updated"
    return str(body.get("response_action") or "closed")


@fuzz("slack: ticket form submissions", ci=60, full=1500, case=ticket_submissions(),
      user=users)
def test_ticket_form_submissions(world: FuzzWorld, case: tuple[Any, Any, str],
                                 user: str) -> None:
    view, state, metadata = case
    with world.case():
        answer = world.answer(world.sender.view_submission(
            {**view, "private_metadata": metadata}, user_id=user, state=state,
            team_id=TEAMS[user]))
    event(outcome(answer))


@fuzz("slack: note modal submissions", ci=60, full=1000, case=note_submissions())
def test_note_modal_submissions(world: FuzzWorld, case: tuple[Any, Any, str, str]) -> None:
    view, state, metadata, user = case
    with world.case():
        world.answer(world.sender.view_submission(
            {**view, "private_metadata": metadata}, user_id=user, state=state,
            team_id=TEAMS[user]))


@fuzz("slack: block actions on messages", ci=100, full=2000, clicked=actions(), user=users,
      where=st.sampled_from(["card", "ticket_card", "bare"]),
      channel=st.sampled_from([REVIEW_CHANNEL, SUPPORT_CHANNEL, "D0PARTNER", "C0NOPE"]))
def test_block_actions_on_messages(world: FuzzWorld, clicked: list[dict[str, Any]], user: str,
                                   where: str, channel: str) -> None:
    message = world.seeds.get(where) or {"ts": "1764082800.000100", "text": "", "blocks": []}
    payload = world.sender.envelope("block_actions", user_id=user, team_id=TEAMS[user])
    payload.update({
        "actions": as_json(clicked),
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel, "name": channel.lower()},
        "message": {k: v for k, v in message.items() if k != "channel"},
        "state": {"values": {}},
        "response_url": world.slack.issue_response_url(
            kind="actions", channel_id=channel, user_id=user, message_ts=message["ts"]),
        "trigger_id": world.slack.issue_trigger(user),
    })
    with world.case():
        world.answer(world.sender.interactive(payload))


@st.composite
def reshapes(draw: st.DrawFn) -> tuple[dict[str, Any], Any, str, list[dict[str, Any]]]:
    """A select that reshapes the request form, picked with any option, in a form in any
    state: (the form as built, state.values, private_metadata, actions)."""
    view, state, _ = draw(form_submissions())
    meta = FormMeta.parse(view["private_metadata"])
    metadata = draw(form_metadata(meta.model_dump(exclude={"key"}, exclude_none=True),
                                  meta.key))
    return view, state, metadata, draw(actions(RESHAPES))


@fuzz("slack: form reshapes", ci=60, full=1500, case=reshapes(), user=users)
def test_form_reshapes(world: FuzzWorld, case: tuple[Any, Any, str, Any], user: str) -> None:
    view, state, metadata, clicked = case
    opened = world.open_view(view, user)  # views.update needs a view Slack knows
    payload = world.sender.envelope("block_actions", user_id=user, team_id=TEAMS[user])
    payload.update({
        "actions": as_json(clicked),
        "container": {"type": "view", "view_id": opened["id"]},
        "view": {**opened, "private_metadata": metadata, "state": {"values": state}},
        "trigger_id": world.slack.issue_trigger(user, view_id=opened["id"]),
    })
    with world.case():
        world.answer(world.sender.interactive(payload))


@fuzz("slack: slash commands", ci=60, full=1500,
      command=st.sampled_from(["/launch-request", "/support-ticket"]), text=command_texts,
      user=users)
def test_slash_commands(world: FuzzWorld, command: str, text: str, user: str) -> None:
    with world.case():
        answer = world.answer(world.sender.slash_command(command, text, user_id=user,
                                                         team_id=TEAMS[user]))
        assert answer.status_code == 200


def test_a_valid_form_still_files_a_request(world: FuzzWorld) -> None:
    """The generators' valid starting point really is valid: the fuzz starts from a request
    the bot files, not from one it refuses at once."""
    view = request_form(FormMeta.new(kind="launch"), {"protocol": "oidc_private_key_jwt"})
    values = {**LAUNCH, "protocol": "oidc_private_key_jwt",
              "issuer": "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:fuzzcheck"}
    with world.case():
        answer = world.sender.view_submission(view, user_id=PARTNER, state=state_values(
            view, values, file_info=world.slack.file_info)).json()
    assert answer["response_action"] == "update"
    assert "is filed" in str(answer["view"]["blocks"]), answer
