"""Which resolved addresses a probe may connect to: public ones only.

A probe follows URLs a partner typed, so it must never become a way into the network it runs
in. The check is on the address a name resolved to (not on the name), for every address the
name has, and again on every redirect. IPv6 forms that carry an IPv4 address (mapped, NAT64,
6to4, Teredo) are judged by the IPv4 address inside.
"""

from __future__ import annotations

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata services: credentials live there. Most are link-local or private
# anyway; they are named so the refusal says what they are.
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, Azure, GCP, DigitalOcean, OpenStack
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
    "192.0.0.192",  # Oracle Cloud
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # shared address space: someone's inside


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refusal(address: Address, *, allow_loopback: bool = False) -> str | None:
    """Why a probe must not connect to `address` ("a private address", ...), or None."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return refusal(inner, allow_loopback=allow_loopback)
    if address in METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or (isinstance(address, ipaddress.IPv4Address)
                              and address in _CGNAT):
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return None
