"""`launchbot` as a partner runs it: a subprocess, its exit code, stdout and stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
RULES_MD = ROOT.parent / "shared" / "RULES.md"
LAUNCHBOT = Path(sys.executable).with_name("launchbot")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LAUNCHBOT), *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=60)


def run_json(*args: str) -> object:
    result = run(*args, "--json")
    assert result.stderr == ""
    return json.loads(result.stdout)


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_valid_oidc_launch_targets_the_thursday_two_weeks_out() -> None:
    result = run("check", "examples/launch-oidc.yaml", "--today", "2026-11-25", "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["kind"] == "launch"
    assert report["target_deploy_date"] == "2026-12-10"
    assert report["earliest_deploy_date"] == "2026-12-10"
    assert report["lead_time_days"] == 14
    assert {f["severity"] for f in report["findings"]} <= {"info"}
    assert set(report) == {"ok", "kind", "findings", "earliest_deploy_date",
                           "target_deploy_date", "lead_time_days"}


def test_saml_launch_with_push_url_needs_three_weeks() -> None:
    report = run_json("check", "examples/launch-saml-ial2.yaml", "--today", "2026-11-25")
    assert report["ok"] is True
    assert report["target_deploy_date"] == "2026-12-17"
    assert report["lead_time_days"] == 21


def test_change_example_checks_the_fields_it_gives() -> None:
    report = run_json("check", "examples/change-redirects.yaml", "--today", "2026-11-25")
    assert report["ok"] is True and report["kind"] == "change"


def test_invalid_example_exits_1_and_names_its_rules() -> None:
    result = run("check", "examples/invalid-launch.yaml", "--today", "2026-11-25")
    assert result.returncode == 1
    for rule in ("URL-SHAPE", "URL-LOCAL", "URL-DOMAIN", "SAML-ENCRYPT", "ATTR-KNOWN",
                 "APP-NAME-ENV", "CERT-PEM", "LOGO-REQUIRED", "HELP-HTML", "IAA-FORMAT",
                 "CAL-NOT-DEPLOY-DAY", "LAUNCH-DETAILS"):
        assert re.search(rf"^error\s+{rule}\s", result.stdout, re.MULTILINE), rule
    assert "NOT READY" in result.stdout


def test_human_output_is_a_table_with_rule_ids() -> None:
    result = run("check", "examples/launch-oidc.yaml", "--today", "2026-11-25")
    assert result.returncode == 0
    assert re.search(r"^SEVERITY\s+RULE\s+FIELD\s+MESSAGE$", result.stdout, re.MULTILINE)
    assert "CAL-EARLIEST" in result.stdout
    assert "Target deploy: Thu 2026-12-10" in result.stdout


@pytest.mark.skipif(not RULES_MD.exists(), reason="../shared/RULES.md is not beside the repo")
def test_rules_lists_every_rule_of_rules_md() -> None:
    documented = set(re.findall(r"\*\*([A-Z]+(?:-[A-Z0-9]+)+)\*\*", RULES_MD.read_text()))
    assert len(documented) > 60
    listed = run_json("rules")
    assert documented <= {rule["id"] for rule in listed}
    assert all(set(rule) == {"id", "severity", "summary", "source"} for rule in listed)


def test_calendar_shows_thanksgiving_shift() -> None:
    days = run_json("calendar", "--from", "2026-11-01", "--count", "6")
    assert [d["date"] for d in days] == ["2026-11-05", "2026-11-12", "2026-11-19", "2026-11-30",
                                         "2026-12-03", "2026-12-10"]
    monday = days[3]
    assert monday == {"date": "2026-11-30", "regular_date": "2026-11-26", "shifted": True,
                      "reason": "Thanksgiving Day", "cutoff": "2026-11-16",
                      "cutoff_push_notification": "2026-11-09", "often_closed": None}


def test_calendar_until_and_configured_weekdays() -> None:
    result = run("calendar", "--from", "2026-12-01", "--until", "2026-12-10", "--json",
                 env={"DEPLOY_WEEKDAYS": "TUE,THU"})
    assert [d["date"] for d in json.loads(result.stdout)] == [
        "2026-12-01", "2026-12-03", "2026-12-08", "2026-12-10"]


def test_holidays_lists_kinds() -> None:
    holidays = run_json("holidays", "--year", "2025")
    kinds = {h["date"]: h["kind"] for h in holidays}
    assert kinds["2025-01-09"] == "closure"
    assert kinds["2025-12-25"] == "legal"
    result = run("holidays", "--year", "2026", "--json", env={"EXTRA_CLOSURES": "2026-12-24"})
    assert {"date": "2026-12-24", "name": "Configured closure", "kind": "configured"} in \
        json.loads(result.stdout)


def test_missing_logo_file_is_a_finding(tmp_path: Path) -> None:
    request = (EXAMPLES / "launch-oidc.yaml").read_text().replace("benefits-logo.svg", "nope.svg")
    (tmp_path / "r.yaml").write_text(request)
    (tmp_path / "benefits-cert.pem").write_bytes((EXAMPLES / "benefits-cert.pem").read_bytes())
    report = run_json("check", str(tmp_path / "r.yaml"), "--today", "2026-11-25")
    assert report["ok"] is False
    assert [(f["rule"], f["field"]) for f in report["findings"] if f["severity"] == "error"] == [
        ("LOGO-REQUIRED", "logo")]


@pytest.mark.parametrize(("content", "words"), [
    (None, ["no such file"]),
    ("kind: launch\napp_name: [unclosed\n", ["invalid YAML", "line"]),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", ["binary"]),
    ("- just\n- a list\n", ["not a request"]),
    ("a: &x [1]\nb: *x\n", ["aliases"]),
    (b"kind: launch\napp_name: \xff\xfe\n", ["UTF-8"]),
    # found by fuzzing: PyYAML's reader error spans two lines
    ("kind: launch\napp_name: a\x01b\n", ["invalid YAML", "line 2", "#x0001"]),
])
def test_unreadable_input_exits_2_with_one_line(tmp_path: Path, content: object,
                                                words: list[str]) -> None:
    path = tmp_path / "request.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    assert_one_clear_line(run("check", str(path)), *words)


def test_directory_and_huge_file_exit_2(tmp_path: Path) -> None:
    assert_one_clear_line(run("check", str(tmp_path)), "directory")
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    assert_one_clear_line(run("check", str(huge)), "50.0 MB", "too large")


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    """`launchbot calendar --count 3000 | head -1`: the rest of the output (more than a pipe
    holds) meets a closed pipe; the command stops quietly, as `yes | head` does."""
    proc = subprocess.Popen([str(LAUNCHBOT), "calendar", "--count", "3000"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141  # 128 + SIGPIPE, what the shell shows for `yes`
    assert first.startswith(b"DEPLOY DAY")
    assert err == b""


def test_bad_arguments_and_settings_exit_2() -> None:
    assert_one_clear_line(run("holidays", "--year", "1066"), "year")
    assert_one_clear_line(run("calendar", "--count", "0"), "--count")
    assert_one_clear_line(run("frobnicate"), "invalid choice")
    result = run("calendar", "--json", env={"DEPLOY_WEEKDAYS": "FUNDAY"})
    assert_one_clear_line(result, "DEPLOY_WEEKDAYS")
    bad_date = run("check", "examples/launch-oidc.yaml", "--today", "2026-02-30")
    assert_one_clear_line(bad_date, "not a date")
