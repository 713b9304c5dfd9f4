"""CERT-* rules: one table of certificate files, judged at a fixed time against a fixed target."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.calendar import DeployCalendar
from bot.models import Finding, Kind, Request
from bot.rules.base import Context, Subject
from bot.rules.certificates import CertFacts, certificate_facts, check_certificates
from tests.rules.certs import make_cert, private_key_pem

CAL = DeployCalendar()
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TARGET = date(2026, 12, 10)
VALID_FROM = datetime(2026, 6, 1, tzinfo=UTC)
VALID_TO = datetime(2028, 6, 1, tzinfo=UTC)
GOOD = make_cert(VALID_FROM, VALID_TO)


def judge(
    files: dict[str, bytes],
    *,
    certificates: list[str] | None = None,
    protocol: str = "oidc_private_key_jwt",
    kind: Kind = Kind.launch,
    target: date | None = TARGET,
    unreadable: dict[str, str] | None = None,
    partial: bool = False,
    given: set[str] | None = None,
) -> list[Finding]:
    fields: dict[str, Any] = {"kind": kind, "protocol": protocol}
    fields["certificates"] = list(files) if certificates is None else certificates
    request = Request(**fields)
    ctx = Context(now=NOW, calendar=CAL, files=files, unreadable=unreadable or {})
    subject = Subject(request=request, given=frozenset(request.given() if given is None
                                                       else given),
                      partial=partial, context=ctx, target=target)
    return list(check_certificates(subject))


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


# (id, PEM content, target, expected rules, a fragment every finding's message contains)
CASES: list[tuple[str, bytes, date | None, list[str], str]] = [
    ("valid RSA 2048", GOOD, TARGET, [], ""),
    ("valid EC P-256", make_cert(VALID_FROM, VALID_TO, key_type="ec"), TARGET, [], ""),
    ("valid, no target", GOOD, None, [], ""),
    ("expired", make_cert(VALID_FROM, date(2026, 11, 1)), TARGET,
     ["CERT-EXPIRED"], "expired on 2026-11-01 (24 days ago)"),
    ("expires before the target date", make_cert(VALID_FROM, date(2026, 12, 5)), TARGET,
     ["CERT-EXPIRED"], "expires 2026-12-05 00:00 UTC, before the end of the target deploy date "
     "2026-12-10 (America/New_York): it would be expired at launch"),
    # 23:00 UTC is 18:00 in New York: still the target day there, so expired at launch.
    ("expires in the evening of the target day",
     make_cert(VALID_FROM, datetime(2026, 12, 10, 23, 0, tzinfo=UTC)), TARGET,
     ["CERT-EXPIRED"], "target deploy date 2026-12-10"),
    # 06:00 UTC on the 11th is 01:00 in New York: it outlives the target day.
    ("outlives the target day by an hour",
     make_cert(VALID_FROM, datetime(2026, 12, 11, 6, 0, tzinfo=UTC)), TARGET,
     ["CERT-EXPIRING"], "expires 2026-12-11, 1 day after the target deploy date"),
    ("expiring within 60 days of the target", make_cert(VALID_FROM, date(2027, 1, 15)), TARGET,
     ["CERT-EXPIRING"], "expires 2027-01-15, 36 days after the target deploy date 2026-12-10"),
    ("expiring within 60 days, no target", make_cert(VALID_FROM, date(2027, 1, 10)), None,
     ["CERT-EXPIRING"], "expires 2027-01-10, in 46 days"),
    ("before the target date but no target known", make_cert(VALID_FROM, date(2026, 12, 5)),
     None, ["CERT-EXPIRING"], "in 10 days"),
    ("60 days after the target", make_cert(VALID_FROM, date(2027, 2, 8)), TARGET,
     ["CERT-EXPIRING"], "60 days after the target deploy date 2026-12-10 (within 60 days)"),
    ("61 days after the target", make_cert(VALID_FROM, date(2027, 2, 9)), TARGET, [], ""),
    ("not yet valid", make_cert(date(2027, 1, 1), date(2028, 1, 1)), TARGET,
     ["CERT-EXPIRED"], "not valid until 2027-01-01 00:00 UTC"),
    ("1024-bit RSA", make_cert(VALID_FROM, VALID_TO, key_size=1024), TARGET,
     ["CERT-KEY"], "the RSA key is 1024 bits; use at least 2048"),
    ("5-year lifetime", make_cert(VALID_FROM, date(2031, 6, 1)), TARGET,
     ["CERT-LIFETIME"], "valid for 1826 days (about 5.0 years, 2026-06-01 to 2031-06-01)"),
    ("3 years including a leap day (1096 days)", make_cert(VALID_FROM, date(2029, 6, 1)),
     TARGET, [], ""),
    ("3 years and a day", make_cert(VALID_FROM, date(2029, 6, 2)), TARGET,
     ["CERT-LIFETIME"], "valid for 1097 days"),
    ("short serial", make_cert(VALID_FROM, VALID_TO, serial=0x1234ABCD), TARGET,
     ["CERT-SERIAL"], "serial number 0x1234abcd has 8 hex digits"),
    ("serial of exactly 16 hex digits", make_cert(VALID_FROM, VALID_TO, serial=2**63), TARGET,
     [], ""),
    ("zero serial", make_cert(VALID_FROM, VALID_TO, serial=0), TARGET,
     ["CERT-SERIAL"], "the serial number is 0; it must be positive"),
    ("negative serial", make_cert(VALID_FROM, VALID_TO, serial=-1), TARGET,
     ["CERT-SERIAL"], "the serial number is -1"),
    ("garbage", b"hello, this is not a certificate\n", TARGET,
     ["CERT-PEM"], "has no -----BEGIN CERTIFICATE----- block"),
    ("empty file", b"", TARGET, ["CERT-PEM"], "the file is empty"),
    ("private key instead of a certificate", private_key_pem(), TARGET,
     ["CERT-PEM"], "holds a private key (-----BEGIN PRIVATE KEY-----), not a certificate"),
    ("certificate with its private key", GOOD + private_key_pem(), TARGET,
     ["CERT-PEM"], "also contains a PRIVATE KEY"),
    ("truncated base64", GOOD[:300] + b"\n-----END CERTIFICATE-----\n", TARGET,
     ["CERT-PEM"], "does not parse as an X.509 certificate"),
    ("no END line", GOOD[:300], TARGET, ["CERT-PEM"], "has no -----END CERTIFICATE----- line"),
    ("public key", b"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n", TARGET,
     ["CERT-PEM"], "holds a bare public key"),
    ("CSR", b"-----BEGIN CERTIFICATE REQUEST-----\nMII\n-----END CERTIFICATE REQUEST-----\n",
     TARGET, ["CERT-PEM"], "certificate signing request"),
    # The first certificate of a chain is judged (here the expired one).
    ("chain: first expired", make_cert(VALID_FROM, date(2026, 11, 1)) + GOOD, TARGET,
     ["CERT-EXPIRED"], "expired on 2026-11-01"),
    ("chain: first valid", GOOD + make_cert(VALID_FROM, date(2026, 11, 1)), TARGET, [], ""),
    ("text around the PEM block", b"Subject: x\nIssuer: y\n" + GOOD + b"\ntrailer", TARGET,
     [], ""),
    ("several problems at once",
     make_cert(VALID_FROM, date(2026, 12, 1), key_size=1024, serial=77), TARGET,
     ["CERT-EXPIRED", "CERT-KEY", "CERT-SERIAL"], "certificates[0] ('cert.pem')"),
]


@pytest.mark.parametrize(("pem", "target", "expected", "fragment"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_certificate_file(pem: bytes, target: date | None, expected: list[str],
                          fragment: str) -> None:
    findings = judge({"cert.pem": pem}, target=target)
    assert rules(findings) == sorted(expected), [f.message for f in findings]
    for f in findings:
        assert f.field == "certificates[0]"
        assert fragment in f.message, f.message


def test_der_certificate_gets_a_conversion_hint() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(GOOD).public_bytes(Encoding.DER)
    [f] = judge({"cert.der": der})
    assert f.rule == "CERT-PEM" and "openssl x509 -inform der" in f.message


def test_the_field_names_the_index() -> None:
    findings = judge({"a.pem": GOOD, "b.pem": b"junk"})
    assert [(f.rule, f.field) for f in findings] == [("CERT-PEM", "certificates[1]")]
    assert "'b.pem'" in findings[0].message


def test_unreadable_and_missing_names() -> None:
    findings = judge({}, certificates=["gone.pem", "lost.pem"],
                     unreadable={"gone.pem": "no such file"})
    assert [(f.rule, f.field, f.message) for f in findings] == [
        ("CERT-PEM", "certificates[0]", "certificates[0]: 'gone.pem' could not be read: "
         "no such file"),
        ("CERT-PEM", "certificates[1]", "certificates[1]: 'lost.pem' was not provided (no "
         "file content was received)"),
    ]


@pytest.mark.parametrize(("protocol", "kind", "partial", "given", "fires"), [
    ("oidc_private_key_jwt", Kind.launch, False, None, True),
    ("saml", Kind.staging, False, None, True),
    ("oidc_pkce", Kind.launch, False, None, False),
    ("nonsense", Kind.launch, False, None, False),  # PROTO-ENUM's business
    # A partial change that switches to SAML: its current certificates are unknown.
    ("saml", Kind.change, True, {"protocol"}, False),
    # ... unless it also gives the (empty) certificate list.
    ("saml", Kind.change, True, {"protocol", "certificates"}, True),
    # A change the bot knows is judged whole.
    ("saml", Kind.change, False, {"protocol"}, True),
])
def test_certificate_required(protocol: str, kind: Kind, partial: bool,
                              given: set[str] | None, fires: bool) -> None:
    findings = judge({}, certificates=[], protocol=protocol, kind=kind, partial=partial,
                     given=given)
    assert rules(findings) == (["CERT-REQUIRED"] if fires else [])
    if fires:
        assert findings[0].field == "certificates"
        assert f"protocol {protocol} needs at least one certificate" in findings[0].message


def test_partial_change_judges_only_given_certificates() -> None:
    bad = {"old.pem": make_cert(date(2025, 1, 1), date(2026, 1, 1))}
    assert judge(bad, kind=Kind.change, partial=True, given={"protocol"}) == []
    findings = judge(bad, kind=Kind.change, partial=True, given={"certificates"})
    assert rules(findings) == ["CERT-EXPIRED"]


def test_known_change_does_not_ask_for_current_certificates() -> None:
    # The current configuration names a certificate whose content the bot does not hold.
    assert judge({}, certificates=["current.pem"], kind=Kind.change, given={"app_name"}) == []


def test_certificate_facts() -> None:
    facts = certificate_facts(make_cert(VALID_FROM, VALID_TO, serial=0xABCDEF0123456789))
    assert isinstance(facts, CertFacts)
    assert facts.common_name == "benefits.example.gov"
    assert "CN=benefits.example.gov" in facts.subject and facts.self_signed
    assert facts.serial_hex == "abcdef0123456789"
    assert facts.not_before == VALID_FROM and facts.not_after == VALID_TO
    assert facts.not_after.tzinfo is not None
    assert (facts.key_type, facts.key_size, facts.curve) == ("RSA", 2048, None)
    assert len(facts.sha256.split(":")) == 32
    assert facts.lifetime_days == 731 and facts.certificate_count == 1
    ec_facts = certificate_facts(make_cert(VALID_FROM, VALID_TO, key_type="ec") + GOOD)
    assert ec_facts is not None
    assert (ec_facts.key_type, ec_facts.key_size, ec_facts.curve) == ("EC", 256, "secp256r1")
    assert ec_facts.certificate_count == 2
    assert certificate_facts(b"junk") is None
    assert certificate_facts(private_key_pem()) is None


JUNK: list[bytes] = [
    b"",
    b"\x00" * 10,
    bytes(range(256)) * 4,
    b"\xff\xfe\xfd invalid utf-8 \xc3\x28",
    b"-----BEGIN CERTIFICATE-----",
    b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
    b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----",
    b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    b"-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----",
    b"-----BEGIN " + b"A" * 10_000 + b"-----",
    GOOD.replace(b"M", b"N"),
    GOOD[:-40],
    b"0\x82\x01\x00" + b"\x00" * 300,  # DER-ish header, junk body
    b"A" * 2_000_000,  # bigger than the cache limit
    b"-----BEGIN CERTIFICATE-----\n" + b"QUFB" * 500_000 + b"\n-----END CERTIFICATE-----\n",
]


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_never_raises(junk: bytes) -> None:
    findings = judge({"x.pem": junk})
    assert rules(findings) == ["CERT-PEM"]
    assert certificate_facts(junk) is None


def test_now_after_expiry_in_a_far_future() -> None:
    # Time is injected: the same certificate is fine in 2027 with no target, expired in 2029.
    pem = make_cert(VALID_FROM, VALID_TO)
    ctx = Context(now=NOW + timedelta(days=1000), calendar=CAL, files={"c.pem": pem})
    request = Request(kind=Kind.launch, protocol="saml", certificates=["c.pem"])
    subject = Subject(request=request, given=frozenset(request.given()), partial=False,
                      context=ctx, target=None)
    assert rules(list(check_certificates(subject))) == ["CERT-EXPIRED"]
