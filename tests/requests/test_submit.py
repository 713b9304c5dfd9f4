"""Submitting: validated by the rules core with what the store knows, stored with its files,
audited, announced through the outbox; idempotent with a key."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.calendar import DeployCalendar
from bot.requests import NotAllowed, NotARequest, RequestRecord, ValidationFailed, submit
from bot.store.db import Store
from bot.store.models import Attachment, AuditEvent, OutboxMessage, Request

from .conftest import LAUNCH_FILES, NOW, PARTNER, STRANGER, TEAMMATE, example_files


def _count(db: Store, model: type[Any]) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_submit_stores_request_files_audit_and_outbox(db: Store,
                                                      submitted: RequestRecord) -> None:
    assert submitted.public_id == "LR-1001"
    assert submitted.state == "submitted" and submitted.version == 1
    assert submitted.kind == "launch"
    assert submitted.target_deploy_date == date(2026, 11, 19)
    assert submitted.requester_team_id == "T0AGENCY"
    assert submitted.submitted["friendly_name"] == "Benefits Portal"
    assert {f.rule for f in submitted.findings} >= {"CAL-EARLIEST"}
    logo = example_files("benefits-logo.svg")["benefits-logo.svg"]
    facts = {a.name: a for a in submitted.attachments}
    assert facts["benefits-logo.svg"].sha256 == hashlib.sha256(logo).hexdigest()
    assert facts["benefits-logo.svg"].size == len(logo)
    assert facts["benefits-cert.pem"].role == "certificate"
    with db.reader() as s:
        audit = s.scalars(select(AuditEvent)).all()
        assert [(a.action, a.from_state, a.to_state, a.actor) for a in audit] == [
            ("submit", None, "submitted", "U0PARTNER")]
        messages = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(m.topic, m.user_id) for m in messages] == [
            ("review_card", None), ("partner_dm", "U0PARTNER")]
        assert messages[0].payload["public_id"] == "LR-1001"
        assert messages[0].payload["event"] == "submitted"
        stored = s.scalars(select(Attachment.content).where(
            Attachment.name == "benefits-logo.svg")).one()
        assert stored == logo


def test_errors_refuse_and_write_nothing(db: Store, cal: DeployCalendar,
                                         launch_data: dict[str, Any]) -> None:
    launch_data["redirect_uris"] = ["http://localhost:3000/callback"]
    del launch_data["agency"]
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
               files=example_files(*LAUNCH_FILES))
    rules = {f.rule for f in err.value.report.errors}
    assert {"URL-LOCAL", "APP-AGENCY"} <= rules
    assert "error" in str(err.value)
    for model in (Request, AuditEvent, OutboxMessage, Attachment):
        assert _count(db, model) == 0


def test_unparseable_request_is_a_validation_failure(db: Store, cal: DeployCalendar) -> None:
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, {"kind": "rocket"}, actor=PARTNER, now=NOW, calendar=cal)
    assert err.value.report.errors


def test_sandbox_is_not_a_request(db: Store, cal: DeployCalendar) -> None:
    with pytest.raises(NotARequest), db.unit_of_work() as s:
        submit(s, {"kind": "sandbox"}, actor=PARTNER, now=NOW, calendar=cal)
    assert _count(db, Request) == 0


def test_idempotency_key_gives_one_request(db: Store, cal: DeployCalendar,
                                           launch_data: dict[str, Any]) -> None:
    files = example_files(*LAUNCH_FILES)
    with db.unit_of_work() as s:
        first = submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal, files=files,
                       idempotency_key="view-123")
    with db.unit_of_work() as s:  # a retried delivery, or a teammate's double click
        again = submit(s, launch_data, actor=TEAMMATE, now=NOW, calendar=cal, files=files,
                       idempotency_key="view-123")
    assert again.id == first.id
    assert _count(db, Request) == 1
    assert _count(db, OutboxMessage) == 2
    with pytest.raises(NotAllowed), db.unit_of_work() as s:
        submit(s, launch_data, actor=STRANGER, now=NOW, calendar=cal, files=files,
               idempotency_key="view-123")


def test_open_launch_holds_its_issuer(db: Store, cal: DeployCalendar,
                                      submitted: RequestRecord,
                                      launch_data: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
               files=example_files(*LAUNCH_FILES))
    assert "ISS-UNIQUE" in {f.rule for f in err.value.report.errors}


def test_desired_date_sets_the_target(db: Store, cal: DeployCalendar,
                                      launch_data: dict[str, Any]) -> None:
    launch_data["desired_deploy_date"] = "2026-12-10"
    with db.unit_of_work() as s:
        record = submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
                        files=example_files(*LAUNCH_FILES))
    assert record.target_deploy_date == date(2026, 12, 10)
    assert record.earliest_deploy_date == date(2026, 11, 19)


def test_concurrent_deliveries_of_one_submission(db: Store, cal: DeployCalendar,
                                                 launch_data: dict[str, Any]) -> None:
    import threading

    files = example_files(*LAUNCH_FILES)
    barrier = threading.Barrier(8)
    ids: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        barrier.wait()
        try:
            with db.unit_of_work() as s:
                ids.append(submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
                                  files=files, idempotency_key="view-race").id)
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1 and len(ids) == 8
    assert _count(db, Request) == 1
    assert _count(db, OutboxMessage) == 2
