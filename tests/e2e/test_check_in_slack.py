"""Check a configuration in Slack, end to end over HTTP against the fake Slack: the App Home
button, the modal with a file input, the same findings as `launchbot check`, hostile files as
one line, and *File this as a request* opening the form prefilled with nothing filed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.store.db import Store
from bot.store.models import Request
from tests.e2e.test_launch_flow import (
    AGENCY,
    EXAMPLES,
    OTHER_AGENCY,
    OTHER_PARTNER,
    PARTNER,
    REVIEW_CHANNEL,
    World,
    eventually,
    text_of,
    world_on,
)


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with world_on(db) as made:
        yield made


def home(world: World, user: str = PARTNER) -> dict[str, Any]:
    world.sender.app_home_opened(user)
    return eventually(lambda: world.slack.last_view(user, type="home"))


def open_check(world: World) -> dict[str, Any]:
    before = world.view_calls()
    world.sender.block_action("check_config", user_id=PARTNER, view=home(world), team_id=AGENCY)
    modal = world.view_of(PARTNER, before)
    assert modal["callback_id"] == "check_config"
    return modal


def submit_file(world: World, name: str, content: bytes, file_id: str = "F0CHECK"
                ) -> dict[str, Any]:
    world.slack.add_file(file_id, name, content, user_id=PARTNER, team_id=AGENCY)
    modal = open_check(world)
    return world.sender.view_submission(modal, user_id=PARTNER, team_id=AGENCY,
                                        values={"config_file": [file_id]}).json()


def cli_findings(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["check", str(path), "--json", "--today", "2026-11-25"])
    return json.loads(capsys.readouterr().out)


def test_a_checked_file_answers_like_the_command_line(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "invalid-launch.yaml"
    answer = submit_file(world, "invalid-launch.yaml", path.read_bytes())
    assert answer["response_action"] == "update", answer
    shown = text_of(answer["view"]["blocks"])
    expected = cli_findings(path, capsys)
    for finding in expected["findings"]:
        if finding["field"] in ("logo", "certificates[0]"):
            continue  # the CLI reads them beside the file; in Slack they are not attached
        assert f"`{finding['rule']}`" in shown, finding
        assert f"*{finding['field'] or 'the request'}*" in shown
    assert "Not ready: fix the errors first" in shown
    assert "*Earliest deploy day:* Thursday, December 17, 2026" in shown
    assert "its cutoff: Thursday, November 26, 2026, 21 days' notice" in shown
    assert "Nothing is filed" in shown
    assert not world.slack.messages_in(REVIEW_CHANNEL) and not world.slack.errors()
    with world.bot.runtime.store.reader() as session:
        assert session.query(Request).count() == 0


def test_file_this_as_a_request_opens_the_form_prefilled(world: World) -> None:
    answer = submit_file(world, "launch-oidc.yaml", (EXAMPLES / "launch-oidc.yaml").read_bytes())
    result = answer["view"]
    shown = text_of(result["blocks"])
    assert "Ready to file" in shown or "Not ready" in shown
    result = eventually(lambda: world.slack.last_view(PARTNER, type="modal"))
    before = world.view_calls()
    world.sender.block_action("file_checked", user_id=PARTNER, view=result, team_id=AGENCY)
    form = world.view_of(PARTNER, before)
    assert form["callback_id"] == "request_form"
    app_name = next(b for b in form["blocks"] if b.get("block_id") == "app_name")
    assert app_name["element"]["initial_value"] == "DHS Benefits Portal"
    assert "Prefilled from the configuration you checked" in text_of(form["blocks"])
    assert world.slack.calls_to("views.push")
    assert not world.slack.messages_in(REVIEW_CHANNEL)  # nothing filed

    # Someone else cannot have the bot read the partner's file through the button.
    world.sender.block_action("file_checked", user_id=OTHER_PARTNER, view=result,
                              team_id=OTHER_AGENCY)
    refusal = eventually(lambda: world.slack.dms_to(OTHER_PARTNER)
                         or world.slack.ephemerals_to(OTHER_PARTNER))[-1]
    assert "not one you uploaded" in refusal["text"]


def test_an_export_is_checked_entry_by_entry(world: World) -> None:
    answer = submit_file(world, "integrations-export.yaml",
                         (EXAMPLES / "integrations-export.yaml").read_bytes())
    assert answer["response_action"] == "update", answer
    shown = text_of(answer["view"]["blocks"])
    assert "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits" in shown
    assert "urn:gov:gsa:SAML:2.0.profiles:sp:sso:doe:grants" in shown
    assert shown.count("Launch request") == 2
    buttons = [e for b in answer["view"]["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert [b["value"] for b in buttons] == ["F0CHECK:0", "F0CHECK:1"]


BOMB = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
HOSTILE = [
    ("huge.yaml", b"app_name: " + b"x" * (1024 * 1024 + 10) + b"\n", "too large"),
    ("logo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file"),
    ("bomb.yaml", BOMB, "YAML aliases (*name) are not allowed"),
    ("tag.yaml", b"kind: !!python/object/apply:os.system ['true']\n", "invalid YAML"),
    ("list.yaml", b"- a\n- b\n", "not a request"),
    ("latin1.yaml", "app_name: caf\xe9\n".encode("latin-1"), "not UTF-8"),
]


@pytest.mark.parametrize(("name", "content", "says"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_get_one_line_on_the_field(world: World, name: str, content: bytes,
                                                 says: str) -> None:
    answer = submit_file(world, name, content)
    assert answer["response_action"] == "errors", answer
    line = answer["errors"]["config_file"]
    assert says in line and "\n" not in line and len(line) <= 2000
    assert "Traceback" not in line


def dm_event(world: World, **event: Any) -> None:
    world.sender.event({"type": "message", "channel": world.slack.dm_channel_id(PARTNER),
                        "channel_type": "im", "user": PARTNER, "text": "",
                        "ts": f"{1764000000 + len(world.slack.calls)}.000100", **event})


def test_a_file_sent_in_the_dm_is_answered_there(world: World) -> None:
    info = world.slack.add_file("F0DMFILE", "invalid-launch.yaml",
                                (EXAMPLES / "invalid-launch.yaml").read_bytes(),
                                user_id=PARTNER, team_id=AGENCY)
    dm_event(world, subtype="file_share", files=[info])
    answer = eventually(lambda: world.slack.dms_to(PARTNER))[-1]
    shown = text_of(answer["blocks"])
    assert "Check of invalid-launch.yaml" in shown and "`URL-HTTPS`" in shown
    assert "*Earliest deploy day:*" in shown
    assert answer["text"].startswith("Check of invalid-launch.yaml: invalid-launch.yaml: "
                                     "not ready")
    assert not world.slack.errors()  # within a message's limits

    before = world.view_calls()
    world.sender.block_action("file_checked", user_id=PARTNER, message=answer, team_id=AGENCY)
    form = world.view_of(PARTNER, before)
    assert form["callback_id"] == "request_form"
    assert not world.slack.messages_in(REVIEW_CHANNEL)

    world.slack.add_file("F0DMBAD", "bomb.yaml", BOMB, user_id=PARTNER, team_id=AGENCY)
    dm_event(world, subtype="file_share", files=[{"id": "F0DMBAD", "name": "bomb.yaml"}])
    refused = eventually(lambda: world.slack.dms_to(PARTNER)[1:])[-1]
    assert refused["text"].startswith("I could not read that file: bomb.yaml: YAML aliases")
    assert "\n" not in refused["text"]

    dm_event(world, text="hello?")
    hint = eventually(lambda: world.slack.dms_to(PARTNER)[2:])[-1]
    assert hint["text"].startswith("Send me a request file")
