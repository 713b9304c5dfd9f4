"""Every rule of RULES.md: one case that fires it (on the right field) and one that passes.

Each case is a patch on a valid launch request; the test that closes the file checks that the
table covers the whole catalog, so a rule added to RULES.md without cases fails here.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.calendar import DeployCalendar
from bot.models import Configuration, Severity
from bot.rules import RULES, Context, validate, validate_ticket
from tests.rules.certs import make_cert


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


CAL = DeployCalendar()
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=CAL.tz)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 171 40">'
    b'<rect width="40" height="40"/></svg>'
)


def png(width: int, height: int) -> bytes:
    """A real (blank) PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


CERT = make_cert(at(2026, 6, 1), at(2028, 6, 1))
DELETE = object()

BASE: dict[str, Any] = {
    "kind": "launch",
    "app_name": "DHS Benefits Portal",
    "friendly_name": "Benefits Portal",
    "agency": "Department of Examples",
    "protocol": "oidc_private_key_jwt",
    "ial": 1,
    "default_aal": 1,
    "attribute_bundle": ["email", "verified_at"],
    "issuer": "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits",
    "logo": "logo.svg",
    "certificates": ["cert.pem"],
    "redirect_uris": ["https://benefits.example.gov/auth/result"],
    "help_text": {
        "sign_in": "blank",
        "sign_up": "first_time",
        "forgot_password": "troubleshoot_html",
    },
    "iaa_number": "LGABCFY210001-0001-0000",
    "application_url": "https://benefits.example.gov/",
    "audience": "general_public",
    "estimated_annual_registrations": 120000,
    "contacts": {
        "program": "Pat Doe - PM - pat@example.gov - 555",
        "technical": "Sam Roe - Eng - sam@example.gov - 555",
    },
    "attestations": {
        "iaa_lists_integration": True,
        "production_app_created": True,
        "ato_environment": True,
        "logo_approved": True,
    },
}
SAML = {
    "protocol": "saml",
    "issuer": "urn:gov:gsa:SAML:2.0.profiles:sp:sso:dhs:benefits",
    "acs_url": "https://benefits.example.gov/saml/acs",
    "return_to_sp_url": "https://benefits.example.gov/",
    "assertion_consumer_logout_service_url": "https://benefits.example.gov/saml/logout",
    "block_encryption": "aes256-gcm",
    "redirect_uris": DELETE,
}
IAL2 = {"ial": 2, "default_aal": 2, "failure_to_proof_url": "https://benefits.example.gov/idv"}
CURRENT = Configuration(
    issuer=BASE["issuer"],
    protocol="oidc_pkce",
    ial=1,
    redirect_uris=["https://benefits.example.gov/auth/result"],
    push_notification_url="https://benefits.example.gov/risc",
)
CHANGE = {
    "kind": "change",
    "issuer": BASE["issuer"],
    "change_summary": "new redirect",
    "attestations": {"iaa_lists_integration": True},
}


@dataclass
class Case:
    rule: str
    patch: dict[str, Any]
    where: str | None = None  # the field a firing case must report it on
    context: dict[str, Any] = field(default_factory=dict)
    base: dict[str, Any] | None = None
    severity: Severity | None = None

    def run(self) -> list[Any]:
        data = dict(BASE if self.base is None else self.base)
        for key, value in self.patch.items():
            if value is DELETE:
                data.pop(key, None)
            elif isinstance(value, dict):  # DELETE inside a mapping: that key is absent
                data[key] = {k: v for k, v in value.items() if v is not DELETE}
            else:
                data[key] = value
        files = {"logo.svg": SVG, "cert.pem": CERT, **self.context.pop("files", {})}
        context = Context(**{"now": NOW, "calendar": CAL, "files": files, **self.context})
        return validate(data, context=context).findings


def cert(**kwargs: Any) -> dict[str, Any]:
    return {"files": {"c.pem": make_cert(**kwargs)}}


