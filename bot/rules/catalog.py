"""The rule catalog of docs/rules.md: every rule ID with its severity, summary and source.

This table is the single source of severities: checks name a rule and `finding()` looks it up.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Finding, Severity, trusted

E, W, INFO = Severity.error, Severity.warning, Severity.info


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    source: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity.value, "summary": self.summary,
                "source": self.source}


RULES: tuple[Rule, ...] = (
    # The request file itself
    Rule("REQ-UNKNOWN", E, "every field of the request is one docs/rules.md §1 names", "OURS"),
    Rule("REQ-TYPE", E, "every field has the right type (text, number, list, date, true/false)",
         "OURS"),
    Rule("REQ-BLANK", INFO, "blank entries (empty text or null) in a list are dropped", "OURS"),
    # URLs
    Rule("URL-NORM", INFO, "whitespace is stripped and blank redirect URIs dropped", "DASH"),
    Rule("URL-SHAPE", E, "a URL parses, has no wildcard and no refused scheme", "DASH"),
    Rule("URL-HOST", E, "a host uses only letters, digits, '-', '_' and '.'", "DASH"),
    Rule("URL-HTTPS", E, "web URLs in production and staging use https", "DOCS"),
    Rule("URL-LOCAL", E, "no localhost, loopback, private or link-local host, no bare IP",
         "DASH, OURS"),
    Rule("URL-DOMAIN", E, "hosts end in .gov, .mil or a dedicated (not shared-platform) .com",
         "SEED"),
    Rule("URL-DEDICATED", E, "a .com host needs attestations.dedicated_domain", "SEED"),
    Rule("URL-PUSH", E, "push_notification_url uses https on port 443", "DOCS, SEED"),
    # Protocol and SAML
    Rule("PROTO-ENUM", E, "protocol is oidc_private_key_jwt, oidc_pkce or saml", "DASH"),
    Rule("OIDC-REDIRECT", E, "an OIDC protocol has at least one redirect URI", "DASH"),
    Rule("SAML-ACS", E, "SAML has acs_url and return_to_sp_url", "DASH"),
    Rule("SAML-LOGOUT", E, "SAML has assertion_consumer_logout_service_url", "SEED"),
    Rule("SAML-ENCRYPT", E, "SAML assertion encryption is on (block_encryption is not none)",
         "SEED"),
    Rule("SAML-ENCRYPT-ENUM", E, "block_encryption is none, aes256-cbc or aes256-gcm", "DASH"),
    Rule("CERT-REQUIRED", E, "saml and oidc_private_key_jwt have at least one certificate",
         "DASH"),
    # Identity assurance and attributes
    Rule("IAL-ENUM", E, "ial is 1 or 2", "DASH"),
    Rule("AAL-ENUM", E, "default_aal is 1, 2 or 3", "DASH"),
    Rule("AAL-IAL2", W, "IAL 2 integrations need at least AAL 2", "DASH"),
    Rule("ATTR-KNOWN", E, "every attribute is a known attribute", "DASH"),
    Rule("ATTR-IAL", E, "identity-proofed attributes need ial 2", "DASH"),
    Rule("ATTR-SAML-IAL2", E, "SAML at IAL 2 has a non-empty attribute bundle", "DASH"),
    Rule("IDV-FTP", E, "ial 2 needs failure_to_proof_url", "SEED"),
    # Names, team, issuer
    Rule("APP-NAME", E, "app_name is present", "SEED"),
    Rule("APP-NAME-ENV", E, "app_name names no environment (prod/production: error; "
         "staging, test, dev, ...: warning)", "SEED"),
    Rule("APP-FRIENDLY", E, "friendly_name is present", "SEED"),
    Rule("APP-AGENCY", E, "agency is present", "SEED"),
    Rule("ISS-FORMAT", E, "issuer is present and has no whitespace", "DASH"),
    Rule("ISS-RECOMMENDED", INFO, "the issuer follows the recommended urn:gov:gsa form", "DASH"),
    Rule("ISS-UNIQUE", E, "a launch's issuer is new; a change's issuer is a known integration",
         "DASH"),
    Rule("ISS-IMMUTABLE", E, "a change request cannot change the issuer", "DASH"),
    # Certificates
    Rule("CERT-PEM", E, "each certificate is a PEM X.509 certificate", "DASH"),
    Rule("CERT-EXPIRED", E, "each certificate is valid now and on the target deploy date", "OURS"),
    Rule("CERT-EXPIRING", W, "a certificate expires within 60 days of the target deploy date",
         "DASH"),
    Rule("CERT-KEY", W, "an RSA key has at least 2048 bits", "DOCS"),
    Rule("CERT-LIFETIME", W, "certificate validity is at most 3 years", "DOCS"),
    Rule("CERT-SERIAL", W, "the serial is positive with at least 16 hex digits", "DOCS"),
    # Logo
    Rule("LOGO-REQUIRED", E, "a launch or staging request has a logo", "SEED"),
    Rule("LOGO-TYPE", E, "the logo is PNG or SVG by content", "DASH"),
    Rule("LOGO-EXT", E, "the logo's file extension matches its content", "DASH"),
    Rule("LOGO-SIZE", E, "the logo is at most 51,200 bytes", "DASH"),
    Rule("LOGO-SVG", E, "an SVG logo has a viewBox and no <script>", "DASH"),
    Rule("LOGO-DIMENSIONS", W, "a PNG logo is at most 171×40 px", "SEED-era guidelines"),
    # Help text
    Rule("HELP-PRESET", W, "help text is a preset; custom text goes through the help desk",
         "DASH"),
    Rule("HELP-HTML", E, "custom help text uses only p br ol ul li a strong em b, href/target",
         "DASH"),
    # IAA and launch details
    Rule("IAA-REQUIRED", E, "launch and staging give iaa_number", "SEED"),
    Rule("IAA-FORMAT", E, "iaa_number is GTC-Order-Mod with 4-digit order and mod", "SEED, DASH"),
    Rule("IAA-FORMAT-TYPICAL", W, "iaa_number looks like LGABCFY210001-0001-0000", "SEED"),
    Rule("IAA-LISTED", E, "the signed IAA lists this integration", "SEED"),
    Rule("ATTEST-PROD-APP", E, "a launch has a separate production configuration app", "SEED"),
    Rule("ATTEST-ATO", E, "a launch or staging points to an ATO-approved environment", "SEED"),
    Rule("ATTEST-LOGO", E, "a launch has an approved logo", "SEED"),
    Rule("LAUNCH-DETAILS", E, "a launch gives application_url, audience, estimated annual "
         "registrations and program and technical contacts", "DASH"),
    Rule("STAGING-IAA", E, "a staging request needs a signed IAA", "SEED"),
    # Deploy calendar and lead time
    Rule("CAL-DEPLOY-DAY", INFO, "deploys happen every Thursday by close of business "
         "(America/New_York); a holiday moves it to the following Monday", "SEED"),
    Rule("CAL-HOLIDAYS", INFO, "federal holidays as observed, executive-order closures and "
         "configured closures are not deploy days", "LAW, OURS"),
    Rule("CAL-LEAD", E, "the target deploy date is at least 14 days after submission", "SEED"),
    Rule("CAL-PUSH", E, "21 days when the request adds or changes push_notification_url", "SEED"),
    Rule("CAL-HORIZON", E, "a desired deploy date is at most two years after submission",
         "OURS"),
    Rule("CAL-EXPEDITE", E, "an expedited request names an earlier deploy day and says why it "
         "cannot wait; accepted, it is a warning and needs two reviewers' approvals", "OURS"),
    Rule("CAL-NOT-DEPLOY-DAY", E, "a desired deploy date is a deploy day", "OURS"),
    Rule("CAL-EARLIEST", INFO, "the earliest deploy date the request can make", "OURS"),
    Rule("CAL-DURATION", INFO, "deployment takes 1 to 2 weeks; a new IAA up to 6 weeks", "SEED"),
    # Support tickets
    Rule("SUP-PROD-ACCOUNT", E, "a support ticket gives the production account email", "SEED"),
    Rule("SUP-CATEGORY", E, "a support ticket's category is one of the listed categories",
         "DOCS"),
    # Live URL probes (`launchbot check --probe`, and after a request is filed): advice only
    Rule("PROBE-OK", INFO, "a production URL answers over HTTPS with a valid certificate",
         "OURS"),
    Rule("PROBE-DNS", INFO, "a production URL's host resolves", "OURS"),
    Rule("PROBE-HTTPS", INFO, "a production URL answers over HTTPS within the timeout", "OURS"),
    Rule("PROBE-ADDRESS", W, "a production URL's host resolves only to public addresses",
         "OURS"),
    Rule("PROBE-CERT", W, "a production URL's certificate is trusted, current and valid for "
         "its host", "OURS"),
    Rule("PROBE-CERT-EXPIRY", W, "a production URL's certificate does not expire within 30 "
         "days", "OURS"),
    Rule("PROBE-HTTP-REDIRECT", W, "a production URL never redirects to plain http", "OURS"),
    Rule("PROBE-SKIPPED", INFO, "at most 20 hosts are probed per request", "OURS"),
    # Environments
    Rule("ENV-SANDBOX", INFO, "sandbox changes take effect immediately and need no request",
         "SEED"),
)

BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def finding(rule_id: str, field: str | None, message: str,
            severity: Severity | None = None) -> Finding:
    """A finding of a catalogued rule; `severity` only for rules with two levels."""
    rule = BY_ID[rule_id]
    # Built without re-validation: every part is already of its type (rule from the catalogue).
    return trusted(Finding, {"rule": rule.id, "severity": severity or rule.severity,
                             "field": field, "message": message})
