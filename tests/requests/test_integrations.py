"""The integrations registry: importing an export, and change requests judged on the current
configuration with the changes applied."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.calendar import DeployCalendar
from bot.requests import (
    ValidationFailed,
    approve,
    import_export,
    list_integrations,
    mark_deployed,
    submit,
)
from bot.requests.integrations import ExportError, read_export
from bot.store.db import Store
from bot.store.models import Integration, IntegrationDeploy

from .conftest import EXAMPLES, NOW, PARTNER, REVIEWER, example

BENEFITS = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits"
GRANTS = "urn:gov:gsa:SAML:2.0.profiles:sp:sso:doe:grants"


@pytest.fixture
def export() -> dict[str, Any]:
    return read_export((EXAMPLES / "integrations-export.yaml").read_text())


@pytest.fixture
def imported(db: Store, export: dict[str, Any]) -> None:
    with db.unit_of_work() as s:
        import_export(s, export, NOW)


def test_import_maps_the_export(db: Store, export: dict[str, Any]) -> None:
    with db.unit_of_work() as s:
        result = import_export(s, export, NOW)
    assert sorted(result.created) == sorted([BENEFITS, GRANTS])
    assert result.set_aside[GRANTS] == ["agency_id", "allow_prompt_login"]
    with db.reader() as s:
        by_issuer = {i.issuer: i for i in list_integrations(s)}
    grants = by_issuer[GRANTS]
    assert (grants.agency, grants.friendly_name) == ("Department of Examples", "Example Grants")
    assert grants.configuration["protocol"] == "saml"  # inferred: it has an ACS URL
    assert grants.configuration["help_text"]["sign_in"] == "agency_email"
    assert grants.configuration["certificates"] == ["imported-1.pem"]
    assert grants.extra == {"agency_id": 12, "allow_prompt_login": True}
    assert by_issuer[BENEFITS].configuration["protocol"] == "oidc_private_key_jwt"


def test_reimport_updates_what_changed(db: Store, export: dict[str, Any],
                                       imported: None) -> None:
    export[GRANTS]["friendly_name"] = "Grants"
    export[BENEFITS]["unexpected"] = {"nested": [1, 2]}
    with db.unit_of_work() as s:
        result = import_export(s, export, NOW + timedelta(days=1))
    assert (result.created, sorted(result.updated), result.unchanged) == (
        [], sorted([GRANTS, BENEFITS]), [])
    with db.unit_of_work() as s:
        assert import_export(s, export, NOW).unchanged == [BENEFITS, GRANTS]
    with db.reader() as s:
        by_issuer = {i.issuer: i for i in list_integrations(s)}
    assert by_issuer[GRANTS].friendly_name == "Grants"
    assert by_issuer[BENEFITS].extra["unexpected"] == {"nested": [1, 2]}


def test_bad_entries_are_skipped_not_fatal(db: Store) -> None:
    with db.unit_of_work() as s:
        result = import_export(s, {"urn:x": "not a mapping", "urn:y": {"ial": "two"}}, NOW)
    assert result.skipped == {"urn:x": "its configuration is not a mapping of fields"}
    assert result.created == ["urn:y"] and result.set_aside["urn:y"] == ["ial"]
    with pytest.raises(ExportError):
        read_export("- just\n- a list\n")
    with pytest.raises(ExportError, match="line"):
        read_export("a: [unclosed\n")


def test_launch_of_a_known_issuer_is_refused(db: Store, cal: DeployCalendar,
                                             imported: None) -> None:
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, example("launch-oidc.yaml"), actor=PARTNER, now=NOW, calendar=cal,
               files={})
    assert "ISS-UNIQUE" in {f.rule for f in err.value.report.errors}


def test_change_is_judged_on_the_merged_configuration(db: Store, cal: DeployCalendar,
                                                      imported: None) -> None:
    with db.unit_of_work() as s:
        record = submit(s, example("change-redirects.yaml"), actor=PARTNER, now=NOW,
                        calendar=cal)
    assert record.kind == "change" and record.target_deploy_date == date(2026, 11, 19)
    assert record.diff == {
        "default_aal": {"old": 1, "new": 2},
        "redirect_uris": {"old": ["https://benefits.example.gov/auth/result"],
                          "new": ["https://benefits.example.gov/auth/result",
                                  "https://claims.benefits.example.gov/auth/result"]},
    }
    # IAL 2 without a failure-to-proof URL: only visible on the merged configuration.
    change = {"kind": "change", "issuer": BENEFITS, "ial": 2,
              "attestations": {"iaa_lists_integration": True}}
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, change, actor=PARTNER, now=NOW, calendar=cal)
    assert "IDV-FTP" in {f.rule for f in err.value.report.errors}


def test_unknown_issuer_cannot_be_changed(db: Store, cal: DeployCalendar,
                                          imported: None) -> None:
    change = {**example("change-redirects.yaml"), "issuer": "urn:gov:gsa:unknown"}
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, change, actor=PARTNER, now=NOW, calendar=cal)
    assert "ISS-UNIQUE" in {f.rule for f in err.value.report.errors}


@pytest.mark.parametrize(("push_url", "target"), [
    ("https://benefits.example.gov/api/risc", date(2026, 11, 19)),  # unchanged: 14 days
    ("https://benefits.example.gov/api/risc/v2", date(2026, 11, 30)),  # changed: 21 days
])
def test_push_lead_time_only_when_the_url_changes(db: Store, cal: DeployCalendar,
                                                  imported: None, push_url: str,
                                                  target: date) -> None:
    change = {"kind": "change", "issuer": BENEFITS, "push_notification_url": push_url,
              "attestations": {"iaa_lists_integration": True}}
    with db.unit_of_work() as s:
        record = submit(s, change, actor=PARTNER, now=NOW, calendar=cal)
    assert record.target_deploy_date == target


def test_deploying_a_change_updates_the_integration(db: Store, cal: DeployCalendar,
                                                    imported: None) -> None:
    with db.unit_of_work() as s:
        record = submit(s, example("change-redirects.yaml"), actor=PARTNER, now=NOW,
                        calendar=cal)
    with db.unit_of_work() as s:
        approve(s, record.id, actor=REVIEWER, now=NOW)
        mark_deployed(s, record.id, actor=REVIEWER, now=NOW + timedelta(days=17))
    with db.reader() as s:
        benefits = next(i for i in list_integrations(s) if i.issuer == BENEFITS)
        assert benefits.configuration["default_aal"] == 2
        assert len(benefits.configuration["redirect_uris"]) == 2
        assert benefits.configuration["push_notification_url"] == (
            "https://benefits.example.gov/api/risc")  # untouched fields stay
        assert "change_summary" not in benefits.configuration
        history = s.scalars(select(IntegrationDeploy)).all()
        assert [h.request_id for h in history] == [record.id]
        assert history[0].configuration["default_aal"] == 2


def test_an_export_is_checked_whole_one_problem_per_issuer_and_field(
        export: dict[str, Any]) -> None:
    from bot.requests.integrations import check_export

    assert check_export(export) == []
    export[BENEFITS] = {**export[BENEFITS], "ial": "two", "protocol": "carrier pigeon"}
    export["help_text"] = {"sign_in": "blank"}  # what a request file would bring
    export["urn:gov:gsa:SAML:2.0.profiles:sp:sso:x:y"] = ["not", "fields"]
    problems = [(p.issuer, p.field) for p in check_export(export)]
    assert problems == [(BENEFITS, "protocol"), (BENEFITS, "ial"), ("help_text", None),
                        ("urn:gov:gsa:SAML:2.0.profiles:sp:sso:x:y", None)]


def test_a_request_file_is_not_an_export() -> None:
    with pytest.raises(ExportError, match="this is a request file"):
        read_export((EXAMPLES / "launch-oidc.yaml").read_text())


def test_a_dry_run_says_what_would_change_and_writes_nothing(
        db: Store, export: dict[str, Any], imported: None) -> None:
    from bot.store.models import AuditEvent, Integration

    export[GRANTS] = {**export[GRANTS], "friendly_name": "Grants"}
    with db.unit_of_work() as s:
        result = import_export(s, export, NOW, dry_run=True)
    assert (result.updated, result.changed) == ([GRANTS], {GRANTS: ["friendly_name"]})
    with db.reader() as s:
        names = {i.issuer: i.friendly_name for i in s.scalars(select(Integration))}
        audits = s.scalars(select(AuditEvent.action)).all()
    assert names[GRANTS] == "Example Grants"
    assert audits == ["import_integrations"]  # the fixture's import only


def test_remove_is_audited_and_refused_for_an_integration_with_history(
        db: Store, imported: None) -> None:
    from bot.requests.integrations import IntegrationInUse, remove_integration
    from bot.store.models import AuditEvent

    with db.unit_of_work() as s:
        removed = remove_integration(s, GRANTS, NOW, by="cli:ops")
        assert remove_integration(s, "urn:nothing:here", NOW) is None
    assert removed is not None and removed.issuer == GRANTS
    with db.reader() as s:
        assert [i.issuer for i in list_integrations(s)] == [BENEFITS]
        audit = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "remove_integration")).one()
        assert (audit.actor, audit.detail["issuer"]) == ("cli:ops", GRANTS)
        assert audit.detail["friendly_name"] == "Example Grants"  # nothing it held is lost
    with db.unit_of_work() as s:
        benefits = s.scalars(select(Integration).where(Integration.issuer == BENEFITS)).one()
        s.add(IntegrationDeploy(integration_id=benefits.id, deployed_at=NOW, deployed_by="x",
                                configuration={}))
    with pytest.raises(IntegrationInUse, match="not removed"), db.unit_of_work() as s:
        remove_integration(s, BENEFITS, NOW)
