"""The store's command-line subcommands: db upgrade, integrations import/list, manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import URL

from bot.cli import main

EXPORT = Path(__file__).resolve().parents[2] / "examples" / "integrations-export.yaml"


@pytest.fixture
def env_db(fresh_url: URL, monkeypatch: pytest.MonkeyPatch) -> URL:
    monkeypatch.setenv("DATABASE_URL", fresh_url.render_as_string(hide_password=False))
    return fresh_url


def test_upgrade_import_list_manifest(env_db: URL, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0  # again: a no-op
    assert "at revision" in capsys.readouterr().out
    assert main(["integrations", "import", str(EXPORT)]) == 0
    assert "2 integrations created" in capsys.readouterr().out
    assert main(["integrations", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {i["issuer"] for i in listed} == {
        "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits",
        "urn:gov:gsa:SAML:2.0.profiles:sp:sso:doe:grants"}
    assert main(["manifest", "--date", "2026-11-19", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"date": "2026-11-19", "items": []}


def test_bad_input_is_one_line_and_exit_2(env_db: URL,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["integrations", "list"]) == 2  # not upgraded yet
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "launchbot db upgrade" in err
    assert main(["db", "upgrade"]) == 0
    assert main(["integrations", "import", "/nonexistent/export.yaml"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_unreachable_database(monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["integrations", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("launchbot: database:") and err.count("\n") == 1
