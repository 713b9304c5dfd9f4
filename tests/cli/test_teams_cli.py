"""`launchbot teams`: what a reviewer types, what they read back; bad input is one line on
stderr, exit 2, and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import URL

from bot.cli import main


@pytest.fixture
def teams(db_url: URL, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("DATABASE_URL", db_url.render_as_string(hide_password=False))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["teams", *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_a_reviewer_sets_up_a_team(teams) -> None:
    assert teams("create", "dhs-benefits", "--name", "Benefits portal", "--agency", "DHS")[0] == 0
    code, out, _ = teams("add-member", "dhs-benefits", "U0ALICE", "U0BOB", "pat@dhs.gov")
    assert (code, out) == (0, "3 members added to dhs-benefits: U0ALICE, U0BOB, pat@dhs.gov\n")
    assert teams("remove-member", "dhs-benefits", "U0BOB")[1] == (
        "1 member removed from dhs-benefits: U0BOB\n")
    assert teams("bind-workspace", "dhs-benefits", "T0DHS")[1] == (
        "workspace T0DHS bound to dhs-benefits\n")
    assert teams("bind-channel", "dhs-benefits", "C0DHS")[0] == 0
    code, out, _ = teams("show", "dhs-benefits", "--json")
    assert json.loads(out) == {
        "slug": "dhs-benefits", "name": "Benefits portal", "agency": "DHS",
        "members": ["U0ALICE", "pat@dhs.gov"], "workspaces": ["T0DHS"], "channels": ["C0DHS"],
        "integrations": [], "open_requests": [], "open_tickets": []}
    code, out, _ = teams("list")
    assert out.splitlines()[0].split() == ["SLUG", "MEMBERS", "BOUND", "AGENCY", "NAME"]
    assert out.splitlines()[1].split()[:2] == ["dhs-benefits", "2"]
    assert teams("unbind-channel", "dhs-benefits", "C0DHS")[0] == 0
    assert json.loads(teams("list", "--json")[1])[0]["channels"] == []


@pytest.mark.parametrize(("args", "message"), [
    (("add-member", "nope", "U0ALICE"), "no team 'nope'"),
    (("add-member", "dhs", "alice"), "'alice' is not a Slack user ID"),
    (("bind-workspace", "va", "T0DHS"), "workspace T0DHS is already bound to team 'dhs'"),
    (("bind-channel", "dhs", "T0DHS"), "'T0DHS' is not a Slack channel ID"),
    (("create", "DHS!", "--name", "x", "--agency", "y"), "'DHS!' is not a team slug"),
    (("show", "nope"), "no team 'nope'"),
    (("move", "dhs", "LR-1001"), "there is no LR-1001"),
])
def test_bad_input_is_one_line_and_changes_nothing(teams, args, message) -> None:
    teams("create", "dhs", "--name", "DHS", "--agency", "DHS")
    teams("create", "va", "--name", "VA", "--agency", "VA")
    teams("bind-workspace", "dhs", "T0DHS")
    before = teams("list", "--json")[1]
    code, out, err = teams(*args)
    assert code == 2 and out == ""
    assert err.startswith(f"launchbot: {message}") and err.count("\n") == 1
    assert teams("list", "--json")[1] == before
