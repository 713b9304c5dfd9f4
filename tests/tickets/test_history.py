"""A ticket's history: filed, claimed, replies, waiting, resolved with its note; times in the
calendar's zone; another team is told it is not found."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.requests import NotFound
from bot.slack.requests.details import history_message
from bot.store.db import Store
from bot.tickets.history import ticket_history
from bot.tickets.use_cases import claim_ticket, reply_to_partner, resolve_ticket
from tests.requests.conftest import NOW, PARTNER, REVIEWER, STRANGER
from tests.tickets.test_use_cases import filed


def test_ticket_timeline(db: Store) -> None:
    ticket = filed(db)
    with db.unit_of_work() as s:
        claim_ticket(s, ticket.id, actor=REVIEWER, now=NOW + timedelta(minutes=5))
        reply_to_partner(s, ticket.id, actor=REVIEWER, now=NOW + timedelta(minutes=6),
                         body="Which redirect URI?")
        resolve_ticket(s, ticket.id, actor=REVIEWER, now=NOW + timedelta(hours=1),
                       note="Added the URI")
    with db.reader() as s:
        record, entries = ticket_history(s, ticket.public_id, actor=PARTNER)
    assert [e.action for e in entries] == ["file", "claim", "reply", "resolve"]
    assert entries[-1].note == "Added the URI"
    message = history_message(None, entries, ZoneInfo("America/New_York"),
                              public_id=record.public_id)
    text = message["blocks"][0]["text"]["text"]
    assert f"History of {record.public_id}" in text
    assert "Mon, Nov 2, 2026, 11:00 AM EST* · <@U0REVIEW1> resolved it" in text
    assert "> Added the URI" in text
    with db.reader() as s, pytest.raises(NotFound):
        ticket_history(s, ticket.public_id, actor=STRANGER)
