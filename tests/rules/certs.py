"""Test certificates made on the fly with `cryptography` (no fixtures on disk).

RSA key generation is slow (~50 ms for 2048 bits), so each key is made once per session.
"""

from __future__ import annotations

import base64
import textwrap
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

DEFAULT_SERIAL = 0x1F2E3D4C5B6A79880011223344556677  # 32 hex digits


@cache
def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_cert(
    not_before: date | datetime,
    not_after: date | datetime,
    key_size: int = 2048,
    serial: int = DEFAULT_SERIAL,
    key_type: Literal["rsa", "ec"] = "rsa",
    common_name: str = "benefits.example.gov",
) -> bytes:
    """A self-signed PEM certificate; a plain date means midnight UTC.

    `serial` may be 0 or down to -128: the builder refuses those, so the DER is patched
    afterwards (the signature then no longer verifies; the rules never verify signatures)."""
    key = ec_key() if key_type == "ec" else rsa_key(key_size)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Department of Examples"),
    ])
    if serial < -128:
        raise ValueError("make_cert patches non-positive serials of one byte only")
    placeholder = 1 if serial <= 0 else serial
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(placeholder)
        .not_valid_before(_moment(not_before))
        .not_valid_after(_moment(not_after))
        .sign(key, hashes.SHA256())
    )
    if serial > 0:
        return cert.public_bytes(serialization.Encoding.PEM)
    der = cert.public_bytes(serialization.Encoding.DER)
    # The serial INTEGER 1 is 02 01 01 (the version before it is 02 01 02): swap in a one-byte
    # non-positive value, so no enclosing length changes.
    patched = der.replace(b"\x02\x01\x01", b"\x02\x01" + serial.to_bytes(1, "big", signed=True), 1)
    return _pem(patched)


def _moment(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time(), tzinfo=UTC)


def private_key_pem(bits: int = 2048) -> bytes:
    return rsa_key(bits).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem(der: bytes) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode()
