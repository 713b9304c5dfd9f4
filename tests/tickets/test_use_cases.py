"""Support tickets: filing through the rules core, the conversation, who may do what, the audit
trail and the outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.kernel.actors import Actor
from bot.requests import (
    AlreadyClaimed,
    AlreadyDecided,
    InvalidTransition,
    MissingInput,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from bot.rules.support import URGENT_CATEGORY
from bot.store.db import Store
from bot.store.models import AuditEvent, OutboxMessage, Ticket, TicketMessage
from bot.tickets.queries import ticket_trail
from bot.tickets.use_cases import (
    TicketRecord,
    answer_ticket,
    claim_ticket,
    file_ticket,
    get_ticket,
    may_act,
    open_tickets,
    reply_to_partner,
    resolve_ticket,
    team_tickets,
    wait_on_partner,
)
from tests.requests.conftest import NOW, PARTNER, REVIEWER, REVIEWER2, STRANGER, TEAMMATE

LATER = NOW + timedelta(hours=1)
OUTSIDER_REVIEWER = Actor(user_id="U0REVIEW3", team_id="T0IDP", is_reviewer=True)
TICKET: dict[str, Any] = {
    "category": "redirect problem", "environment": "production",
    "issuer": "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits",
    "summary": "Redirect fails", "description": "An error page after sign-in.",
    "production_account_email": "pat.doe@example.gov",
}


def filed(db: Store, **overrides: Any) -> TicketRecord:
    with db.unit_of_work() as s:
        return file_ticket(s, {**TICKET, **overrides}, actor=PARTNER, now=NOW)


def outbox(db: Store) -> list[tuple[str, str | None, str]]:
    with db.reader() as s:
        return [(m.topic, m.user_id, m.payload["event"]) for m in
                s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_the_rules_core_judges_a_ticket_before_anything_is_written(db: Store) -> None:
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        file_ticket(s, {**TICKET, "production_account_email": None, "category": "help!"},
                    actor=PARTNER, now=NOW)
    assert {(f.rule, f.field) for f in err.value.report.errors} == {
        ("SUP-PROD-ACCOUNT", "production_account_email"), ("SUP-CATEGORY", "category")}
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_filing_stores_the_ticket_its_files_an_audit_event_and_the_card(db: Store) -> None:
    with db.unit_of_work() as s:
        record = file_ticket(s, {**TICKET, "ongoing": True}, actor=PARTNER, now=NOW,
                             files={"shot.png": b"png bytes"})
    assert (record.public_id, record.state, record.version, record.urgent) == (
        "ST-1001", "open", 1, False)
    assert record.details.ongoing is True and record.issuer == TICKET["issuer"]
    assert [(a.name, a.size, a.sha256) for a in record.attachments] == [
        ("shot.png", 9, hashlib.sha256(b"png bytes").hexdigest())]
    with db.reader() as s:
        assert [(e.action, e.to_state, e.actor) for e in ticket_trail(s, record.id)] == [
            ("file", "open", "U0PARTNER")]
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0  # requests' own
        assert {m.ticket_id for m in s.scalars(select(OutboxMessage))} == {record.id}
    assert outbox(db) == [("ticket_card", None, "filed"),
                          ("ticket_partner_dm", "U0PARTNER", "filed")]


def test_the_urgent_category_marks_the_ticket_urgent(db: Store) -> None:
    assert filed(db, category=URGENT_CATEGORY).urgent is True


def test_a_repeated_submission_files_one_ticket(db: Store) -> None:
    with db.unit_of_work() as s:
        first = file_ticket(s, TICKET, actor=PARTNER, now=NOW, idempotency_key="view-1")
    with db.unit_of_work() as s:
        again = file_ticket(s, TICKET, actor=TEAMMATE, now=LATER, idempotency_key="view-1")
    assert again.id == first.id
    with pytest.raises(NotAllowed), db.unit_of_work() as s:
        file_ticket(s, TICKET, actor=STRANGER, now=LATER, idempotency_key="view-1")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 1


def test_only_support_claims_and_only_once(db: Store) -> None:
    ticket = filed(db)
    with pytest.raises(NotAllowed) as refused, db.unit_of_work() as s:
        claim_ticket(s, ticket.public_id, actor=PARTNER, now=LATER)
    assert refused.value.reason == "not_reviewer"
    with db.unit_of_work() as s:
        claimed = claim_ticket(s, "st-1001", actor=REVIEWER, now=LATER)
    assert (claimed.state, claimed.assignee_id, claimed.version) == (
        "in_progress", "U0REVIEW1", 2)
    with pytest.raises(AlreadyClaimed) as err, db.unit_of_work() as s:
        claim_ticket(s, ticket.id, actor=REVIEWER2, now=LATER)
    assert err.value.by == "U0REVIEW1"
    assert outbox(db)[2:] == [("ticket_card_update", None, "claimed"),
                              ("ticket_partner_dm", "U0PARTNER", "claimed")]


def test_the_conversation_is_kept_and_moves_the_ticket(db: Store) -> None:
    ticket = filed(db)
    with pytest.raises(MissingInput), db.unit_of_work() as s:
        reply_to_partner(s, ticket.id, actor=REVIEWER, now=LATER, body="  ")
    with db.unit_of_work() as s:  # a reply to an open ticket claims it
        replied = reply_to_partner(s, ticket.id, actor=REVIEWER, now=LATER,
                                   body="Which redirect URI?")
    assert (replied.state, replied.assignee_id) == ("in_progress", "U0REVIEW1")
    with db.unit_of_work() as s:
        waiting = wait_on_partner(s, ticket.id, actor=REVIEWER, now=LATER)
    assert waiting.state == "waiting_on_partner"
    with pytest.raises(InvalidTransition), db.unit_of_work() as s:
        wait_on_partner(s, ticket.id, actor=REVIEWER2, now=LATER)
    with db.unit_of_work() as s:  # any of the partner's team may answer
        answered = answer_ticket(s, ticket.id, actor=TEAMMATE, now=LATER,
                                 body="https://benefits.example.gov/auth/result")
    assert answered.state == "in_progress"
    assert [(m.role, m.author_id, m.body) for m in answered.messages] == [
        ("support", "U0REVIEW1", "Which redirect URI?"),
        ("partner", "U0TEAMMATE", "https://benefits.example.gov/auth/result")]
    assert outbox(db)[2:] == [
        ("ticket_card_update", None, "replied"), ("ticket_partner_dm", "U0PARTNER", "replied"),
        ("ticket_card_update", None, "waiting"), ("ticket_partner_dm", "U0PARTNER", "waiting"),
        ("ticket_card_update", None, "answered"), ("ticket_staff_dm", "U0REVIEW1", "answered")]
    with db.reader() as s:
        dm = s.scalars(select(OutboxMessage).where(
            OutboxMessage.topic == "ticket_partner_dm",
            OutboxMessage.payload["event"].as_string() == "replied")).one()
        assert dm.payload["body"] == "Which redirect URI?"


def test_partners_see_and_answer_only_their_teams_tickets(db: Store) -> None:
    ticket = filed(db)
    with pytest.raises(NotFound), db.reader() as s:
        get_ticket(s, ticket.public_id, actor=STRANGER)
    with pytest.raises(NotFound), db.unit_of_work() as s:
        answer_ticket(s, ticket.public_id, actor=STRANGER, now=LATER, body="hi")
    with pytest.raises(NotFound), db.reader() as s:
        may_act(s, ticket.public_id, actor=STRANGER, action="answer")
    # Support sees every ticket, but answers as support (Reply), not as the partner.
    with pytest.raises(NotAllowed) as err, db.unit_of_work() as s:
        answer_ticket(s, ticket.public_id, actor=OUTSIDER_REVIEWER, now=LATER, body="hi")
    assert err.value.reason == "other_team"
    with db.reader() as s:
        assert get_ticket(s, ticket.public_id, actor=OUTSIDER_REVIEWER).id == ticket.id
        assert [t.public_id for t in team_tickets(s, actor=TEAMMATE)] == ["ST-1001"]
        assert team_tickets(s, actor=STRANGER) == []
    for unknown in ("ST-1009", "LR-1001", "nonsense"):
        with pytest.raises(NotFound), db.reader() as s:
            get_ticket(s, unknown, actor=REVIEWER)


def test_resolving_needs_a_note_and_ends_the_conversation(db: Store) -> None:
    ticket = filed(db)
    with pytest.raises(MissingInput), db.unit_of_work() as s:
        resolve_ticket(s, ticket.id, actor=REVIEWER, now=LATER, note="")
    with pytest.raises(NotAllowed), db.unit_of_work() as s:
        resolve_ticket(s, ticket.id, actor=PARTNER, now=LATER, note="done")
    with db.unit_of_work() as s:
        resolved = resolve_ticket(s, ticket.id, actor=REVIEWER, now=LATER,
                                  note="Redirect URI added in production.")
    assert (resolved.state, resolved.resolved_by, resolved.resolved_at) == (
        "resolved", "U0REVIEW1", LATER)
    assert resolved.resolution_note == "Redirect URI added in production."
    for late in (lambda s: claim_ticket(s, ticket.id, actor=REVIEWER2, now=LATER),
                 lambda s: reply_to_partner(s, ticket.id, actor=REVIEWER2, now=LATER,
                                            body="x"),
                 lambda s: answer_ticket(s, ticket.id, actor=PARTNER, now=LATER, body="x"),
                 lambda s: resolve_ticket(s, ticket.id, actor=REVIEWER2, now=LATER,
                                          note="x")):
        with pytest.raises(AlreadyDecided) as err, db.unit_of_work() as s:
            late(s)
        assert err.value.by == "U0REVIEW1"
    with pytest.raises(AlreadyDecided), db.reader() as s:
        may_act(s, ticket.id, actor=REVIEWER2, action="reply")
    with db.reader() as s:
        assert [e.action for e in ticket_trail(s, ticket.id)] == ["file", "resolve"]
        assert ticket_trail(s, ticket.id)[-1].detail == {
            "note": "Redirect URI added in production."}
        assert team_tickets(s, actor=PARTNER, open_only=True) == []
        assert open_tickets(s) == []


def test_open_tickets_put_urgent_ones_first(db: Store) -> None:
    filed(db)
    filed(db, category=URGENT_CATEGORY)
    with db.reader() as s:
        assert [t.public_id for t in open_tickets(s)] == ["ST-1002", "ST-1001"]


def test_concurrent_claims_give_one_owner(db: Store) -> None:
    ticket = filed(db)
    reviewers = [Actor(user_id=f"U0REV{i}", team_id="T0IDP", is_reviewer=True)
                 for i in range(6)]
    barrier = threading.Barrier(len(reviewers))
    won: list[str] = []
    lost: list[BaseException] = []

    def click(who: Actor) -> None:
        barrier.wait()
        try:
            with db.unit_of_work() as s:
                won.append(claim_ticket(s, ticket.id, actor=who, now=LATER).assignee_id or "")
        except AlreadyClaimed as exc:
            lost.append(exc)

    threads = [threading.Thread(target=click, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == len(reviewers) - 1


def test_concurrent_messages_are_all_kept(db: Store) -> None:
    ticket = filed(db)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        barrier.wait()
        try:
            with db.unit_of_work() as s:
                if n % 2:
                    reply_to_partner(s, ticket.id, actor=REVIEWER, now=LATER, body=f"r{n}")
                else:
                    answer_ticket(s, ticket.id, actor=PARTNER, now=LATER, body=f"a{n}")
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(TicketMessage)) == 4
        assert s.get(Ticket, ticket.id).version == 5  # type: ignore[union-attr]
