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
    assert "export.yaml: no such file" in capsys.readouterr().err


def test_unreachable_database(monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["integrations", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("launchbot: database:") and err.count("\n") == 1


def _footprint(url: URL) -> tuple[list[tuple[str, str | None]], int]:
    from sqlalchemy import func, select

    from bot.store.db import Store
    from bot.store.models import AuditEvent, Integration

    store = Store.from_url(url)
    try:
        with store.reader() as s:
            return ([(i.issuer, i.friendly_name) for i in
                     s.scalars(select(Integration).order_by(Integration.issuer))],
                    s.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    finally:
        store.dispose()


def test_an_export_with_problems_imports_nothing(env_db: URL, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    bad = tmp_path / "export.yaml"
    bad.write_text(EXPORT.read_text().replace("  ial: 1\n", "  ial: one\n", 1)
                   + "help_text:\n  sign_in: blank\n")
    capsys.readouterr()
    assert main(["integrations", "import", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{bad}: urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits: ial: should be a "
        "valid integer, unable to parse string as an integer (found the text 'one')",
        f"{bad}: help_text: is a field of a request file, not an issuer (is this a request "
        "file?)",
        f"{bad}: 2 problems: nothing imported"]
    assert _footprint(env_db) == ([], 0)
    request = Path(__file__).resolve().parents[2] / "examples" / "launch-oidc.yaml"
    assert main(["integrations", "import", str(request)]) == 2
    assert "this is a request file" in capsys.readouterr().err


def test_dry_run_then_import_then_remove(env_db: URL, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["integrations", "import", str(EXPORT), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DRY RUN: nothing is written.") and "would create 2 integrations" in out
    assert _footprint(env_db) == ([], 0)
    assert main(["integrations", "import", str(EXPORT)]) == 0
    changed = tmp_path / "export.yaml"
    changed.write_text(EXPORT.read_text().replace("friendly_name: Example Grants",
                                                  "friendly_name: Grants"))
    imported = _footprint(env_db)
    capsys.readouterr()
    assert main(["integrations", "import", str(changed), "--dry-run"]) == 0
    assert ("urn:gov:gsa:SAML:2.0.profiles:sp:sso:doe:grants: would change friendly_name"
            in capsys.readouterr().out)
    assert _footprint(env_db) == imported
    grants = "urn:gov:gsa:SAML:2.0.profiles:sp:sso:doe:grants"
    assert main(["integrations", "remove", grants]) == 0
    assert "removed; the audit trail keeps what it held" in capsys.readouterr().out
    issuers, audits = _footprint(env_db)
    assert [i for i, _ in issuers] == ["urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits"]
    assert audits == imported[1] + 1
    assert main(["integrations", "remove", grants]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no integration" in err


def test_manifest_for_a_day_that_is_not_a_deploy_day(env_db: URL,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["manifest", "--date", "2026-11-24"]) == 2
    assert ("Tue 2026-11-24 is not a deploy day; the next is Mon 2026-11-30"
            in capsys.readouterr().err)
    assert main(["manifest", "--date", "2026-11-26"]) == 2  # Thanksgiving
    assert "that week's deploy day is Mon 2026-11-30" in capsys.readouterr().err
