"""Expedited requests: a deploy day inside the cutoff, asked for with a justification, is a
CAL-EXPEDITE warning instead of a CAL-LEAD error, and needs two different reviewers' approvals
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.calendar import DeployCalendar
from bot.models import Severity
from bot.requests import RequestRecord, ValidationFailed, approve, get_request, submit
from bot.requests.expedite import SecondReviewerNeeded, first_approvals
from bot.requests.manifest import manifest_for, render_text
from bot.rules import Context, validate
from bot.store.db import Store
from bot.store.models import AuditEvent
from tests.requests.conftest import (
    LAUNCH_FILES,
    NOW,
    PARTNER,
    REVIEWER,
    REVIEWER2,
    example_files,
)

SOON = date(2026, 11, 12)  # 10 days after NOW; the earliest with 14 days' notice is Nov 19
WHY = "Our SAML signing certificate expires on November 14 and sign-in would stop."


def expedited(data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**data, "desired_deploy_date": SOON, "expedite_justification": WHY, **extra}


def judged(data: dict[str, Any], cal: DeployCalendar) -> dict[str, tuple[str, str | None]]:
    report = validate(data, context=Context(now=NOW, calendar=cal,
                                            files=example_files(*LAUNCH_FILES)))
    return {f.rule: (f.severity.value, f.field) for f in report.findings
            if f.rule.startswith("CAL-")} | {"target": (str(report.target_deploy_date), None)}


def test_the_justified_ask_is_a_warning_and_sets_the_day(launch_data: dict[str, Any],
                                                         cal: DeployCalendar) -> None:
    found = judged(expedited(launch_data), cal)
    assert found["CAL-EXPEDITE"] == ("warning", "expedite_justification")
    assert "CAL-LEAD" not in found
    assert found["target"] == ("2026-11-12", None)


@pytest.mark.parametrize(("extra", "rule_severity", "also"), [
    ({"expedite_justification": None}, None, "CAL-LEAD"),  # no ask: the error as before
    ({"expedite_justification": "urgent"}, "error", "CAL-LEAD"),  # no real reason
    ({"desired_deploy_date": date(2026, 11, 11)}, None, "CAL-NOT-DEPLOY-DAY"),
    ({"desired_deploy_date": date(2026, 11, 2)}, "error", "CAL-LEAD"),  # today
    ({"desired_deploy_date": date(2026, 11, 19)}, "info", None),  # makes the cutoff anyway
    ({"desired_deploy_date": None}, "error", None),  # which day?
])
def test_what_an_expedite_ask_cannot_do(launch_data: dict[str, Any], cal: DeployCalendar,
                                        extra: dict[str, Any], rule_severity: str | None,
                                        also: str | None) -> None:
    data = {k: v for k, v in expedited(launch_data, **extra).items() if v is not None}
    found = judged(data, cal)
    assert found.get("CAL-EXPEDITE", (None,))[0] == rule_severity
    if also:
        assert found[also][0] == "error"


def test_operators_can_turn_the_path_off(launch_data: dict[str, Any]) -> None:
    found = judged(expedited(launch_data), DeployCalendar(expedite=False))
    assert found["CAL-LEAD"][0] == "error"
    assert found["CAL-EXPEDITE"] == ("error", "expedite_justification")


@pytest.fixture
def rush(db: Store, cal: DeployCalendar, launch_data: dict[str, Any]) -> RequestRecord:
    with db.unit_of_work() as s:
        return submit(s, expedited(launch_data), actor=PARTNER, now=NOW, calendar=cal,
                      files=example_files(*LAUNCH_FILES))


def test_two_different_reviewers_approve_an_expedited_request(
        db: Store, rush: RequestRecord) -> None:
    assert rush.target_deploy_date == SOON
    with db.unit_of_work() as s:
        first = approve(s, rush.id, actor=REVIEWER, now=NOW)
    assert first.state == "in_review"  # 1 of 2
    with db.reader() as s:
        assert first_approvals(s, rush.id) == [REVIEWER.user_id]
    with pytest.raises(SecondReviewerNeeded, match="two different reviewers"), \
            db.unit_of_work() as s:
        approve(s, rush.id, actor=REVIEWER, now=NOW)
    with db.unit_of_work() as s:
        second = approve(s, rush.id, actor=REVIEWER2, now=NOW)
    assert second.state == "approved" and second.decided_by == REVIEWER2.user_id
    with db.reader() as s:
        trail = [(e.action, e.actor) for e in s.query(AuditEvent).order_by(AuditEvent.id)]
        items = manifest_for(s, SOON)
    assert trail[-2:] == [("approve_first", REVIEWER.user_id), ("approve", REVIEWER2.user_id)]
    assert [i.expedited for i in items] == [True]
    assert "EXPEDITED" in render_text(SOON, items)


def test_an_ordinary_request_needs_one_approval(db: Store, submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        assert approve(s, submitted.id, actor=REVIEWER, now=NOW).state == "approved"
    with db.reader() as s:
        items = manifest_for(s, submitted.target_deploy_date)
    assert [i.expedited for i in items] == [False]


def test_without_the_ask_a_short_notice_request_is_refused(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as refused, db.unit_of_work() as s:
        submit(s, {**launch_data, "desired_deploy_date": SOON}, actor=PARTNER, now=NOW,
               calendar=cal, files=example_files(*LAUNCH_FILES))
    assert "CAL-LEAD" in {f.rule for f in refused.value.report.findings
                          if f.severity is Severity.error}


def test_the_partner_sees_it_as_expedited(db: Store, rush: RequestRecord) -> None:
    with db.reader() as s:
        record = get_request(s, rush.public_id, actor=PARTNER)
    assert any(f.rule == "CAL-EXPEDITE" and f.severity is Severity.warning
               for f in record.findings)
