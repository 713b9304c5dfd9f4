"""The words partners act on: deploy by close of business, the production steps, the date to
resubmit by, what to do after a rejection, staging is not production."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.config import Settings
from bot.slack.requests.dm import ProductionSteps, Resubmission, partner_dm
from bot.slack.requests.messages import _resubmission
from tests.slack.test_views import record

STEPS = ProductionSteps("secure.idp.example.gov", "https://idp.example.gov/certs")


def test_approval_says_close_of_business_and_carries_the_production_steps() -> None:
    text, _ = partner_dm(record(state="approved"), "approved", {"by": "U0R"},
                         production=STEPS)
    assert "deploys by close of business on Thursday, December 10, 2026" in text
    assert "same paths as in the sandbox, on *secure.idp.example.gov*" in text
    assert "<https://idp.example.gov/certs|the production IdP certificates>" in text
    assert "differs from the sandbox" in text
    unset, _ = partner_dm(record(state="approved"), "approved", {"by": "U0R"})
    assert "on the production domain" in unset


def test_deployed_staging_is_not_announced_as_production() -> None:
    staging, _ = partner_dm(record(kind="staging", state="deployed"), "deployed", {},
                            production=STEPS)
    assert "staging environment" in staging and "production" not in staging
    launch, _ = partner_dm(record(state="deployed"), "deployed", {}, production=STEPS)
    assert "deployed to production" in launch and "production IdP certificate" in launch


def test_changes_requested_gives_the_day_to_resubmit_by_and_the_day_it_moves_to() -> None:
    asked = record(state="changes_requested", lead_time_days=14,
                   decided_at=datetime(2026, 11, 20, 15, tzinfo=UTC))
    plan = _resubmission(asked, Settings())
    assert plan == Resubmission(keep_by=date(2026, 11, 26), moves_to=date(2026, 12, 17))
    text, blocks = partner_dm(asked, "changes_requested", {"by": "U0R", "comment": "fix"},
                              resubmission=plan)
    assert ("Resubmit by Thursday, November 26, 2026 to keep Thursday, December 10, 2026; "
            "after that it moves to Thursday, December 17, 2026.") in text
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["reopen", "details"]
    late = record(state="changes_requested", lead_time_days=14,
                  decided_at=datetime(2026, 12, 1, 15, tzinfo=UTC))
    plan = _resubmission(late, Settings())
    assert plan == Resubmission(keep_by=None, moves_to=date(2026, 12, 17))
    text, _ = partner_dm(late, "changes_requested", {"by": "U0R", "comment": "fix"},
                         resubmission=plan)
    assert "can no longer make Thursday, December 10, 2026" in text


def test_a_rejection_says_what_to_do_next() -> None:
    text, _ = partner_dm(record(state="rejected"), "rejected", {"by": "U0R", "reason": "dup"})
    assert "file a new request with `/launch-request`" in text
    assert "`/support-ticket`" in text
