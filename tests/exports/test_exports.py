"""`launchbot export`: what a team reads back in a spreadsheet or a script is every record with
its decision and dates, in stable columns (docs/exports.md)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, update

from bot.calendar import DeployCalendar
from bot.cli import main
from bot.exports import TABLES
from bot.requests import approve, mark_deployed, reject, request_changes, submit
from bot.store.db import Store
from bot.store.models import Request, parse_public_id
from bot.teams.manage import create_team
from bot.tickets.use_cases import claim_ticket, file_ticket, resolve_ticket
from tests.requests.conftest import (
    LAUNCH_FILES,
    NOW,
    PARTNER,
    REVIEWER,
    STRANGER,
    example,
    example_files,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "exports.md"
ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:"


@pytest.fixture
def env_db(db_url: URL, monkeypatch: pytest.MonkeyPatch) -> URL:
    monkeypatch.setenv("DATABASE_URL", db_url.render_as_string(hide_password=False))
    return db_url


def _file(db: Store, cal: DeployCalendar, name: str, *, actor: Any = PARTNER,
          hours: int = 0) -> str:
    data = {**example("launch-oidc.yaml"), "issuer": ISSUER + name, "friendly_name": name}
    with db.unit_of_work() as s:
        return submit(s, data, actor=actor, now=NOW + timedelta(hours=hours), calendar=cal,
                      files=example_files(*LAUNCH_FILES)).public_id


@pytest.fixture
def worked(db: Store, cal: DeployCalendar) -> dict[str, str]:
    """Three launches of one team and one of another: deployed, rejected, changes requested,
    still submitted; and a resolved ticket."""
    ids = {"deployed": _file(db, cal, "one"), "rejected": _file(db, cal, "two", hours=1),
           "changes": _file(db, cal, "three", hours=2),
           "other": _file(db, cal, "four", actor=STRANGER, hours=3)}
    later = NOW + timedelta(days=1)
    with db.unit_of_work() as s:
        approve(s, ids["deployed"], actor=REVIEWER, now=later)
        reject(s, ids["rejected"], actor=REVIEWER, now=later, reason="a duplicate of LR-9")
        request_changes(s, ids["changes"], actor=REVIEWER, now=later, comment="fix, the IAA")
    with db.unit_of_work() as s:
        mark_deployed(s, ids["deployed"], actor=REVIEWER, now=NOW + timedelta(days=17))
    with db.unit_of_work() as s:
        ticket = file_ticket(s, {"category": "redirect problem", "environment": "production",
                                 "summary": "Redirect fails", "description": "An error page.",
                                 "production_account_email": "pat.doe@example.gov"},
                             actor=PARTNER, now=NOW)
        claim_ticket(s, ticket.id, actor=REVIEWER, now=later)
        resolve_ticket(s, ticket.id, actor=REVIEWER, now=later, note="Fixed the redirect")
    ids["ticket"] = ticket.public_id
    return ids


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["export", *args]) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(r"\d+ records? of \w+ exported\n", captured.err)
    return captured.out


def test_requests_round_trip_csv_and_json(env_db: URL, worked: dict[str, str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(capsys, "requests"))))
    as_json = json.loads(_export(capsys, "requests", "--format", "json"))
    assert len(rows) == len(as_json) == 4
    by_id = {r["id"]: r for r in rows}
    deployed = by_id[worked["deployed"]]
    assert (deployed["state"], deployed["decision"], deployed["decided_by"]) == (
        "deployed", "approved", REVIEWER.user_id)
    assert deployed["submitted_at"] == "2026-11-02T10:00:00-05:00"  # the calendar's zone
    assert deployed["decided_at"] == "2026-11-03T10:00:00-05:00"
    assert deployed["deployed_at"] == "2026-11-19T10:00:00-05:00"
    assert deployed["target_deploy_date"] == "2026-11-19"
    assert deployed["iaa_number"] == "LGABCFY210001-0001-0000"
    assert deployed["friendly_name"] == "one"
    rejected = by_id[worked["rejected"]]
    assert (rejected["decision"], rejected["decision_note"]) == ("rejected", "a duplicate of LR-9")
    changes = by_id[worked["changes"]]
    assert (changes["decision"], changes["decision_note"]) == ("changes_requested",
                                                               "fix, the IAA")
    assert by_id[worked["other"]]["decision"] == ""
    # JSON has the same records, with numbers as numbers and absent values as null
    first = {r["id"]: r for r in as_json}[worked["other"]]
    assert first["decision"] is None and first["lead_time_days"] == 14
    assert {k: str(v) if v is not None else "" for k, v in first.items()} == by_id[
        worked["other"]]


def test_decisions_tickets_and_audit(env_db: URL, worked: dict[str, str],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    decisions = list(csv.DictReader(io.StringIO(_export(capsys, "decisions"))))
    assert [(d["request_id"], d["decision"], d["note"]) for d in decisions] == [
        (worked["deployed"], "approve", ""),
        (worked["rejected"], "reject", "a duplicate of LR-9"),
        (worked["changes"], "request_changes", "fix, the IAA")]
    tickets = json.loads(_export(capsys, "tickets", "--format", "json"))
    assert [(t["id"], t["state"], t["urgent"], t["resolution_note"]) for t in tickets] == [
        (worked["ticket"], "resolved", False, "Fixed the redirect")]
    audit = list(csv.DictReader(io.StringIO(_export(capsys, "audit"))))
    assert [a["at"] for a in audit] == sorted(a["at"] for a in audit)
    assert {a["record"] for a in audit} == {*[worked[k] for k in
                                              ("deployed", "rejected", "changes", "other")],
                                            worked["ticket"]}
    resolve = next(a for a in audit if a["action"] == "resolve")
    assert json.loads(resolve["detail"]) == {"note": "Fixed the redirect"}


def test_team_and_dates_filter(env_db: URL, db: Store, worked: dict[str, str],
                               capsys: pytest.CaptureFixture[str]) -> None:
    team = list(csv.DictReader(io.StringIO(
        _export(capsys, "requests", "--team", STRANGER.team_id))))
    assert [r["id"] for r in team] == [worked["other"]]
    with db.unit_of_work() as s:  # a partner team owns the deployed one: found by its slug
        team = create_team(s, "dhs-benefits", name="Benefits", agency="DHS", actor="U0ADMIN",
                           now=NOW)
        s.execute(update(Request).where(Request.id == parse_public_id(worked["deployed"]))
                  .values(partner_team_id=team.id))
    by_slug = list(csv.DictReader(io.StringIO(
        _export(capsys, "requests", "--team", "dhs-benefits"))))
    assert [(r["id"], r["team"]) for r in by_slug] == [(worked["deployed"], "dhs-benefits")]
    decided = json.loads(_export(capsys, "decisions", "--team", "dhs-benefits",
                                 "--format", "json"))
    assert [(d["request_id"], d["team"]) for d in decided] == [
        (worked["deployed"], "dhs-benefits")]
    # decided on 2026-11-03 (New York); deployed on the 19th
    on_day = list(csv.DictReader(io.StringIO(
        _export(capsys, "audit", "--since", "2026-11-03", "--until", "2026-11-03"))))
    assert {a["action"] for a in on_day} == {"approve", "reject", "request_changes", "claim",
                                             "resolve"}
    assert main(["export", "requests", "--since", "2026-11-04", "--until", "2026-11-03"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--since 2026-11-04 is after --until 2026-11-03" in err


@pytest.mark.parametrize("what", list(TABLES))
def test_empty_store_writes_the_header_only(env_db: URL, what: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(capsys, what) == ",".join(TABLES[what].columns) + "\n"
    assert json.loads(_export(capsys, what, "--format", "json")) == []


def test_columns_are_documented() -> None:
    text = DOCS.read_text()
    for table in TABLES.values():
        documented = re.findall(r"^\| `(\w+)` \|", text.split(f"## {table.name}\n")[1]
                                .split("\n## ")[0], re.MULTILINE)
        assert documented == list(table.columns), table.name
