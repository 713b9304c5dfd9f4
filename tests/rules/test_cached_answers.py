"""The rules core remembers work it has done (parsed certificates and logos, judged URLs, notes
about deploy days): a remembered answer is the one a fresh judgement gives, and never the answer
for another input."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from bot.calendar import DeployCalendar
from bot.models import Finding, Report, Severity
from bot.rules import Context, validate
from bot.rules.catalog import finding
from bot.rules.prepared import _remembered
from tests.rules.certs import make_cert

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CAL = DeployCalendar()
NOW = datetime(2026, 11, 25, 12, tzinfo=CAL.tz)
REQUEST = yaml.safe_load((EXAMPLES / "launch-oidc.yaml").read_text())
FILES = {"benefits-logo.svg": (EXAMPLES / "benefits-logo.svg").read_bytes(),
         "benefits-cert.pem": (EXAMPLES / "benefits-cert.pem").read_bytes()}


def judged(now: datetime = NOW, **files: bytes) -> Report:
    return validate(dict(REQUEST), context=Context(now=now, calendar=CAL,
                                                   files={**FILES, **files}))


def test_a_catalog_finding_is_what_pydantic_would_build() -> None:
    built = finding("CAL-LEAD", "desired_deploy_date", "too soon")
    validated = Finding(rule="CAL-LEAD", severity=Severity.error, field="desired_deploy_date",
                        message="too soon")
    assert built == validated and hash(built) == hash(validated)
    assert built.model_dump() == validated.model_dump()
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump_json() == validated.model_dump_json()


def test_the_earliest_deploy_note_follows_the_submission_day() -> None:
    notes = [[f.message for f in judged(now).findings if f.rule == "CAL-EARLIEST"]
             for now in (NOW, datetime(2026, 12, 2, 12, tzinfo=CAL.tz), NOW)]
    assert notes[0] == notes[2] == [
        "earliest deploy: Thursday 2026-12-10 (14 days' notice; submitted 2026-11-25)"]
    assert notes[1] == [
        "earliest deploy: Thursday 2026-12-17 (14 days' notice; submitted 2026-12-02)"]


def test_two_certificates_with_the_same_subject_keep_their_own_expiry() -> None:
    lasting = make_cert(date(2026, 1, 1), date(2028, 1, 1))
    expiring = make_cert(date(2026, 1, 1), date(2026, 12, 20))
    for _ in range(2):  # the second round is answered from what the first one remembered
        assert [f.rule for f in judged(**{"benefits-cert.pem": lasting}).findings
                if f.rule.startswith("CERT")] == []
        expiring_findings = [f.message for f in judged(**{"benefits-cert.pem": expiring}).findings
                             if f.rule.startswith("CERT")]
        assert expiring_findings == [
            "certificates[0] ('benefits-cert.pem'): expires 2026-12-20, 10 days after the target "
            "deploy date 2026-12-10 (within 60 days); rotate it before launch, or add its "
            "replacement now"]


def test_the_same_certificate_is_judged_again_at_another_time() -> None:
    cert = make_cert(date(2026, 1, 1), date(2027, 3, 1))
    early = judged(datetime(2026, 11, 25, 12, tzinfo=UTC), **{"benefits-cert.pem": cert})
    late = judged(datetime(2027, 3, 2, 12, tzinfo=UTC), **{"benefits-cert.pem": cert})
    assert [f.rule for f in early.findings if f.rule.startswith("CERT")] == []
    assert [f.message for f in late.findings if f.rule.startswith("CERT")] == [
        "certificates[0] ('benefits-cert.pem'): expired on 2027-03-01 (1 day ago); upload a "
        "current certificate"]


def judged_as_is(data: dict[str, object]) -> Report:
    return validate(data, context=Context(now=NOW, calendar=CAL, files=FILES))


def _fresh(data: dict[str, object]) -> Report:
    _remembered.cache_clear()
    return validate(data, context=Context(now=NOW, calendar=CAL, files=FILES))


def test_content_that_differs_only_in_type_or_order_is_judged_for_itself() -> None:
    variants: list[dict[str, object]] = [
        {**REQUEST, "ial": 1}, {**REQUEST, "ial": True}, {**REQUEST, "ial": "1"},
        {**REQUEST, "ial": 1.0}, {**REQUEST, "ial": 2}, {**REQUEST, "ial": None},
        {**REQUEST, "redirect_uris": [*REQUEST["redirect_uris"], " "]},
        {**REQUEST, "redirect_uris": [*REQUEST["redirect_uris"], 1]},
        {**REQUEST, "attestations": {**REQUEST["attestations"], "logo_approved": "yes"}},
        {**REQUEST, "attestations": {**REQUEST["attestations"], "logo_approved": 1}},
        {**REQUEST, "desired_deploy_date": date(2026, 12, 10)},
        {**REQUEST, "desired_deploy_date": "2026-12-10"},
        {**REQUEST, "desired_deploy_date": datetime(2026, 12, 10)},
        {**REQUEST, "app_name": " DHS Benefits Portal "},
        {"kind": "launch", **{k: v for k, v in REQUEST.items() if k != "kind"}},
    ]
    fresh = [_fresh(v) for v in variants]
    # The models read 1, True, 1.0 and "1" alike (and "yes" as true, a date as its text, the
    # name without its spaces): ial 2, no ial, a blank and a number among the URIs differ.
    assert len({r.model_dump_json() for r in fresh}) == 5
    for _ in range(2):  # remembered from the first round, then answered from memory
        for variant, expected in zip(variants, fresh, strict=True):
            assert judged_as_is(variant) == expected



def test_validating_leaves_the_content_as_it_was() -> None:
    data = {**REQUEST, "redirect_uris": [" https://benefits.example.gov/auth/result ", ""],
            "ial": "x"}
    before = repr(data)
    for _ in range(2):
        judged_as_is(data)
    assert repr(data) == before
