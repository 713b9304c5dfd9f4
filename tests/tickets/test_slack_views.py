"""Ticket builders without Slack: within Slack's limits, the form read back right, errors on
their inputs, partner text escaped everywhere, the urgent card and its one mention."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.devtools.block_limits import problems, response_action_problems
from bot.devtools.view_inputs import state_values
from bot.models import SupportTicket
from bot.requests import AlreadyClaimed, AlreadyDecided, NotAllowed, NotFound, WorkflowError
from bot.requests.records import AttachmentFacts
from bot.rules.support import SUPPORT_CATEGORIES, URGENT_CATEGORY, validate_ticket
from bot.slack.home.view import home_view
from bot.slack.ids import Callback
from bot.slack.notes import NoteMeta, read_note
from bot.slack.refusals import refusal_text
from bot.slack.tickets.card import ticket_card, ticket_card_text
from bot.slack.tickets.dm import partner_ticket_dm, staff_ticket_dm
from bot.slack.tickets.form import (
    TicketFormMeta,
    read_ticket,
    ticket_confirmation,
    ticket_errors,
    ticket_form,
    ticket_note_modal,
)
from bot.slack.tickets.replies import ticket_list, ticket_status
from bot.tickets.use_cases import TicketMessageRecord, TicketRecord
from tests.slack.test_views import INJECTION, all_text, record

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits"


def ticket(**overrides: Any) -> TicketRecord:
    values: dict[str, Any] = dict(
        id=1, public_id="ST-1001", state="open", version=1, category="redirect problem",
        urgent=False, environment="production", issuer=ISSUER, summary="Redirect fails",
        submitted={"category": "redirect problem", "environment": "production",
                   "summary": "Redirect fails", "description": "An error page.",
                   "production_account_email": "pat@example.gov", "ongoing": True},
        requester_user_id="U0PARTNER", requester_team_id="T0AGENCY", assignee_id=None,
        resolved_by=None, resolved_at=None, resolution_note=None, card_channel=None,
        card_ts=None, created_at=NOW, updated_at=NOW)
    values.update(overrides)
    return TicketRecord(**values)


def message(n: int, role: str = "support", body: str | None = None) -> TicketMessageRecord:
    return TicketMessageRecord(author_id="U0REVIEW" if role == "support" else "U0PARTNER",
                               role=role, body=body or f"message {n}", created_at=NOW)


def actions(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize("integrations", [None, {ISSUER: "Benefits (urn)"},
                                          {"urn:" + "x" * 200: "too long to be an option"}])
def test_ticket_form_is_within_slack_limits(integrations: dict[str, str] | None) -> None:
    view = ticket_form(TicketFormMeta.new(), integrations=integrations)
    assert problems(view, "modal") == []
    ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert len(ids) == len(set(ids))
    assert ("integration" in ids) == (integrations == {ISSUER: "Benefits (urn)"})
    category = next(b for b in view["blocks"] if b.get("block_id") == "category")
    assert [o["value"] for o in category["element"]["options"]] == list(SUPPORT_CATEGORIES)
    # Every input fills a SupportTicket field (or picks the issuer, or carries files).
    assert set(ids) - {"integration", "attachments"} <= set(SupportTicket.model_fields)
    advice = all_text(view)
    assert "what you expected and what happened" in advice
    assert "production account and your dashboard account are separate" in advice


def test_the_form_reads_back_into_a_ticket_the_rules_core_accepts() -> None:
    view = ticket_form(TicketFormMeta.new(), integrations={ISSUER: "Benefits"})
    typed = {"category": URGENT_CATEGORY, "environment": "production", "integration": ISSUER,
             "issuer": "urn:typed:but:not:used", "summary": "  Nobody can sign in ",
             "description": "500 after MFA", "ongoing": ["true"],
             "production_account_email": "pat@example.gov", "attachments": ["F1", "F2"]}
    form = read_ticket(state_values(view, typed))
    assert form.values == {"category": URGENT_CATEGORY, "environment": "production",
                           "issuer": ISSUER, "summary": "Nobody can sign in",
                           "description": "500 after MFA", "ongoing": True,
                           "production_account_email": "pat@example.gov"}
    assert form.file_ids == ["F1", "F2"]
    assert validate_ticket(form.values).ok
    typed_only = read_ticket(state_values(view, {"issuer": "urn:other"})).values
    assert typed_only == {"issuer": "urn:other", "ongoing": False}


# Found by fuzzing (tests/fuzz): values no Slack input sends are left out, never raised on.
@pytest.mark.parametrize("state", [
    [],
    {"ongoing": {"value": {"type": "plain_text_input", "value": 5}},
     "attachments": {"value": {"type": "plain_text_input", "value": 5}},
     "summary": {"value": {"type": "checkboxes", "selected_options": "x"}}},
])
def test_a_ticket_form_with_input_slack_never_sends(state: Any) -> None:
    form = read_ticket(state)
    assert form.values in ({}, {"ongoing": False}) and form.file_ids == []


@pytest.mark.parametrize("state", [[], {"note": []}, {"note": {"value": "text"}},
                                   {"note": {"value": {"type": "plain_text_input",
                                                       "value": ["a list"]}}}])
def test_a_note_without_text_reads_as_empty(state: Any) -> None:
    assert read_note(state) == ""


def test_errors_land_on_their_inputs() -> None:
    view = ticket_form(TicketFormMeta.new())
    report = validate_ticket({"category": "nope", "environment": "moon"})
    errors = ticket_errors(report, view, {"huge.log": "too large (over 1,048,576 bytes)"})
    assert set(errors) == {"category", "environment", "production_account_email",
                           "attachments"}
    assert "(SUP-PROD-ACCOUNT)" in errors["production_account_email"]
    assert "(SUP-CATEGORY)" in errors["category"]
    assert "'huge.log' could not be read" in errors["attachments"]
    assert response_action_problems({"response_action": "errors", "errors": errors}, view) == []


def test_the_card_shows_the_ticket_and_the_buttons_its_state_allows() -> None:
    files = (AttachmentFacts(role="attachment", name="shot.png", sha256="0" * 64, size=2048),)
    open_card = ticket_card(ticket(attachments=files), reviewer_group="S0REVIEWERS")
    assert problems(open_card, "message") == []
    text = all_text(open_card)
    assert "ST-1001" in text and "shot.png" in text and "still happening" in text
    assert "URGENT" not in text and "subteam" not in text
    assert actions(open_card) == ["ticket_claim", "ticket_reply", "ticket_waiting",
                                  "ticket_resolve"]
    claimed = ticket_card(ticket(state="in_progress", assignee_id="U0R"), reviewer_group=None)
    assert "In progress* · with <@U0R>" in all_text(claimed)
    assert actions(claimed) == ["ticket_reply", "ticket_waiting", "ticket_resolve"]
    waiting = ticket_card(ticket(state="waiting_on_partner"), reviewer_group=None)
    assert actions(waiting) == ["ticket_reply", "ticket_resolve"]
    resolved = ticket_card(ticket(state="resolved", resolved_by="U0R", resolved_at=NOW,
                                  resolution_note="fixed"), reviewer_group=None)
    assert actions(resolved) == [] and "Resolved* by <@U0R>" in all_text(resolved)


def test_an_urgent_card_says_so_first_and_mentions_the_reviewer_group() -> None:
    urgent = ticket(category=URGENT_CATEGORY, urgent=True)
    blocks = ticket_card(urgent, reviewer_group="S0REVIEWERS")
    assert blocks[0]["block_id"] == "urgent"
    assert "URGENT" in all_text(blocks[0]) and "<!subteam^S0REVIEWERS>" in all_text(blocks[0])
    assert all_text(blocks).count("<!subteam^") == 1
    assert "<!subteam^S0REVIEWERS>" in ticket_card_text(urgent, reviewer_group="S0REVIEWERS")
    assert "subteam" not in ticket_card_text(urgent)  # updates do not alert again
    without_group = ticket_card(urgent, reviewer_group=None)
    assert "URGENT" in all_text(without_group[0]) and "subteam" not in all_text(without_group)


def test_the_card_shows_the_latest_of_a_long_conversation() -> None:
    messages = tuple(message(n, "support" if n % 2 else "partner", "x" * 2000)
                     for n in range(12))
    blocks = ticket_card(ticket(state="in_progress", messages=messages), reviewer_group=None)
    assert problems(blocks, "message") == []
    assert "latest 5 of 12" in all_text(blocks)


def test_partner_text_is_escaped_everywhere() -> None:
    evil = ticket(
        category=INJECTION, summary=INJECTION, issuer=INJECTION, state="resolved",
        resolved_by="U0R", resolved_at=NOW, resolution_note=INJECTION,
        submitted={key: INJECTION for key in (
            "summary", "description", "started", "browser", "steps_to_reproduce",
            "production_account_email", "technical_contact")},
        messages=(message(1, "partner", INJECTION),),
        attachments=(AttachmentFacts(role="attachment", name=INJECTION, sha256="0",
                                     size=1),))
    surfaces: list[Any] = [
        ticket_card(evil, reviewer_group=None), ticket_card_text(evil),
        ticket_status(evil), ticket_list([evil]),
        home_view([], None, tickets=[evil], ticket_queue=[evil]),
        ticket_note_modal(Callback.ticket_reply, NoteMeta(record="ST-1001"), INJECTION),
        staff_ticket_dm(evil, "answered", {"by": "U0P", "body": INJECTION})[1]]
    for event in ("filed", "claimed", "replied", "waiting", "resolved", INJECTION):
        surfaces.append(partner_ticket_dm(evil, event, {"by": "U0R", "body": INJECTION,
                                                        "note": INJECTION})[1])
    for surface in surfaces:
        text = all_text(surface) if not isinstance(surface, str) else surface
        assert "<!channel>" not in text and "<@U0BOSS>" not in text
        assert "<https://evil" not in text


def test_dms_ask_the_partner_to_answer_when_it_is_their_turn() -> None:
    for event, answer in (("filed", False), ("claimed", False), ("replied", True),
                          ("waiting", True), ("resolved", False)):
        text, blocks = partner_ticket_dm(ticket(), event, {"by": "U0R", "body": "Which URI?",
                                                           "note": "Fixed."})
        assert problems(blocks, "message") == [] and "ST-1001" in text
        assert actions(blocks) == (["ticket_answer"] if answer else [])
    text, _ = partner_ticket_dm(ticket(), "replied", {"by": "U0R", "body": "line 1\nline 2"})
    assert "> line 1\n> line 2" in text


def test_note_modals_and_the_confirmation() -> None:
    for callback in (Callback.ticket_reply, Callback.ticket_resolve, Callback.ticket_answer):
        view = ticket_note_modal(callback, NoteMeta(record="ST-1001", channel="C1"),
                                 "Redirect fails")
        assert problems(view, "modal") == []
        assert read_note(state_values(view, {"note": "  hello  "})) == "hello"
        assert NoteMeta.model_validate_json(view["private_metadata"]).channel == "C1"
    done = ticket_confirmation("ST-1001", urgent=True)
    assert problems(done, "modal") == [] and "urgent" in all_text(done)


def test_home_lists_open_tickets_within_slack_limits() -> None:
    tickets = [ticket(id=i, public_id=f"ST-{1000 + i}") for i in range(1, 30)]
    view = home_view([record(id=i, state="changes_requested", decision_note="x")
                      for i in range(60)], [record(id=i) for i in range(60)],
                     tickets=tickets, ticket_queue=tickets)
    assert problems(view, "home") == []
    partner = all_text(home_view([], None, tickets=tickets[:1]))
    assert "ST-1001" in partner and "Open support tickets" not in partner
    assert "None open" in all_text(home_view([], None))
    staff = all_text(home_view([], [], tickets=[], ticket_queue=tickets[:2]))
    assert "Open support tickets* (2" in staff and "unclaimed" in staff


def test_refusals_speak_of_tickets() -> None:
    def ticket_refusal(error: WorkflowError) -> str:
        return refusal_text(error, noun="ticket")

    assert "among the tickets you can see" in ticket_refusal(NotFound("ST-1009"))
    assert ticket_refusal(NotAllowed("not_reviewer", action="claim")) == \
        "Only the support team can claim tickets."
    assert "team that filed" in ticket_refusal(NotAllowed("other_team", action="answer"))
    assert ticket_refusal(AlreadyClaimed("ST-1001", by="U0R")) == \
        "ST-1001 is already claimed by <@U0R>."
    assert ticket_refusal(AlreadyDecided("ST-1001", state="resolved", by="U0R",
                                         action="claim")) == \
        "ST-1001 is already resolved by <@U0R>."
    # The public ID says what the record is, whatever surface shows the refusal.
    assert "among the tickets" in refusal_text(NotFound("st-1009"))
    assert "among the requests" in refusal_text(NotFound("LR-1009"), noun="ticket")
