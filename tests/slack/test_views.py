"""Block Kit builders, without Slack: within Slack's limits, fields mapped right, partner text
escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.devtools.block_limits import problems, response_action_problems
from bot.devtools.view_inputs import state_values
from bot.models import Finding, Report, Severity
from bot.requests.records import RequestRecord
from bot.rules.certificates import certificate_facts
from bot.rules.logo import logo_facts
from bot.slack.home.view import home_view
from bot.slack.requests.card import review_card
from bot.slack.requests.dm import partner_dm
from bot.slack.requests.form.fields import FIELDS, FormMeta
from bot.slack.requests.form.findings import form_errors, nearest_block
from bot.slack.requests.form.reading import changed_only, read_state
from bot.slack.requests.form.view import request_form
from bot.slack.text import escape
from tests.rules.certs import make_cert

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
INJECTION = "<!channel> <@U0BOSS> <https://evil.example|click> & more"


def record(**overrides: Any) -> RequestRecord:
    values: dict[str, Any] = dict(
        id=1, public_id="LR-1001", kind="launch", state="submitted", version=1,
        issuer="urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits",
        requester_user_id="U0PARTNER", requester_team_id="T0AGENCY",
        submitted={"friendly_name": "Benefits", "agency": "Examples", "protocol": "saml",
                   "ial": 2, "default_aal": 2},
        findings=(), diff=None, earliest_deploy_date=date(2026, 12, 10),
        target_deploy_date=date(2026, 12, 10), lead_time_days=14, slip_count=0,
        reviewer_id=None, decided_by=None, decided_at=None, decision_note=None,
        deployed_by=None, deployed_at=None, card_channel=None, card_ts=None,
        submitted_at=NOW, created_at=NOW, updated_at=NOW)
    values.update(overrides)
    return RequestRecord(**values)


def all_text(blocks: Any) -> str:
    """Every string in a block tree, joined: what a person could read."""
    if isinstance(blocks, dict):
        return " ".join(all_text(v) for v in blocks.values())
    if isinstance(blocks, list):
        return " ".join(all_text(v) for v in blocks)
    return blocks if isinstance(blocks, str) else ""


@pytest.mark.parametrize(("kind", "protocol", "ial"), [
    (None, None, None), ("launch", "oidc_private_key_jwt", 1), ("launch", "saml", 2),
    ("staging", "saml", 1), ("change", None, None), ("change", None, 1),
    ("sandbox", None, None)])
def test_request_form_is_within_slack_limits(kind: str | None, protocol: str | None,
                                             ial: int | None) -> None:
    meta = FormMeta.new(kind=kind, issuer="urn:x" if kind == "change" and ial is None
                        else None)
    view = request_form(meta, {"protocol": protocol, "ial": ial},
                        integrations={"urn:x": "Benefits (urn:x)"},
                        current={"protocol": "oidc_pkce", "redirect_uris": ["https://a.gov"]})
    assert problems(view, "modal") == []
    ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert len(ids) == len(set(ids))


def test_form_shows_saml_and_idv_fields_only_when_they_apply() -> None:
    def inputs(values: dict[str, Any]) -> set[str]:
        view = request_form(FormMeta.new(kind="launch"), values)
        return {b["block_id"] for b in view["blocks"] if b["type"] == "input"}

    oidc = inputs({"protocol": "oidc_pkce", "ial": 1})
    assert "redirect_uris" in oidc and "acs_url" not in oidc
    assert "failure_to_proof_url" not in oidc
    saml = inputs({"protocol": "saml", "ial": 2})
    assert {"acs_url", "assertion_consumer_logout_service_url", "block_encryption",
            "failure_to_proof_url"} <= saml
    assert "redirect_uris" not in saml


# Found by fuzzing (tests/fuzz): input Slack's own inputs never send must neither raise nor
# reach the request. Each once crashed the listener.
@pytest.mark.parametrize("state", [
    [],  # state.values not an object
    {"app_name": {"value": {"type": "multi_static_select",
                            "selected_options": [{"value": None}]}}},  # a list for a text
    {"logo": {"value": {"type": "plain_text_input", "value": 5}}},  # a number for files
    {"logo": {"value": {"type": "file_input", "files": [{"id": "F" * 5000}]}}},  # no file ID
    {"attribute_bundle": {"value": {"type": "checkboxes", "selected_options": 7}}},
    {"protocol": {"value": {"type": "static_select", "selected_option": {"value": ["saml"]}}}},
])
def test_input_no_slack_input_sends_is_left_out(state: Any) -> None:
    form = read_state(state)
    assert form.values == {}
    assert form.file_ids in ({}, {"logo": []})
    meta = FormMeta.new(kind="launch")
    assert problems(request_form(meta, form.values), "modal") == []


def test_metadata_the_bot_cannot_have_written_starts_a_new_form() -> None:
    kept = FormMeta.new(kind="launch", files={"logo": ["F1"]})
    assert FormMeta.parse(kept.dump()) == kept
    for text in ("garbage", '{"key": "k", "files": {"app_name": ["F1"]}}',
                 '{"key": "k", "files": {"certificates": ' + str(["F1"] * 11) + "}}",
                 '{"key": "k", "issuer": "' + "u" * 3000 + '"}',
                 '{"key": "k' + "a" * 1990 + '"}'):  # no room left for what the form adds
        parsed = FormMeta.parse(text.replace("'", '"'))
        assert parsed.key != "k" and parsed.files == {} and parsed.issuer is None


def test_typed_values_survive_a_rebuild() -> None:
    meta = FormMeta.new(kind="launch")
    view = request_form(meta, {"protocol": "oidc_pkce"})
    typed = {"app_name": "Benefits Portal", "redirect_uris": "https://a.example.gov/cb\n\n"
             "https://b.example.gov/cb", "ial": "2", "attestations": ["iaa_lists_integration"],
             "desired_deploy_date": "2026-12-17", "help_text.sign_in": "piv_cac",
             "estimated_annual_registrations": "1200"}
    values = read_state(state_values(view, typed)).values
    assert values["redirect_uris"] == ["https://a.example.gov/cb", "https://b.example.gov/cb"]
    assert values["ial"] == 2 and values["estimated_annual_registrations"] == 1200
    assert values["help_text"] == {"sign_in": "piv_cac"}
    assert values["attestations"]["iaa_lists_integration"] is True
    assert values["attestations"]["logo_approved"] is False
    assert values["desired_deploy_date"] == date(2026, 12, 17)
    rebuilt = request_form(meta, values)
    again = read_state(state_values(rebuilt, {})).values
    for name in ("app_name", "redirect_uris", "ial", "help_text", "desired_deploy_date",
                 "estimated_annual_registrations"):
        assert again[name] == values[name], name


def test_errors_land_on_their_input_or_the_nearest_one() -> None:
    view = request_form(FormMeta.new(kind="launch"), {"protocol": "oidc_pkce", "ial": 1})
    report = Report(kind="launch", findings=[
        Finding(rule="URL-SHAPE", severity=Severity.error, field="redirect_uris[1]",
                message="bad"),
        Finding(rule="URL-DEDICATED", severity=Severity.error,
                field="attestations.dedicated_domain", message="confirm"),
        Finding(rule="HELP-HTML", severity=Severity.error, field="help_text.sign_in",
                message="tags"),
        Finding(rule="SAML-ACS", severity=Severity.error, field="acs_url", message="no acs"),
        Finding(rule="REQ-TYPE", severity=Severity.error, field=None, message="shape"),
        Finding(rule="CAL-EARLIEST", severity=Severity.info, field="desired_deploy_date",
                message="fyi"),
    ])
    errors = form_errors(report, view)
    assert set(errors) == {"redirect_uris", "attestations", "help_text.sign_in", "kind"} | \
        {nearest_block("acs_url", [b["block_id"] for b in view["blocks"]
                                   if b["type"] == "input"])}
    assert "(URL-SHAPE)" in errors["redirect_uris"]
    assert "fyi" not in " ".join(errors.values())  # notes are not errors
    assert response_action_problems({"response_action": "errors", "errors": errors}, view) == []


def test_every_form_field_is_a_rules_field() -> None:
    from bot.models import Request

    top = {f.name.split(".")[0] for f in FIELDS}
    assert top <= set(Request.model_fields)


def test_a_change_records_only_what_changes() -> None:
    current = {"protocol": "oidc_pkce", "ial": 1, "redirect_uris": ["https://a.gov/cb"],
               "help_text": {"sign_in": "blank"}}
    typed = {"kind": "change", "issuer": "urn:x", "protocol": "oidc_pkce", "ial": 2,
             "redirect_uris": ["https://a.gov/cb"], "help_text": {"sign_in": "blank",
                                                                  "sign_up": "first_time"},
             "change_summary": "IAL 2"}
    assert changed_only(typed, current) == {"kind": "change", "issuer": "urn:x", "ial": 2,
                                            "help_text": {"sign_up": "first_time"},
                                            "change_summary": "IAL 2"}


def test_partner_text_is_escaped_everywhere() -> None:
    assert escape(INJECTION) == ("&lt;!channel&gt; &lt;@U0BOSS&gt; "
                                 "&lt;https://evil.example|click&gt; &amp; more")
    evil = record(submitted={"friendly_name": INJECTION, "agency": INJECTION,
                             "change_summary": INJECTION},
                  issuer=INJECTION, decision_note=INJECTION, state="changes_requested",
                  diff={"redirect_uris": {"old": [INJECTION], "new": ["https://x.gov"]}},
                  findings=(Finding(rule="HELP-PRESET", severity=Severity.warning,
                                    field="help_text.sign_in", message=INJECTION),))
    surfaces = [review_card(evil, logo=None, certificates=[]),
                partner_dm(evil, "changes_requested", {"comment": INJECTION, "by": "U0R"})[1],
                home_view([evil], [evil])["blocks"]]
    for blocks in surfaces:
        text = all_text(blocks)
        assert "<!channel>" not in text and "<@U0BOSS>" not in text
        assert "<https://evil" not in text


def test_review_card_shows_facts_and_buttons_until_decided() -> None:
    pem = make_cert(datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 171 40"/>'
    blocks = review_card(record(), logo=logo_facts("logo.svg", svg),
                         certificates=[("cert.pem", certificate_facts(pem))])
    assert problems(blocks, "message") == []
    text = all_text(blocks)
    assert "LR-1001" in text and "logo.svg" in text and "expires 2028-01-01" in text
    assert "Thursday, December 10, 2026" in text
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["approve", "request_changes", "reject"]
    decided = review_card(record(state="approved", decided_by="U0R", decided_at=NOW),
                          logo=None, certificates=[])
    assert not [b for b in decided if b["type"] == "actions"]
    assert "Approved* by <@U0R>" in all_text(decided)


def test_home_lists_requests_and_the_queue_for_reviewers() -> None:
    view = home_view([record()], None)
    assert problems(view, "home") == []
    assert "Review queue" not in all_text(view)
    reviewer = home_view([], [record(), record(id=2, public_id="LR-1002")])
    assert "Review queue* (2 waiting" in all_text(reviewer)
    assert problems(home_view([record(id=i) for i in range(60)],
                              [record(id=i) for i in range(60)]), "home") == []