FIRES = [
    Case("REQ-UNKNOWN", {"redirect_uri": ["https://a.example.gov/"]}, "redirect_uri"),
    Case("REQ-TYPE", {"desired_deploy_date": "next week"}, "desired_deploy_date"),
    Case("REQ-TYPE", {"redirect_uris": "https://benefits.example.gov/cb"}, "redirect_uris"),
    Case(
        "URL-NORM", {"redirect_uris": [" https://benefits.example.gov/cb ", "  "]}, "redirect_uris"
    ),
    Case("URL-NORM", {"redirect_uris": [None, "https://benefits.example.gov/cb"]},
         "redirect_uris"),
    Case("REQ-BLANK", {"certificates": ["cert.pem", ""]}, "certificates"),
    Case("REQ-BLANK", {"attribute_bundle": ["email", None, " "]}, "attribute_bundle"),
    Case("REQ-TYPE", {"redirect_uris": ["https://benefits.example.gov/cb", 7]},
         "redirect_uris[1]"),
    Case("REQ-TYPE", {"attribute_bundle": [{"email": True}, "email"]}, "attribute_bundle[0]"),
    Case("URL-SHAPE", {"redirect_uris": ["https://*.example.gov/cb"]}, "redirect_uris[0]"),
    Case("URL-SHAPE", {"redirect_uris": ["ftp://files.example.gov/cb"]}, "redirect_uris[0]"),
    Case("URL-SHAPE", {"application_url": "benefits.example.gov"}, "application_url"),
    Case("URL-SHAPE", {"application_url": "gov.example.app://start"}, "application_url"),
    Case("URL-HOST", {"redirect_uris": ["https://bene!fits.example.gov/cb"]}, "redirect_uris[0]"),
    Case("URL-HTTPS", {"application_url": "http://benefits.example.gov/"}, "application_url"),
    Case("URL-LOCAL", {"redirect_uris": ["https://localhost:8080/cb"]}, "redirect_uris[0]"),
    Case("URL-LOCAL", {"redirect_uris": ["https://10.1.2.3/cb"]}, "redirect_uris[0]"),
    Case("URL-LOCAL", {"redirect_uris": ["https://[::1]/cb"]}, "redirect_uris[0]"),
    Case("URL-DOMAIN", {"redirect_uris": ["https://benefits.example.org/cb"]}, "redirect_uris[0]"),
    Case("URL-DOMAIN", {"application_url": "https://benefits.herokuapp.com/"}, "application_url"),
    Case(
        "URL-DEDICATED",
        {"application_url": "https://benefits-agency.com/"},
        "attestations.dedicated_domain",
    ),
    Case(
        "URL-PUSH",
        {"push_notification_url": "http://benefits.example.gov/risc"},
        "push_notification_url",
    ),
    Case(
        "URL-PUSH",
        {"push_notification_url": "https://benefits.example.gov:8443/risc"},
        "push_notification_url",
    ),
    Case("PROTO-ENUM", {"protocol": "oauth2"}, "protocol"),
    Case("OIDC-REDIRECT", {"redirect_uris": []}, "redirect_uris"),
    Case("SAML-ACS", {**SAML, "acs_url": DELETE}, "acs_url"),
    Case("SAML-ACS", {**SAML, "return_to_sp_url": DELETE}, "return_to_sp_url"),
    Case(
        "SAML-LOGOUT",
        {**SAML, "assertion_consumer_logout_service_url": DELETE},
        "assertion_consumer_logout_service_url",
    ),
    Case("SAML-ENCRYPT", {**SAML, "block_encryption": "none"}, "block_encryption"),
    Case("SAML-ENCRYPT-ENUM", {**SAML, "block_encryption": "des"}, "block_encryption"),
    Case("CERT-REQUIRED", {"certificates": []}, "certificates"),
    Case("IAL-ENUM", {"ial": 3}, "ial"),
    Case("AAL-ENUM", {"default_aal": 4}, "default_aal"),
    Case("AAL-IAL2", {**IAL2, "default_aal": 1}, "default_aal"),
    Case("ATTR-KNOWN", {"attribute_bundle": ["email", "shoe_size"]}, "attribute_bundle[1]"),
    Case("ATTR-IAL", {"attribute_bundle": ["email", "ssn"]}, "attribute_bundle[1]"),
    Case("ATTR-SAML-IAL2", {**SAML, **IAL2, "attribute_bundle": []}, "attribute_bundle"),
    Case("IDV-FTP", {**IAL2, "failure_to_proof_url": DELETE}, "failure_to_proof_url"),
    Case("APP-NAME", {"app_name": DELETE}, "app_name"),
    Case("APP-NAME-ENV", {"app_name": "Benefits Portal Prod"}, "app_name"),
    Case("APP-NAME-ENV", {"app_name": "Benefits-QA"}, "app_name", severity=Severity.warning),
    Case("APP-FRIENDLY", {"friendly_name": ""}, "friendly_name"),
    Case("APP-AGENCY", {"agency": DELETE}, "agency"),
    Case("ISS-FORMAT", {"issuer": "my benefits app"}, "issuer"),
    Case("ISS-RECOMMENDED", {"issuer": "benefits-portal"}, "issuer"),
    Case(
        "ISS-UNIQUE",
        {},
        "issuer",
        context={"knows_integrations": True, "known_issuers": frozenset({BASE["issuer"]})},
    ),
    Case(
        "ISS-UNIQUE",
        {},
        "issuer",
        context={"knows_integrations": True, "open_request_issuers": frozenset({BASE["issuer"]})},
    ),
    Case("ISS-UNIQUE", {}, "issuer", base=CHANGE, context={"knows_integrations": True}),
    Case(
        "ISS-IMMUTABLE",
        {"issuer": "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:other"},
        "issuer",
        base=CHANGE,
        context={"current": CURRENT},
    ),
    Case(
        "CERT-PEM",
        {"certificates": ["c.pem"]},
        "certificates[0]",
        context={"files": {"c.pem": b"not a certificate"}},
    ),
    Case(
        "CERT-PEM",
        {"certificates": ["gone.pem"]},
        "certificates[0]",
        context={"unreadable": {"gone.pem": "no such file"}},
    ),
    Case(
        "CERT-EXPIRED",
        {"certificates": ["c.pem"]},
        "certificates[0]",
        context=cert(not_before=at(2025, 1, 1), not_after=at(2026, 11, 1)),
    ),
    Case(
        "CERT-EXPIRED",
        {"certificates": ["c.pem"]},
        "certificates[0]",  # gone by deploy day
        context=cert(not_before=at(2025, 1, 1), not_after=at(2026, 12, 5)),
    ),
    Case(
        "CERT-EXPIRING",
        {"certificates": ["c.pem"]},
        "certificates[0]",
        context=cert(not_before=at(2026, 1, 1), not_after=at(2027, 1, 20)),
    ),
    Case(
        "CERT-KEY",
        {"certificates": ["c.pem"]},
        "certificates[0]",
        context=cert(not_before=at(2026, 1, 1), not_after=at(2028, 1, 1), key_size=1024),
    ),
    Case(
        "CERT-LIFETIME",
        {"certificates": ["c.pem"]},
        "certificates[0]",
        context=cert(not_before=at(2026, 1, 1), not_after=at(2031, 1, 1)),
    ),
    Case(
        "CERT-SERIAL",
        {"certificates": ["c.pem"]},
        "certificates[0]",
        context=cert(not_before=at(2026, 1, 1), not_after=at(2028, 1, 1), serial=4242),
    ),
    Case("LOGO-REQUIRED", {"logo": DELETE}, "logo"),
    Case(
        "LOGO-REQUIRED",
        {"logo": "gone.png"},
        "logo",
        context={"unreadable": {"gone.png": "no such file"}},
    ),
    Case("LOGO-TYPE", {"logo": "l.png"}, "logo", context={"files": {"l.png": b"GIF89a...."}}),
    Case("LOGO-EXT", {"logo": "logo.png"}, "logo", context={"files": {"logo.png": SVG}}),
    Case(
        "LOGO-SIZE",
        {"logo": "big.svg"},
        "logo",
        context={"files": {"big.svg": SVG[:-6] + b" " * 52000 + b"</svg>"}},
    ),
    Case(
        "LOGO-SVG",
        {"logo": "s.svg"},
        "logo",
        context={"files": {"s.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>'}},
    ),
    Case(
        "LOGO-SVG",
        {"logo": "s.svg"},
        "logo",
        context={"files": {"s.svg": SVG.replace(b"<rect", b"<script>alert(1)</script><rect")}},
    ),
    Case("LOGO-DIMENSIONS", {"logo": "l.png"}, "logo", context={"files": {"l.png": png(400, 200)}}),
    Case(
        "HELP-PRESET",
        {"help_text": {"sign_in": "Use your agency email address."}},
        "help_text.sign_in",
    ),
    Case(
        "HELP-HTML", {"help_text": {"sign_up": "<img src=x onerror=alert(1)>"}}, "help_text.sign_up"
    ),
    Case("IAA-REQUIRED", {"iaa_number": DELETE}, "iaa_number"),
    Case("IAA-FORMAT", {"iaa_number": "LGABCFY210001-1-0"}, "iaa_number"),
    Case("IAA-FORMAT-TYPICAL", {"iaa_number": "ABC123-0001-0000"}, "iaa_number"),
    Case(
        "IAA-LISTED",
        {"attestations": {**BASE["attestations"], "iaa_lists_integration": False}},
        "attestations.iaa_lists_integration",
    ),
    Case(
        "IAA-LISTED",
        {},
        "attestations.iaa_lists_integration",
        base={**CHANGE, "attestations": DELETE},
    ),
    Case(
        "ATTEST-PROD-APP",
        {"attestations": {**BASE["attestations"], "production_app_created": DELETE}},
        "attestations.production_app_created",
    ),
    Case(
        "ATTEST-ATO",
        {"attestations": {**BASE["attestations"], "ato_environment": False}},
        "attestations.ato_environment",
    ),
    Case(
        "ATTEST-LOGO",
        {"attestations": {**BASE["attestations"], "logo_approved": False}},
        "attestations.logo_approved",
    ),
    Case("LAUNCH-DETAILS", {"application_url": DELETE}, "application_url"),
    Case("LAUNCH-DETAILS", {"audience": "everyone"}, "audience"),
    Case(
        "LAUNCH-DETAILS", {"estimated_annual_registrations": -5}, "estimated_annual_registrations"
    ),
    Case("LAUNCH-DETAILS", {"contacts": {"program": "Pat Doe"}}, "contacts.technical"),
    Case("STAGING-IAA", {"kind": "staging", "iaa_number": DELETE}, "iaa_number"),
    Case("CAL-LEAD", {"desired_deploy_date": date(2026, 12, 3)}, "desired_deploy_date"),
    Case("CAL-LEAD", {"desired_deploy_date": date(1, 1, 4)}, "desired_deploy_date"),
    Case("CAL-HORIZON", {"desired_deploy_date": date(9999, 12, 30)}, "desired_deploy_date"),
    Case("CAL-EXPEDITE", {"desired_deploy_date": date(2026, 12, 3),
                          "expedite_justification": "urgent"}, "expedite_justification"),
    Case("CAL-HORIZON", {"desired_deploy_date": date(2028, 12, 7)}, "desired_deploy_date"),
    Case(
        "CAL-PUSH",
        {
            "push_notification_url": "https://benefits.example.gov/risc",
            "desired_deploy_date": date(2026, 12, 10),
        },
        "desired_deploy_date",
    ),
    Case(
        "CAL-PUSH",
        {
            "push_notification_url": "https://benefits.example.gov/risc2",
            "desired_deploy_date": "2026-12-10",
        },
        "desired_deploy_date",
        base=CHANGE,
        context={
            "current": CURRENT,
            "knows_integrations": True,
            "known_issuers": frozenset({BASE["issuer"]}),
        },
    ),
    Case("CAL-NOT-DEPLOY-DAY", {"desired_deploy_date": date(2026, 12, 16)}, "desired_deploy_date"),
    Case(
        "CAL-NOT-DEPLOY-DAY",
        {"desired_deploy_date": date(2026, 12, 24)},  # no: a Thursday
        "desired_deploy_date",
        context={
            "calendar": DeployCalendar(closures={date(2026, 12, 24): "Christmas Eve closure"})
        },
    ),
    Case("CAL-EARLIEST", {}, "desired_deploy_date"),
    Case("CAL-DURATION", {}, None),
    Case("CAL-DEPLOY-DAY", {"desired_deploy_date": date(2026, 12, 17)}, "desired_deploy_date"),
    Case(
        "CAL-HOLIDAYS",
        {"desired_deploy_date": date(2026, 11, 30)},
        "desired_deploy_date",
        context={"now": datetime(2026, 11, 10, 9, 0, tzinfo=CAL.tz)},
    ),
    Case("ENV-SANDBOX", {"kind": "sandbox"}, "kind"),
]

PASSES = [
    Case("REQ-UNKNOWN", {"description": "free text is a known field"}),
    Case("REQ-TYPE", {"desired_deploy_date": "2026-12-17"}),
    Case("URL-NORM", {"redirect_uris": ["https://benefits.example.gov/cb"]}),
    Case("REQ-BLANK", {"certificates": ["cert.pem"], "attribute_bundle": ["email"]}),
    Case("URL-SHAPE", {"redirect_uris": ["gov.example.benefits://auth/result"]}),
    Case("URL-HOST", {"redirect_uris": ["https://Benefits_Portal.example.gov/Auth/Result"]}),
    Case("URL-HTTPS", {"redirect_uris": ["https://benefits.example.gov/cb"]}),
    Case("URL-LOCAL", {"redirect_uris": ["https://benefits.example.gov/cb"]}),
    Case("URL-DOMAIN", {"redirect_uris": ["https://benefits.army.mil/cb"]}),
    Case(
        "URL-DEDICATED",
        {
            "application_url": "https://benefits-agency.com/",
            "attestations": {**BASE["attestations"], "dedicated_domain": True},
        },
    ),
    Case("URL-PUSH", {"push_notification_url": "https://benefits.example.gov:443/risc"}),
    Case("PROTO-ENUM", {"protocol": "oidc_pkce"}),
    Case("OIDC-REDIRECT", {"redirect_uris": ["gov.example.benefits://auth/result"]}),
    Case("SAML-ACS", SAML),
    Case("SAML-LOGOUT", SAML),
    Case("SAML-ENCRYPT", {**SAML, "block_encryption": "aes256-cbc"}),
    Case("SAML-ENCRYPT-ENUM", {**SAML, "block_encryption": "aes256-gcm"}),
    Case("CERT-REQUIRED", {"protocol": "oidc_pkce", "certificates": DELETE}),
    Case("IAL-ENUM", IAL2),
    Case("AAL-ENUM", {"default_aal": 3}),
    Case("AAL-IAL2", IAL2),
    Case("ATTR-KNOWN", {"attribute_bundle": ["email", "all_emails", "x509_presented"]}),
    Case("ATTR-IAL", {**IAL2, "attribute_bundle": ["email", "ssn", "dob"]}),
    Case("ATTR-SAML-IAL2", {**SAML, **IAL2, "attribute_bundle": ["email", "first_name"]}),
    Case("IDV-FTP", IAL2),
    Case("APP-NAME", {"app_name": "Benefits Portal"}),
    Case("APP-NAME-ENV", {"app_name": "Product Safety Portal"}),
    Case("APP-NAME-ENV", {"kind": "staging", "app_name": "Benefits Staging"}),
    Case("APP-FRIENDLY", {"friendly_name": "Benefits"}),
    Case("APP-AGENCY", {"agency": "Department of Examples"}),
    Case("ISS-FORMAT", {}),
    Case("ISS-RECOMMENDED", {}),
    Case(
        "ISS-UNIQUE",
        {},
        context={"knows_integrations": True, "known_issuers": frozenset({"urn:other"})},
    ),
    Case(
        "ISS-UNIQUE",
        {"default_aal": 2},
        base=CHANGE,
        context={
            "knows_integrations": True,
            "known_issuers": frozenset({BASE["issuer"]}),
            "current": CURRENT,
        },
    ),
    Case("ISS-IMMUTABLE", {"default_aal": 2}, base=CHANGE, context={"current": CURRENT}),
    Case("CERT-PEM", {}),
    Case("CERT-EXPIRED", {}),
    Case("CERT-EXPIRING", {}),
    Case(
        "CERT-KEY",
        {"certificates": ["c.pem"]},
        context=cert(not_before=at(2026, 1, 1), not_after=at(2028, 1, 1), key_type="ec"),
    ),
    Case("CERT-LIFETIME", {}),
    Case("CERT-SERIAL", {}),
    Case("LOGO-REQUIRED", {"logo": DELETE}, base=CHANGE),
    Case("LOGO-TYPE", {}),
    Case("LOGO-EXT", {"logo": "LOGO.SVG"}, context={"files": {"LOGO.SVG": SVG}}),
    Case("LOGO-SIZE", {}),
    Case("LOGO-SVG", {}),
    Case("LOGO-DIMENSIONS", {"logo": "l.png"}, context={"files": {"l.png": png(171, 40)}}),
    Case("HELP-PRESET", {"help_text": {"sign_in": "piv_cac", "sign_up": "same_email"}}),
    Case("HELP-HTML", {"help_text": {"sign_in": '<p>Use <a href="https://x.gov">PIV</a></p>'}}),
    Case("IAA-REQUIRED", {}),
    Case("IAA-FORMAT", {"iaa_number": "ABC123-0001-0000"}),
    Case("IAA-FORMAT-TYPICAL", {}),
    Case("IAA-LISTED", {}),
    Case("ATTEST-PROD-APP", {}),
    Case("ATTEST-ATO", {}),
    Case("ATTEST-LOGO", {}),
    Case("LAUNCH-DETAILS", {}),
    Case("STAGING-IAA", {"kind": "staging"}),
    Case("CAL-LEAD", {"desired_deploy_date": date(2026, 12, 10)}),
    Case("CAL-EXPEDITE", {"desired_deploy_date": date(2026, 12, 3)}),
    Case(
        "CAL-PUSH",
        {
            "push_notification_url": "https://benefits.example.gov/risc",
            "desired_deploy_date": date(2026, 12, 17),
        },
    ),
    Case(
        "CAL-PUSH",
        {
            "push_notification_url": CURRENT.push_notification_url,
            "desired_deploy_date": "2026-12-10",
        },
        base=CHANGE,  # unchanged URL
        context={"current": CURRENT},
    ),
    Case("CAL-NOT-DEPLOY-DAY", {"desired_deploy_date": date(2026, 12, 10)}),
    Case("CAL-HORIZON", {"desired_deploy_date": date(2028, 11, 23)}),
    Case("CAL-EARLIEST", {"kind": "sandbox"}),
    Case("CAL-DURATION", {}, base=CHANGE),
    Case("CAL-DEPLOY-DAY", {}),
    Case("CAL-HOLIDAYS", {"desired_deploy_date": date(2026, 12, 10)}),
    Case("ENV-SANDBOX", {}),
]


def _ids(cases: list[Case]) -> list[str]:
    return [f"{c.rule}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize("case", FIRES, ids=_ids(FIRES))
def test_rule_fires_on_its_field(case: Case) -> None:
    hits = [f for f in case.run() if f.rule == case.rule]
    assert hits, f"{case.rule} did not fire"
    assert case.where in {f.field for f in hits}
    expected = case.severity or next(r.severity for r in RULES if r.id == case.rule)
    assert expected in {f.severity for f in hits}
    assert all(f.message for f in hits)


@pytest.mark.parametrize("case", PASSES, ids=_ids(PASSES))
def test_rule_passes(case: Case) -> None:
    assert case.rule not in {f.rule for f in case.run()}


def test_the_valid_request_has_no_errors_or_warnings() -> None:
    findings = Case("", {}).run()
    assert [f for f in findings if f.severity is not Severity.info] == []


def test_ticket_rules() -> None:
    good = {"category": "redirect problem", "production_account_email": "pat@example.gov"}
    assert validate_ticket(good).ok
    fired = {f.rule: f.field for f in validate_ticket({"category": "help me"}).findings}
    assert fired == {"SUP-CATEGORY": "category", "SUP-PROD-ACCOUNT": "production_account_email"}
    bad_email = validate_ticket({**good, "production_account_email": "pat at example"})
    assert [f.rule for f in bad_email.findings] == ["SUP-PROD-ACCOUNT"]


def test_every_catalog_rule_has_a_firing_and_a_passing_case() -> None:
    catalog = {rule.id for rule in RULES}
    tickets = {"SUP-PROD-ACCOUNT", "SUP-CATEGORY"}  # covered by test_ticket_rules
    probes = {r for r in catalog if r.startswith("PROBE-")}  # live checks: tests/probes
    assert catalog - tickets - probes - {c.rule for c in FIRES} == set()
    assert catalog - tickets - probes - {c.rule for c in PASSES} == set()
