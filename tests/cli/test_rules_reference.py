"""docs/rules.md is printed by `launchbot rules --markdown` and must be what it prints; what the
project prints and documents points only at files in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert REFERENCE.read_text(encoding="utf-8") == printed, (
        "docs/rules.md is out of date: run `launchbot rules --markdown > docs/rules.md`")


def test_every_rule_and_request_field_is_in_the_reference() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    assert set(re.findall(r"\*\*([A-Z]+(?:-[A-Z0-9]+)+)\*\*", text)) == {r.id for r in RULES}
    for field in ("kind", "redirect_uris", "desired_deploy_date", "attestations"):
        assert f"| `{field}` |" in text


def test_nothing_points_at_documents_outside_the_repository() -> None:
    outside = re.compile(r"(?<![\w/])(RULES|DESIGN)\.md")
    files = [ROOT / "README.md", ROOT / "manifest.yml", *ROOT.glob("examples/*.yaml"),
             *ROOT.glob("bot/**/*.py"), *ROOT.glob("docs/*.md")]
    found = [f"{path.relative_to(ROOT)}:{n}" for path in files
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if outside.search(line)]
    assert found == []
