"""Names, team and issuer: APP-NAME, APP-NAME-ENV, APP-FRIENDLY, APP-AGENCY, ISS-FORMAT,
ISS-RECOMMENDED, ISS-UNIQUE, ISS-IMMUTABLE."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.models import Finding, Kind, Severity
from bot.rules.base import Subject
from bot.rules.catalog import finding

PRODUCTION_WORDS = frozenset({"prod", "production"})
ENVIRONMENT_WORDS = frozenset({"staging", "stage", "sandbox", "test", "dev", "development",
                               "int", "qa"})
STAGING_WORDS = frozenset({"staging", "stage"})
_SPACE = re.compile(r"\s")  # str.isspace's characters, without a Python loop
RECOMMENDED_ISSUER = {
    "saml": re.compile(r"^urn:gov:gsa:SAML:2\.0\.profiles:sp:sso:[^:\s]+:[^:\s]+$"),
    "oidc": re.compile(r"^urn:gov:gsa:openidconnect\.profiles:sp:sso:[^:\s]+:[^:\s]+$"),
}
_WORD = re.compile(r"[a-z0-9]+")


def check_names(subject: Subject) -> Iterator[Finding]:
    request = subject.request
    for name, rule, label in (("app_name", "APP-NAME", "the app's name as it appears in the IAA"),
                              ("friendly_name", "APP-FRIENDLY", "the name users see when "
                                                                "signing in"),
                              ("agency", "APP-AGENCY", "the agency team")):
        if not subject.partial and not getattr(request, name):
            yield finding(rule, name, f"{name} is required ({label})")
    if request.app_name and subject.judges("app_name"):
        words = set(_WORD.findall(request.app_name.lower()))
        if words & PRODUCTION_WORDS:
            yield finding("APP-NAME-ENV", "app_name", "app_name must not name an environment "
                          f"('{sorted(words & PRODUCTION_WORDS)[0]}'): use the name in the IAA")
        else:
            # A staging configuration app may well say so in its name.
            ignored = STAGING_WORDS if subject.kind is Kind.staging else frozenset()
            found = sorted((words & ENVIRONMENT_WORDS) - ignored)
            if found:
                yield finding("APP-NAME-ENV", "app_name",
                              f"app_name names an environment ('{found[0]}'): use the name "
                              "in the IAA", severity=Severity.warning)


def check_issuer(subject: Subject) -> Iterator[Finding]:
    request, context = subject.request, subject.context
    issuer = request.issuer
    if not issuer:
        yield finding("ISS-FORMAT", "issuer", "issuer is required: the unique string that "
                      "identifies the app" + (" being changed" if subject.kind is Kind.change
                                              else ""))
        return
    if _SPACE.search(issuer):
        yield finding("ISS-FORMAT", "issuer", "issuer must not contain whitespace")
        return
    family = "saml" if request.protocol == "saml" else "oidc" if request.protocol else None
    if family and not RECOMMENDED_ISSUER[family].match(issuer):
        form = ("urn:gov:gsa:SAML:2.0.profiles:sp:sso:AGENCY:APP" if family == "saml"
                else "urn:gov:gsa:openidconnect.profiles:sp:sso:AGENCY:APP")
        yield finding("ISS-RECOMMENDED", "issuer", f"the recommended issuer form is {form}")
    if context.current is not None and context.current.issuer not in (None, issuer):
        yield finding("ISS-IMMUTABLE", "issuer", f"the issuer cannot change (it is "
                      f"{context.current.issuer}); a new issuer is a new launch request")
    if not context.knows_integrations:
        return
    if subject.kind is Kind.launch:
        if issuer in context.known_issuers:
            yield finding("ISS-UNIQUE", "issuer", f"{issuer} is already a production "
                          "integration: file a change request instead")
        elif issuer in context.open_request_issuers:
            yield finding("ISS-UNIQUE", "issuer", f"{issuer} already has an open request")
    elif subject.kind is Kind.change and issuer not in context.known_issuers:
        yield finding("ISS-UNIQUE", "issuer", f"{issuer} is not a production integration the "
                      "team knows: a new integration is a launch request")
