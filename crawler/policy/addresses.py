"""Which IP addresses a discovered URL may reach: public unicast only.

``refusal_reason(ip)`` returns None for an address the crawler may connect
to on behalf of content, or a short code saying why not. Python's
``ipaddress.is_global`` alone is not enough: it calls multicast, 6to4,
NAT64 and IPv4-compatible addresses global, and it does not look inside
addresses that embed an IPv4 address. So embedded IPv4 addresses are
unwrapped first and judged on their own, then the special ranges are named.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

IPAddress = IPv4Address | IPv6Address

_CGNAT = IPv4Network("100.64.0.0/10")
_NAT64 = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = IPv6Network("::/96")

# Order matters: the most telling name wins (127.0.0.1 is also "private").
_CHECKS: tuple[tuple[str, str], ...] = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)


def parse_ip(text: str) -> IPAddress | None:
    """The address written in canonical form (``127.0.0.1``, ``::1``), or None.

    Non-canonical IPv4 spellings (``0177.0.0.1``, ``2130706433``) are not
    addresses here; ``urls.py`` refuses them before they get this far.
    """
    try:
        return ip_address(text)
    except ValueError:
        return None


def refusal_reason(ip: IPAddress) -> str | None:
    """None if ``ip`` is a public unicast address, else a short reason code."""
    if isinstance(ip, IPv6Address):
        return _ipv6_reason(ip)
    if ip in _CGNAT:
        return "cgnat"
    return _generic_reason(ip)


def describe(ip: IPAddress, code: str) -> str:
    """``127.0.0.1 is a loopback address``: the reason as a sentence for logs and errors."""
    return f"{ip} is {phrase(code)}"


def phrase(code: str) -> str:
    """``a loopback address``: what a reason code means."""
    if code in _PHRASES:
        return _PHRASES[code]
    for prefix, wording in _WRAPPERS:
        if code.startswith(prefix):
            return wording + phrase(code.removeprefix(prefix))
    return code


def _ipv6_reason(ip: IPv6Address) -> str | None:
    # A mapped or NAT64-translated address reaches the embedded IPv4 host, so
    # the IPv4 address decides (DNS64 networks hand out 64:ff9b:: addresses
    # for ordinary public sites).
    for prefix, embedded in (("ipv4-mapped", ip.ipv4_mapped), ("nat64", _nat64_embedded(ip))):
        if embedded is not None:
            inner = refusal_reason(embedded)
            return f"{prefix}-{inner}" if inner else None
    if ip in _NAT64_LOCAL:
        return "nat64-local"
    if ip.sixtofour is not None and refusal_reason(ip.sixtofour):
        return "6to4"
    if ip.teredo is not None:
        return "teredo"
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        return "ipv4-compatible"
    if ip.is_site_local:
        return "site-local"
    return _generic_reason(ip)


def _nat64_embedded(ip: IPv6Address) -> IPv4Address | None:
    return IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None


def _generic_reason(ip: IPAddress) -> str | None:
    for attribute, code in _CHECKS:
        if getattr(ip, attribute):
            return code
    if not ip.is_global:
        return "not-global"
    return None


_PHRASES: dict[str, str] = {
    "unspecified": "the unspecified address",
    "loopback": "a loopback address",
    "link-local": "a link-local address (cloud metadata lives there)",
    "multicast": "a multicast address",
    "private": "a private or special-purpose address",
    "reserved": "a reserved address",
    "cgnat": "a carrier-grade NAT address (100.64.0.0/10)",
    "site-local": "a site-local IPv6 address",
    "not-global": "not a globally routable address",
    "6to4": "a 6to4 address embedding a non-public IPv4 address",
    "teredo": "a Teredo tunnel address",
    "ipv4-compatible": "an IPv4-compatible IPv6 address",
    "nat64-local": "a local-use NAT64 address",
}
_WRAPPERS = (("ipv4-mapped-", "an IPv4-mapped form of "), ("nat64-", "a NAT64 form of "))
