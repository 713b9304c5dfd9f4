"""Certificate rules (docs/rules.md "Certificates" and CERT-REQUIRED): each PEM file the
request names.

A file may hold several PEM blocks (a chain, or a certificate with its key). Like the identity
provider's dashboard, which reads the first certificate of an upload, the rules judge the first
`-----BEGIN CERTIFICATE-----` block; `CertFacts.certificate_count` says how many there were.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from bot.models import Finding
from bot.rules.base import Subject
from bot.rules.catalog import finding

NEEDS_CERTIFICATE = frozenset({"saml", "oidc_private_key_jwt"})
EXPIRING_DAYS = 60
MAX_LIFETIME = timedelta(days=3 * 365 + 1)  # 3 years, one of them a leap year
MIN_RSA_BITS = 2048
MIN_SERIAL_HEX_DIGITS = 16
# Deploys happen by close of business in the calendar's time zone (CAL-DEPLOY-DAY): a
# certificate must last through the whole target day there.
DEPLOY_TZ = ZoneInfo("America/New_York")  # when the calendar names none
# Only small files are cached: a certificate is ~1-2 KB, and junk must not pin memory.
_CACHE_LIMIT = 64 * 1024

_BEGIN_CERT = b"-----BEGIN CERTIFICATE-----"
_END_CERT = b"-----END CERTIFICATE-----"
_LABEL = re.compile(rb"-----BEGIN ([A-Z0-9 #]{1,40})-----")


@dataclass(frozen=True)
class CertFacts:
    """What a certificate says, for the rules and for showing to people."""

    subject: str  # RFC 4514, e.g. "CN=benefits.example.gov,O=Example"
    common_name: str | None
    issuer: str
    self_signed: bool  # issuer name == subject name (no signature check)
    serial: int
    serial_hex: str  # lower-case, no leading zeros, "-" prefix when negative
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC
    key_type: str  # "RSA", "EC", "Ed25519", "Ed448", "DSA" or "unknown"
    key_size: int | None  # bits (the curve size for EC)
    curve: str | None  # EC curve name, e.g. "secp256r1"
    sha256: str  # fingerprint, colon-separated upper-case hex
    lifetime_days: int
    certificate_count: int  # certificate blocks in the file; the first one is judged


@dataclass(frozen=True)
class _Reading:
    facts: CertFacts | None
    problem: str | None  # why the file is not a usable certificate (CERT-PEM)
    has_private_key: bool  # a private key next to the certificate


def certificate_facts(pem: bytes) -> CertFacts | None:
    """The facts of the first certificate in a PEM file; None when there is none. Never raises."""
    return _reading(pem).facts


def check_certificates(subject: Subject) -> Iterator[Finding]:
    request = subject.request
    certificates = request.certificates or []
    # A partial change is judged on what it gives: presence needs both protocol and list.
    can_demand = not subject.partial or {"protocol", "certificates"} <= subject.given
    if can_demand and request.protocol in NEEDS_CERTIFICATE and not certificates:
        yield finding("CERT-REQUIRED", "certificates",
                      f"protocol {request.protocol} needs at least one certificate (a PEM file "
                      "with the public certificate the integration signs with)")
    if not subject.judges("certificates"):
        return
    # Names the requester did not give (a change's current certificates) may have no content
    # here: judge them when they do, but do not ask for them.
    given = "certificates" in subject.given
    for i, name in enumerate(certificates):
        yield from _check_one(subject, f"certificates[{i}]", name, given)


def _check_one(subject: Subject, field: str, name: str, given: bool) -> Iterator[Finding]:
    ctx = subject.context
    content = ctx.files.get(name)
    label = f"{field} ('{name}')"
    if content is None:
        if name in ctx.unreadable:
            yield finding("CERT-PEM", field,
                          f"{field}: '{name}' could not be read: {ctx.unreadable[name]}")
        elif given:
            yield finding("CERT-PEM", field,
                          f"{field}: '{name}' was not provided (no file content was received)")
        return
    reading = _reading(content)
    if reading.problem:
        yield finding("CERT-PEM", field, f"{label}: {reading.problem}")
    if reading.has_private_key:
        yield finding("CERT-PEM", field,
                      f"{label}: the file also contains a PRIVATE KEY. Send only the public "
                      "certificate; a private key that has been shared should be replaced "
                      "with a new key pair")
    facts = reading.facts
    if facts is None:
        return
    yield from _validity(subject, label, field, facts)
    if facts.key_type == "RSA" and facts.key_size is not None and facts.key_size < MIN_RSA_BITS:
        yield finding("CERT-KEY", field,
                      f"{label}: the RSA key is {facts.key_size} bits; use at least "
                      f"{MIN_RSA_BITS} bits (or an EC key)")
    lifetime = facts.not_after - facts.not_before
    if lifetime > MAX_LIFETIME:
        yield finding("CERT-LIFETIME", field,
                      f"{label}: valid for {lifetime.days} days (about "
                      f"{lifetime.days / 365.25:.1f} years, {_day(facts.not_before)} to "
                      f"{_day(facts.not_after)}); keep certificates to at most 3 years")
    if facts.serial <= 0:
        yield finding("CERT-SERIAL", field,
                      f"{label}: the serial number is {facts.serial}; it must be positive, "
                      f"with at least {MIN_SERIAL_HEX_DIGITS} random hex digits")
    elif len(facts.serial_hex) < MIN_SERIAL_HEX_DIGITS:
        yield finding("CERT-SERIAL", field,
                      f"{label}: the serial number 0x{facts.serial_hex} has "
                      f"{len(facts.serial_hex)} hex digits; use at least "
                      f"{MIN_SERIAL_HEX_DIGITS} random hex digits (64 bits)")


def _validity(subject: Subject, label: str, field: str, facts: CertFacts) -> Iterator[Finding]:
    # Compared in UTC, the certificate's own zone: an aware comparison across zones converts
    # both sides each time, and this runs for every certificate of every submission.
    now = subject.context.now.astimezone(UTC)
    target = subject.target
    if facts.not_before > now:
        yield finding("CERT-EXPIRED", field,
                      f"{label}: not valid until {_moment(facts.not_before)}; it cannot be used "
                      "yet. Check its start date (and the clock of the machine that made it)")
    if facts.not_after <= now:
        yield finding("CERT-EXPIRED", field,
                      f"{label}: expired on {_day(facts.not_after)} "
                      f"({_days((now - facts.not_after).days)} ago); upload a current "
                      "certificate")
        return
    if target is not None:
        tz = getattr(subject.context.calendar, "tz", None) or DEPLOY_TZ
        if facts.not_after < _end_of(target, tz):  # to the hour: a deploy takes the whole day
            renew = (target + timedelta(days=EXPIRING_DAYS + 1)).isoformat()
            yield finding("CERT-EXPIRED", field,
                          f"{label}: expires {_moment(facts.not_after)}, before the end of the "
                          f"target deploy date {target.isoformat()} ({tz}): it would be expired "
                          f"at launch. Upload a certificate valid past {renew}")
            return
    # Whole days, counted on the date people read in the certificate (UTC).
    start = target if target is not None else now.date()
    days = (facts.not_after.astimezone(UTC).date() - start).days
    if days <= EXPIRING_DAYS:
        when = (f"{_days(days)} after the target deploy date {target.isoformat()}"
                if target is not None else f"in {_days(days)}" if days else "today")
        yield finding("CERT-EXPIRING", field,
                      f"{label}: expires {_day(facts.not_after)}, {when} (within "
                      f"{EXPIRING_DAYS} days); rotate it before launch, or add its "
                      "replacement now")


@lru_cache(maxsize=256)  # one entry per target deploy day and zone
def _end_of(day: date, tz: tzinfo) -> datetime:
    """The end of `day` in `tz`, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _reading(pem: bytes) -> _Reading:
    pem = bytes(pem)
    return _read_cached(pem) if len(pem) <= _CACHE_LIMIT else _read(pem)


