"""Resubmit, withdraw, mark deployed, slip; and a transaction that fails halfway."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.calendar import DeployCalendar
from bot.requests import (
    Actor,
    AlreadyDecided,
    InvalidTransition,
    NotAllowed,
    NotFound,
    RequestRecord,
    ValidationFailed,
    approve,
    get_request,
    list_integrations,
    mark_deployed,
    queries,
    request_changes,
    resubmit,
    slip,
    team_requests,
    withdraw,
)
from bot.slack.refusals import refusal_text
from bot.store.db import Store
from bot.store.models import AuditEvent, IntegrationDeploy, OutboxMessage

from .conftest import NOW, PARTNER, REVIEWER, REVIEWER2, STRANGER, TEAMMATE

LATER = NOW + timedelta(hours=2)


def _changes_requested(db: Store, record: RequestRecord) -> None:
    with db.unit_of_work() as s:
        request_changes(s, record.id, actor=REVIEWER, now=LATER, comment="use AAL 2")


def test_resubmit_goes_back_to_review_and_keeps_files(db: Store, cal: DeployCalendar,
                                                      submitted: RequestRecord,
                                                      launch_data: dict[str, Any]) -> None:
    _changes_requested(db, submitted)
    launch_data["default_aal"] = 2
    with db.unit_of_work() as s:  # no files uploaded again: the previous ones are used
        record = resubmit(s, submitted.public_id, launch_data, actor=TEAMMATE, now=LATER,
                          calendar=cal)
    assert (record.state, record.version, record.decided_by) == ("submitted", 3, None)
    assert record.submitted["default_aal"] == 2
    assert {a.name for a in record.attachments} == {"benefits-logo.svg", "benefits-cert.pem"}
    assert record.attachments == submitted.attachments
    with db.reader() as s:
        assert [r.id for r in queries.review_queue(s)] == [submitted.id]


def test_resubmit_target_is_never_earlier(db: Store, cal: DeployCalendar,
                                          launch_data: dict[str, Any]) -> None:
    from bot.requests import submit

    from .conftest import LAUNCH_FILES, example_files

    launch_data["desired_deploy_date"] = "2026-12-10"
    with db.unit_of_work() as s:
        record = submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
                        files=example_files(*LAUNCH_FILES))
    _changes_requested(db, record)
    del launch_data["desired_deploy_date"]  # would now be the earliest: 2026-11-19
    with db.unit_of_work() as s:
        again = resubmit(s, record.id, launch_data, actor=PARTNER, now=LATER, calendar=cal)
    assert again.target_deploy_date == date(2026, 12, 10)
    # A late resubmission moves the target out: three weeks later, 14 days' notice again.
    _changes_requested(db, again)
    with db.unit_of_work() as s:
        late = resubmit(s, record.id, launch_data, actor=PARTNER, now=NOW + timedelta(days=30),
                        calendar=cal)
    assert late.target_deploy_date == date(2026, 12, 17)


def test_resubmit_refusals(db: Store, cal: DeployCalendar, submitted: RequestRecord,
                           launch_data: dict[str, Any]) -> None:
    with pytest.raises(InvalidTransition), db.unit_of_work() as s:  # not waiting on changes
        resubmit(s, submitted.id, launch_data, actor=PARTNER, now=LATER, calendar=cal)
    _changes_requested(db, submitted)
    with pytest.raises(NotFound), db.unit_of_work() as s:
        resubmit(s, submitted.id, launch_data, actor=STRANGER, now=LATER, calendar=cal)
    launch_data["redirect_uris"] = ["https://benefits.example.org/cb"]
    with pytest.raises(ValidationFailed), db.unit_of_work() as s:
        resubmit(s, submitted.id, launch_data, actor=PARTNER, now=LATER, calendar=cal)
    with db.reader() as s:
        assert get_request(s, submitted.id, actor=PARTNER).state == "changes_requested"


def test_withdraw_by_the_team_before_approval(db: Store, submitted: RequestRecord) -> None:
    with pytest.raises(NotFound), db.unit_of_work() as s:
        withdraw(s, submitted.id, actor=STRANGER, now=LATER)
    with pytest.raises(NotAllowed) as err, db.unit_of_work() as s:
        withdraw(s, submitted.id, actor=REVIEWER, now=LATER)
    assert err.value.reason == "other_team"
    with db.unit_of_work() as s:
        record = withdraw(s, submitted.id, actor=TEAMMATE, now=LATER, reason="wrong app")
    assert (record.state, record.decided_by) == ("withdrawn", TEAMMATE.user_id)
    with pytest.raises(AlreadyDecided) as late, db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    assert refusal_text(late.value) == "LR-1001 was already withdrawn by <@U0TEAMMATE>."


def test_no_withdrawal_after_approval(db: Store, submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    with pytest.raises(AlreadyDecided) as err, db.unit_of_work() as s:
        withdraw(s, submitted.id, actor=PARTNER, now=LATER)
    assert err.value.state == "approved"


def test_team_requests_only_the_teams(db: Store, submitted: RequestRecord) -> None:
    with db.reader() as s:
        assert [r.id for r in team_requests(s, actor=TEAMMATE)] == [submitted.id]
        assert team_requests(s, actor=STRANGER) == []


def test_mark_deployed_creates_the_integration(db: Store, submitted: RequestRecord) -> None:
    with pytest.raises(InvalidTransition), db.unit_of_work() as s:
        mark_deployed(s, submitted.id, actor=REVIEWER, now=LATER)
    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    with pytest.raises(NotAllowed), db.unit_of_work() as s:
        mark_deployed(s, submitted.id, actor=PARTNER, now=LATER)
    deployed_at = NOW + timedelta(days=17)
    with db.unit_of_work() as s:
        record = mark_deployed(s, submitted.id, actor=REVIEWER2, now=deployed_at)
    assert (record.state, record.deployed_by, record.deployed_at) == (
        "deployed", "U0REVIEW2", deployed_at)
    with db.reader() as s:
        [integration] = list_integrations(s)
        assert integration.issuer == submitted.issuer
        assert integration.team_id == PARTNER.team_id
        assert integration.configuration["redirect_uris"][0] == (
            "https://benefits.example.gov/auth/result")
        assert "iaa_number" not in integration.configuration  # launch details, not config
        history = s.scalars(select(IntegrationDeploy)).all()
        assert [(h.request_id, h.deployed_by) for h in history] == [(submitted.id, "U0REVIEW2")]
    with pytest.raises(AlreadyDecided) as err, db.unit_of_work() as s:
        mark_deployed(s, submitted.id, actor=REVIEWER, now=deployed_at)
    assert refusal_text(err.value) == "LR-1001 was already deployed by <@U0REVIEW2>."


def test_slip_moves_to_the_next_deploy_day(db: Store, cal: DeployCalendar,
                                           submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    friday = NOW + timedelta(days=18)  # the morning after Thursday 2026-11-19
    with db.unit_of_work() as s:
        record = slip(s, submitted.id, actor=Actor.system(), now=friday, calendar=cal,
                      from_date=date(2026, 11, 19))
    # Thursday 2026-11-26 is Thanksgiving: the deploy moves to Monday 2026-11-30.
    assert (record.state, record.target_deploy_date, record.slip_count) == (
        "approved", date(2026, 11, 30), 1)
    with db.unit_of_work() as s:  # the slip job runs again: nothing more happens
        again = slip(s, submitted.id, actor=Actor.system(), now=friday, calendar=cal,
                     from_date=date(2026, 11, 19))
    assert again.version == record.version
    with pytest.raises(NotAllowed), db.unit_of_work() as s:
        slip(s, submitted.id, actor=PARTNER, now=friday, calendar=cal)
    with db.reader() as s:
        dm = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "partner_dm")
                       .order_by(OutboxMessage.id.desc())).first()
        assert (dm.payload["event"], dm.payload["from"], dm.payload["to"]) == (
            "slipped", "2026-11-19", "2026-11-30")


def test_a_failure_halfway_writes_nothing(db: Store, submitted: RequestRecord,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("bot.kernel.lifecycle.enqueue_many", broken)
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    with db.reader() as s:
        record = get_request(s, submitted.id, actor=REVIEWER)
        assert (record.state, record.version, record.decided_by) == ("submitted", 1, None)
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1  # the submit
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    monkeypatch.undo()
    with db.unit_of_work() as s:  # and the same click works once the outbox is back
        assert approve(s, submitted.id, actor=REVIEWER, now=LATER).state == "approved"


def test_state_survives_a_restart_midway(db: Store, submitted: RequestRecord) -> None:
    from bot.store.db import Store as StoreClass

    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    url = db.engine.url
    db.dispose()
    restarted = StoreClass.from_url(url)
    try:
        with restarted.unit_of_work() as s:
            record = mark_deployed(s, submitted.id, actor=REVIEWER2, now=LATER)
        assert record.state == "deployed"
    finally:
        restarted.dispose()
