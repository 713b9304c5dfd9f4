"""The valid examples pass `check` on any day their certificates allow (none of them fixes a
desired deploy date that a later day would make too soon)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Every 41 days from the first day the examples were written for until three months before
# their certificates expire (2029-05-31): every weekday and month comes round.
DAYS = [date(2026, 11, 25) + timedelta(days=41 * i) for i in range(21)]


@pytest.mark.parametrize("name", ["launch-oidc.yaml", "launch-saml-ial2.yaml",
                                  "change-redirects.yaml"])
def test_valid_examples_pass_on_any_day(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    for day in DAYS:
        code = main(["check", str(EXAMPLES / name), "--today", day.isoformat(), "--json"])
        report = json.loads(capsys.readouterr().out)
        assert (code, [f["rule"] for f in report["findings"] if f["severity"] != "info"]) == (
            0, []), day