def _read(pem: bytes) -> _Reading:
    """Parse a certificate file; every failure becomes a CERT-PEM problem, never an exception."""
    try:
        return _read_unsafe(pem)
    except Exception as exc:  # a parser bug must not take the whole validation down
        return _Reading(None, f"could not be read as a certificate ({type(exc).__name__})",
                        False)


_read_cached = lru_cache(maxsize=256)(_read)


def _read_unsafe(pem: bytes) -> _Reading:
    labels = [m.group(1).decode("ascii").strip() for m in _LABEL.finditer(pem)]
    count = labels.count("CERTIFICATE")
    start = pem.find(_BEGIN_CERT)
    if start < 0:
        return _Reading(None, _not_a_certificate(pem, labels), False)
    has_key = any("PRIVATE KEY" in label for label in labels)
    end = pem.find(_END_CERT, start)
    if end < 0:
        return _Reading(None, "the -----BEGIN CERTIFICATE----- block has no -----END "
                        "CERTIFICATE----- line (the file is truncated?)", has_key)
    block = pem[start:end + len(_END_CERT)]
    with warnings.catch_warnings():
        # A zero or negative serial parses with a deprecation warning: CERT-SERIAL reports it.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            cert = x509.load_pem_x509_certificate(block)
        except ValueError:
            return _Reading(None, "the -----BEGIN CERTIFICATE----- block does not parse as an "
                            "X.509 certificate (damaged or truncated base64?)", has_key)
        return _Reading(_facts(cert, count), None, has_key)


