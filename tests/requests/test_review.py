"""Reviewer decisions: who may make them, from which states, and what a loser is told."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.kernel.actors import Actor
from bot.requests import (
    AlreadyClaimed,
    AlreadyDecided,
    MissingInput,
    NotAllowed,
    NotFound,
    RequestRecord,
    approve,
    claim,
    get_request,
    reject,
    request_changes,
    review_queue,
)
from bot.slack.refusals import refusal_text
from bot.store.db import Store
from bot.store.models import AuditEvent, OutboxMessage

from .conftest import NOW, PARTNER, REVIEWER, REVIEWER2, STRANGER, TEAMMATE

LATER = NOW + timedelta(hours=2)


def test_claim_then_approve(db: Store, submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        claimed = claim(s, submitted.public_id, actor=REVIEWER, now=LATER)
    assert (claimed.state, claimed.reviewer_id, claimed.version) == ("in_review", "U0REVIEW1", 2)
    with db.unit_of_work() as s:
        approved = approve(s, submitted.id, actor=REVIEWER2, now=LATER)
    assert (approved.state, approved.decided_by, approved.decided_at) == (
        "approved", "U0REVIEW2", LATER)
    with db.reader() as s:
        trail = [(a.action, a.from_state, a.to_state, a.actor)
                 for a in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert trail[1:] == [("claim", "submitted", "in_review", "U0REVIEW1"),
                             ("approve", "in_review", "approved", "U0REVIEW2")]
        topics = [(m.topic, m.payload["event"])
                  for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        assert topics[2:] == [("review_card_update", "claimed"),
                              ("review_card_update", "approved"), ("partner_dm", "approved")]


def test_claimed_by_someone_else(db: Store, submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        claim(s, submitted.id, actor=REVIEWER, now=LATER)
    with pytest.raises(AlreadyClaimed) as err, db.unit_of_work() as s:
        claim(s, submitted.id, actor=REVIEWER2, now=LATER)
    assert err.value.by == "U0REVIEW1"
    assert refusal_text(err.value) == "LR-1001 is already being reviewed by <@U0REVIEW1>."


def test_only_reviewers_decide(db: Store, submitted: RequestRecord) -> None:
    with pytest.raises(NotAllowed) as err, db.unit_of_work() as s:
        approve(s, submitted.id, actor=TEAMMATE, now=LATER)
    assert err.value.reason == "not_reviewer"
    assert str(err.value) == "only reviewers can approve requests"
    # Another team is not told that the request exists.
    with pytest.raises(NotFound), db.unit_of_work() as s:
        approve(s, submitted.id, actor=STRANGER, now=LATER)


def test_nobody_decides_their_own_request(db: Store, submitted: RequestRecord) -> None:
    own = Actor(user_id=PARTNER.user_id, team_id=PARTNER.team_id, is_reviewer=True)
    for decide in (approve, claim):
        with pytest.raises(NotAllowed) as err, db.unit_of_work() as s:
            decide(s, submitted.id, actor=own, now=LATER)
        assert err.value.reason == "own_request"


def test_late_decisions_are_told_who_decided(db: Store, submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        reject(s, submitted.id, actor=REVIEWER, now=LATER, reason="No signed IAA yet")
    for late in (lambda s: approve(s, submitted.id, actor=REVIEWER2, now=LATER),
                 lambda s: request_changes(s, submitted.id, actor=REVIEWER2, now=LATER,
                                           comment="fix it")):
        with pytest.raises(AlreadyDecided) as err, db.unit_of_work() as s:
            late(s)
        assert (err.value.state, err.value.by) == ("rejected", "U0REVIEW1")
        assert refusal_text(err.value) == "LR-1001 was already rejected by <@U0REVIEW1>."
    with db.reader() as s:
        record = get_request(s, submitted.id, actor=PARTNER)
    assert record.decision_note == "No signed IAA yet"


def test_comment_and_reason_are_required(db: Store, submitted: RequestRecord) -> None:
    with pytest.raises(MissingInput), db.unit_of_work() as s:
        request_changes(s, submitted.id, actor=REVIEWER, now=LATER, comment="  ")
    with pytest.raises(MissingInput), db.unit_of_work() as s:
        reject(s, submitted.id, actor=REVIEWER, now=LATER, reason="")


def test_request_changes(db: Store, submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        record = request_changes(s, submitted.id, actor=REVIEWER, now=LATER,
                                 comment="Please add the logout URL")
    assert (record.state, record.decision_note) == ("changes_requested",
                                                    "Please add the logout URL")
    with db.reader() as s:
        dm = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "partner_dm")
                       .order_by(OutboxMessage.id.desc())).first()
        assert dm.payload["comment"] == "Please add the logout URL"
        assert dm.user_id == PARTNER.user_id


def test_unknown_and_other_teams_requests_are_not_found(db: Store,
                                                        submitted: RequestRecord) -> None:
    with pytest.raises(NotFound), db.reader() as s:
        get_request(s, "LR-9999", actor=REVIEWER)
    with pytest.raises(NotFound), db.reader() as s:
        get_request(s, "nonsense", actor=REVIEWER)
    with pytest.raises(NotFound), db.reader() as s:
        get_request(s, submitted.public_id, actor=STRANGER)
    with db.reader() as s:
        assert get_request(s, "lr-1001", actor=REVIEWER).id == submitted.id


def test_review_queue_oldest_first(db: Store, submitted: RequestRecord) -> None:
    with db.reader() as s:
        assert [r.id for r in review_queue(s)] == [submitted.id]
    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    with db.reader() as s:
        assert review_queue(s) == []


def test_fifty_reviewers_approve_at_once(db: Store, submitted: RequestRecord) -> None:
    reviewers = [Actor(user_id=f"U0R{i:03d}", team_id="T0IDP", is_reviewer=True)
                 for i in range(50)]
    barrier = threading.Barrier(len(reviewers))
    wins: list[RequestRecord] = []
    losses: list[AlreadyDecided] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def click(actor: Actor) -> None:
        barrier.wait()
        try:
            with db.unit_of_work() as s:
                record = approve(s, submitted.id, actor=actor, now=LATER)
            with lock:
                wins.append(record)
        except AlreadyDecided as exc:
            with lock:
                losses.append(exc)
        except BaseException as exc:  # anything else fails the test below
            with lock:
                other.append(exc)

    threads = [threading.Thread(target=click, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert len(wins) == 1 and len(losses) == 49
    winner = wins[0].decided_by
    assert all(e.by == winner and e.state == "approved" for e in losses)
    assert all(refusal_text(e) == f"LR-1001 was already approved by <@{winner}>."
               for e in losses)
    with db.reader() as s:
        approvals = s.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "approve"))
        assert approvals == 1
        assert get_request(s, submitted.id, actor=REVIEWER).version == 2
