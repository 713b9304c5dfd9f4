"""Identity assurance and attributes: IAL-ENUM, AAL-ENUM, AAL-IAL2, ATTR-KNOWN, ATTR-IAL,
ATTR-SAML-IAL2, IDV-FTP."""

from __future__ import annotations

from collections.abc import Iterator

from bot.models import Finding
from bot.rules.base import Subject
from bot.rules.catalog import finding

IAL_LEVELS = (1, 2)
AAL_LEVELS = (1, 2, 3)
DEFAULT_AAL = 1
ATTRIBUTES = ("email", "all_emails", "verified_at", "x509_subject", "x509_presented",
              "first_name", "last_name", "dob", "ssn", "address1", "address2", "city", "state",
              "zipcode", "phone")
PROOFED_ATTRIBUTES = frozenset({"first_name", "last_name", "dob", "ssn", "address1", "address2",
                                "city", "state", "zipcode", "phone"})


def check_identity(subject: Subject) -> Iterator[Finding]:
    request = subject.request
    ial, aal = request.ial, request.default_aal
    if subject.judges("ial") and ial not in IAL_LEVELS:
        yield finding("IAL-ENUM", "ial", f"ial {ial} is not a level: use 1 (authentication only)"
                      " or 2 (identity verification)" if ial is not None else
                      "ial is required: 1 (authentication only) or 2 (identity verification)")
    if subject.judges("default_aal") and aal is not None and aal not in AAL_LEVELS:
        yield finding("AAL-ENUM", "default_aal", f"default_aal {aal} is not a level: use 1, 2 or"
                      " 3 (phishing-resistant)")
    judged_ial = subject.judges("ial") or subject.judges("default_aal")
    if ial == 2 and judged_ial and (aal or DEFAULT_AAL) == 1:
        yield finding("AAL-IAL2", "default_aal",
                      "IAL 2 integrations need at least AAL 2: set default_aal to 2 or 3")
    bundle = request.attribute_bundle or []
    if subject.judges("attribute_bundle") or subject.judges("ial"):
        for i, attribute in enumerate(bundle):
            path = f"attribute_bundle[{i}]"
            if attribute not in ATTRIBUTES:
                yield finding("ATTR-KNOWN", path, f"'{attribute}' is not an attribute: use "
                              f"{', '.join(ATTRIBUTES)}")
            elif attribute in PROOFED_ATTRIBUTES and ial != 2 and ial is not None:
                yield finding("ATTR-IAL", path, f"'{attribute}' is identity-verified: it needs "
                              "ial 2")
    if ial == 2 and not subject.partial:
        if request.protocol == "saml" and not bundle:
            yield finding("ATTR-SAML-IAL2", "attribute_bundle",
                          "a SAML integration at IAL 2 must list the attributes it needs")
        if not request.failure_to_proof_url:
            yield finding("IDV-FTP", "failure_to_proof_url",
                          "identity verification (IAL 2) needs a failure_to_proof_url: the page "
                          "users reach when they cannot finish verifying, with the agency's "
                          "other ways to get access")