def _not_a_certificate(pem: bytes, labels: list[str]) -> str:
    if not pem.strip():
        return "the file is empty; expected a PEM certificate (-----BEGIN CERTIFICATE-----)"
    for label in labels:
        if "PRIVATE KEY" in label:
            return (f"holds a private key (-----BEGIN {label}-----), not a certificate. Send "
                    "the public certificate only, and replace this key pair: a private key "
                    "must never be shared")
        if "PUBLIC KEY" in label:
            return (f"holds a bare public key (-----BEGIN {label}-----), not a certificate; "
                    "send the X.509 certificate (openssl req -x509 ... makes one)")
        if "CERTIFICATE REQUEST" in label:
            return ("holds a certificate signing request (CSR), not a certificate; send the "
                    "certificate itself")
    if labels:
        return (f"holds a '{labels[0]}' block, not a -----BEGIN CERTIFICATE----- block; "
                "export the certificate as plain PEM")
    if pem[:1] == b"\x30" and _is_der(pem):
        return ("is a binary (DER) certificate; convert it to PEM with "
                "'openssl x509 -inform der -in FILE -out cert.pem'")
    return "has no -----BEGIN CERTIFICATE----- block; expected a PEM certificate file"


def _is_der(data: bytes) -> bool:
    try:
        x509.load_der_x509_certificate(data)
    except ValueError:
        return False
    return True


def _facts(cert: x509.Certificate, count: int) -> CertFacts:
    not_before = cert.not_valid_before_utc
    not_after = cert.not_valid_after_utc
    serial = cert.serial_number
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = names[0].value if names else None
    key_type, key_size, curve = _key(cert)
    return CertFacts(
        subject=cert.subject.rfc4514_string(),
        common_name=common_name if isinstance(common_name, str) else None,
        issuer=cert.issuer.rfc4514_string(),
        self_signed=cert.issuer == cert.subject,
        serial=serial,
        serial_hex=format(serial, "x"),
        not_before=not_before,
        not_after=not_after,
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        lifetime_days=(not_after - not_before).days,
        certificate_count=count,
    )


def _key(cert: x509.Certificate) -> tuple[str, int | None, str | None]:
    try:
        key = cert.public_key()
    except Exception:  # an algorithm cryptography does not support: still a certificate
        return "unknown", None, None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return "unknown", None, None
