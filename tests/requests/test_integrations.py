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
from bot.store.models import IntegrationDeploy

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
