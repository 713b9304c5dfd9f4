"""Protocol and SAML rules: PROTO-ENUM, OIDC-REDIRECT, SAML-ACS, SAML-LOGOUT, SAML-ENCRYPT,
SAML-ENCRYPT-ENUM. (CERT-REQUIRED lives with the certificate rules.)"""

from __future__ import annotations

from collections.abc import Iterator

from bot.models import Finding
from bot.rules.base import Subject
from bot.rules.catalog import finding

PROTOCOLS = ("oidc_private_key_jwt", "oidc_pkce", "saml")
OIDC_PROTOCOLS = ("oidc_private_key_jwt", "oidc_pkce")
BLOCK_ENCRYPTIONS = ("none", "aes256-cbc", "aes256-gcm")


def check_protocol(subject: Subject) -> Iterator[Finding]:
    request = subject.request
    protocol = request.protocol
    if subject.judges("protocol") and protocol not in PROTOCOLS:
        said = f"'{protocol}' is not a protocol" if protocol else "protocol is required"
        yield finding("PROTO-ENUM", "protocol", f"{said}: use one of {', '.join(PROTOCOLS)}")
    encryption = request.block_encryption
    if subject.judges("block_encryption") and encryption is not None:
        if encryption not in BLOCK_ENCRYPTIONS:
            yield finding("SAML-ENCRYPT-ENUM", "block_encryption",
                          f"'{encryption}' is not a block encryption: use "
                          f"{', '.join(BLOCK_ENCRYPTIONS)}")
        elif encryption == "none" and protocol not in OIDC_PROTOCOLS:
            yield finding("SAML-ENCRYPT", "block_encryption",
                          "SAML assertion encryption must stay on (aes256-cbc or aes256-gcm); "
                          "turning it off goes through a support ticket")
    if protocol in OIDC_PROTOCOLS:
        if subject.judges("redirect_uris") and not request.redirect_uris:
            yield finding("OIDC-REDIRECT", "redirect_uris",
                          "an OpenID Connect integration needs at least one redirect URI")
    elif protocol == "saml" and not subject.partial:
        for name, label in (("acs_url", "Assertion Consumer Service URL"),
                            ("return_to_sp_url", "Return to SP URL")):
            if not getattr(request, name):
                yield finding("SAML-ACS", name, f"SAML needs {name} (the {label})")
        if not request.assertion_consumer_logout_service_url:
            yield finding("SAML-LOGOUT", "assertion_consumer_logout_service_url",
                          "SAML needs assertion_consumer_logout_service_url (the Assertion "
                          "Consumer Logout Service URL)")
        if encryption is None:
            yield finding("SAML-ENCRYPT", "block_encryption",
                          "SAML needs assertion encryption: set block_encryption to "
                          "aes256-cbc or aes256-gcm")
