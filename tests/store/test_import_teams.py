"""`launchbot integrations import` with the export's `teams:`: teams created by slug, members by
email (resolved with users.lookupByEmail when a bot token is set), the integrations given to
the team; a re-import changes nothing, a dry run writes nothing, a bad email imports nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import URL, func, select

from bot.cli import main
from bot.devtools.fake_slack import FakeSlack
from bot.store.db import Store
from bot.store.models import AuditEvent, Integration, Team, TeamEvent, TeamMember

EXPORT = Path(__file__).resolve().parents[2] / "examples" / "integrations-export.yaml"
BENEFITS = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits"
GRANTS = "urn:gov:gsa:SAML:2.0.profiles:sp:sso:doe:grants"
TEAMS = [{"name": "DHS Benefits", "agency": "Department of Homeland Security",
          "members": ["Ana@dhs.gov", "ben@dhs.gov"], "integrations": [BENEFITS]},
         {"name": "DOE Grants", "agency": "Department of Energy", "members": [],
          "integrations": [GRANTS]}]


@pytest.fixture
def env_db(fresh_url: URL, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> URL:
    monkeypatch.setenv("DATABASE_URL", fresh_url.render_as_string(hide_password=False))
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    return fresh_url


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", fake.bot_token)
        monkeypatch.setenv("SLACK_API_URL", fake.url)
        yield fake


def _export(tmp_path: Path, teams: list[dict]) -> Path:
    data = yaml.safe_load(EXPORT.read_text())
    data["teams"] = teams
    path = tmp_path / "export.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _state(url: URL) -> dict:
    store = Store.from_url(url)
    try:
        with store.reader() as s:
            teams = {t.slug: (t.name, t.agency) for t in s.scalars(select(Team))}
            members = sorted((m.team.slug, m.email, m.user_id)
                             for m in s.scalars(select(TeamMember)))
            owners = {i.issuer: (s.get(Team, i.partner_team_id).slug
                                 if i.partner_team_id else None)
                      for i in s.scalars(select(Integration))}
            events = [(e.action, e.actor) for e in s.scalars(select(TeamEvent)
                                                             .order_by(TeamEvent.id))]
            audits = s.scalar(select(func.count()).select_from(AuditEvent))
            return {"teams": teams, "members": members, "owners": owners, "events": events,
                    "audits": audits}
    finally:
        store.dispose()


def test_import_creates_teams_and_reimport_changes_nothing(
        env_db: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = _export(tmp_path, TEAMS)
    assert main(["integrations", "import", str(export)]) == 0
    out = capsys.readouterr().out
    assert "teams: 2 created, 0 updated" in out
    assert "dhs-benefits: members added: ana@dhs.gov, ben@dhs.gov" in out
    state = _state(env_db)
    assert state["teams"] == {"dhs-benefits": ("DHS Benefits", "Department of Homeland Security"),
                              "doe-grants": ("DOE Grants", "Department of Energy")}
    # no token: the emails wait to be matched when those people first use the bot
    assert state["members"] == [("dhs-benefits", "ana@dhs.gov", None),
                                ("dhs-benefits", "ben@dhs.gov", None)]
    assert state["owners"] == {BENEFITS: "dhs-benefits", GRANTS: "doe-grants"}
    assert ("create", "import") in state["events"]
    assert ("add_members", "import") in state["events"]
    assert ("own_integrations", "import") in state["events"]

    assert main(["integrations", "import", str(export)]) == 0
    out = capsys.readouterr().out
    assert "teams: 0 created, 0 updated" in out and "members added" not in out
    again = _state(env_db)
    assert {k: v for k, v in again.items() if k != "audits"} == {
        k: v for k, v in state.items() if k != "audits"}


def test_dry_run_writes_nothing(env_db: URL, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    before = _state(env_db)
    assert main(["integrations", "import", str(_export(tmp_path, TEAMS)), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DRY RUN: nothing is written.")
    assert "teams: 2 would be created" in out
    assert f"dhs-benefits: would be given {BENEFITS}" in out
    assert _state(env_db) == before


@pytest.mark.parametrize(("team", "line"), [
    ({**TEAMS[0], "members": ["ana-at-dhs.gov"]},
     "teams: DHS Benefits: members: 'ana-at-dhs.gov' is not an email address"),
    ({**TEAMS[0], "owner": "ana"}, "teams: DHS Benefits: owner: unknown field: one of name, "
                                   "agency, members, integrations"),
    ({**TEAMS[0], "integrations": ["urn:gov:nope"]},
     "teams: DHS Benefits: integrations: 'urn:gov:nope' is not an issuer of this export"),
])
def test_a_bad_team_is_one_line_and_imports_nothing(
        env_db: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str], team: dict,
        line: str) -> None:
    export = _export(tmp_path, [team])
    before = _state(env_db)
    assert main(["integrations", "import", str(export)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{export}: {line}", f"{export}: 1 problem: nothing imported"]
    assert _state(env_db) == before


def test_emails_resolved_by_lookup_when_a_token_is_set(
        env_db: URL, tmp_path: Path, slack: FakeSlack,
        capsys: pytest.CaptureFixture[str]) -> None:
    slack.add_user("U0ANA", email="ana@dhs.gov")
    assert main(["integrations", "import", str(_export(tmp_path, TEAMS))]) == 0
    # ben is unknown to Slack: kept by email, matched on first use
    assert _state(env_db)["members"] == [("dhs-benefits", "ana@dhs.gov", "U0ANA"),
                                         ("dhs-benefits", "ben@dhs.gov", None)]
    assert [c.ok for c in slack.calls_to("users.lookupByEmail")] == [True, False]
