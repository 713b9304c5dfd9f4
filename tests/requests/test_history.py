"""A request's history: filed, a change request with its comment, the resubmission with what it
changed, approval, a slip, deployed; and who may read it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.calendar import DeployCalendar
from bot.requests import (
    NotFound,
    RequestRecord,
    approve,
    mark_deployed,
    request_changes,
    resubmit,
    slip,
)
from bot.requests.history import list_changes, request_history, submission_changes
from bot.store.db import Store

from .conftest import NOW, PARTNER, REVIEWER, STRANGER


def test_submission_changes_name_nested_fields_and_lists() -> None:
    old = {"ial": 1, "redirect_uris": ["https://a/1", "https://a/2"],
           "contacts": {"technical": "Sam", "billing": "Lee"}}
    new = {"ial": 2, "redirect_uris": ["https://a/2", "https://a/3"],
           "contacts": {"technical": "Kim", "billing": "Lee"}, "iaa_number": "X"}
    assert submission_changes(old, new) == {
        "ial": {"old": 1, "new": 2},
        "redirect_uris": {"old": ["https://a/1", "https://a/2"],
                          "new": ["https://a/2", "https://a/3"]},
        "contacts.technical": {"old": "Sam", "new": "Kim"},
        "iaa_number": {"old": None, "new": "X"}}
    assert list_changes(["https://a/1", "https://a/2"], ["https://a/2", "https://a/3"]) == (
        ["https://a/3"], ["https://a/1"])
    assert list_changes(None, ["x"]) == (["x"], [])
    assert list_changes("a", "b") is None


def test_timeline_of_a_request(db: Store, cal: DeployCalendar, submitted: RequestRecord,
                               launch_data: dict[str, Any]) -> None:
    t = NOW
    with db.unit_of_work() as s:
        request_changes(s, submitted.id, actor=REVIEWER, now=(t := t + timedelta(hours=1)),
                        comment="Use AAL 2 and drop the custom scheme")
    launch_data["default_aal"] = 2
    launch_data["redirect_uris"] = ["https://benefits.example.gov/auth/result"]
    with db.unit_of_work() as s:
        resubmit(s, submitted.id, launch_data, actor=PARTNER, now=(t := t + timedelta(hours=1)),
                 calendar=cal)
    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=(t := t + timedelta(hours=1)))
    with db.unit_of_work() as s:
        slip(s, submitted.id, actor=REVIEWER, now=(t := t + timedelta(days=20)), calendar=cal)
    with db.unit_of_work() as s:
        mark_deployed(s, submitted.id, actor=REVIEWER, now=(t := t + timedelta(days=7)))
    with db.reader() as s:
        record, entries = request_history(s, submitted.public_id, actor=PARTNER)
    assert record.state == "deployed"
    assert [e.action for e in entries] == [
        "submit", "request_changes", "resubmit", "approve", "slip", "deploy"]
    assert entries[1].note == "Use AAL 2 and drop the custom scheme"
    assert entries[1].actor == REVIEWER.user_id
    changes = entries[2].changes
    assert changes["default_aal"] == {"old": 1, "new": 2}
    assert changes["redirect_uris"]["old"] == ["https://benefits.example.gov/auth/result",
                                               "gov.example.benefits://auth/result"]
    assert set(changes) == {"default_aal", "redirect_uris"}
    assert entries[4].detail["to"] == record.target_deploy_date.isoformat()
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_other_team_cannot_read_the_history(db: Store, submitted: RequestRecord) -> None:
    with db.reader() as s, pytest.raises(NotFound):
        request_history(s, submitted.public_id, actor=STRANGER)
    with db.reader() as s:
        assert request_history(s, submitted.public_id, actor=REVIEWER)[1][0].action == "submit"
