"""IAA and launch details: IAA-REQUIRED, IAA-FORMAT, IAA-FORMAT-TYPICAL, IAA-LISTED,
ATTEST-PROD-APP, ATTEST-ATO, ATTEST-LOGO, LAUNCH-DETAILS, STAGING-IAA."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.models import Attestations, Finding, Kind
from bot.rules.base import Subject
from bot.rules.catalog import finding

IAA_FORMAT = re.compile(r"^[A-Z0-9]+-\d{4}-\d{4}$")
IAA_TYPICAL = re.compile(r"^LG[A-Z0-9]+FY\d{6}-\d{4}-\d{4}$")
AUDIENCES = ("general_public", "federal_civilian_employee", "active_duty_us_military",
             "us_veteran", "state_or_local_employee", "other")
# attestation -> (rule, kinds that need it, what the partner confirms)
ATTESTATIONS = {
    "iaa_lists_integration": ("IAA-LISTED", (Kind.launch, Kind.staging, Kind.change),
                              "a signed IAA lists this integration (do not request deployment "
                              "if you are not certain)"),
    "production_app_created": ("ATTEST-PROD-APP", (Kind.launch,),
                               "a separate production configuration app exists"),
    "ato_environment": ("ATTEST-ATO", (Kind.launch, Kind.staging),
                        "the URLs point to an ATO-approved environment"),
    "logo_approved": ("ATTEST-LOGO", (Kind.launch,), "the logo is approved"),
}


def check_iaa(subject: Subject) -> Iterator[Finding]:
    request, kind = subject.request, subject.kind
    number = request.iaa_number
    if not number:
        if kind in (Kind.launch, Kind.staging):
            yield finding("IAA-REQUIRED", "iaa_number", "iaa_number is required: the IAA this "
                          "application is billed under (GTC-Order-Mod)")
    elif not IAA_FORMAT.match(number):
        hint = ""
        if IAA_FORMAT.match(number.upper()):
            hint = " in capitals"
        elif re.match(r"^[A-Za-z0-9]+-\d{1,4}-\d{1,4}$", number):
            hint = ", order and mod padded to 4 digits"
        yield finding("IAA-FORMAT", "iaa_number", f"'{number}' is not an IAA number: use "
                      f"GTC-Order-Mod like LGABCFY210001-0001-0000{hint}")
    elif not IAA_TYPICAL.match(number):
        yield finding("IAA-FORMAT-TYPICAL", "iaa_number", f"'{number}' does not look like the "
                      "usual LGABCFY210001-0001-0000: check it against the signed IAA")
    attestations = request.attestations or Attestations()
    for name, (rule, kinds, meaning) in ATTESTATIONS.items():
        if kind in kinds and getattr(attestations, name) is not True:
            yield finding(rule, f"attestations.{name}", f"confirm that {meaning}")
    if kind is Kind.staging and not (number and attestations.iaa_lists_integration):
        yield finding("STAGING-IAA", "iaa_number" if not number
                      else "attestations.iaa_lists_integration",
                      "deploying to staging needs a signed IAA that lists this integration")


def check_launch_details(subject: Subject) -> Iterator[Finding]:
    if subject.kind is not Kind.launch:
        return
    request = subject.request
    if not request.application_url:
        yield finding("LAUNCH-DETAILS", "application_url",
                      "application_url is required: where users start using the application")
    if request.audience not in AUDIENCES:
        said = f"'{request.audience}' is not an audience" if request.audience else \
            "audience is required"
        yield finding("LAUNCH-DETAILS", "audience", f"{said}: use one of {', '.join(AUDIENCES)}")
    registrations = request.estimated_annual_registrations
    if registrations is None or registrations < 0:
        yield finding("LAUNCH-DETAILS", "estimated_annual_registrations",
                      "estimated_annual_registrations is required (a whole number, 0 or more)")
    contacts = request.contacts
    for role in ("program", "technical"):
        if not (contacts and getattr(contacts, role)):
            yield finding("LAUNCH-DETAILS", f"contacts.{role}", f"contacts.{role} is required: "
                          "First Last - Title - email - phone")
