"""Every address form the policy must refuse or allow, one table."""

from __future__ import annotations

import pytest

from crawler.policy.addresses import describe, parse_ip, refusal_reason

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),
    ("100.64.0.1", "cgnat"),
    ("100.127.255.254", "cgnat"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "private"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "private"),
    ("255.255.255.255", "private"),
    ("192.0.2.7", "private"),  # documentation
    ("198.18.0.1", "private"),  # benchmarking
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "private"),
    ("::ffff:127.0.0.1", "ipv4-mapped-loopback"),
    ("::ffff:10.1.2.3", "ipv4-mapped-private"),
    ("::ffff:169.254.169.254", "ipv4-mapped-link-local"),
    ("::ffff:100.64.0.1", "ipv4-mapped-cgnat"),
    ("64:ff9b::7f00:1", "nat64-loopback"),
    ("64:ff9b::a9fe:a9fe", "nat64-link-local"),
    ("64:ff9b:1::1", "nat64-local"),
    ("2002:7f00:1::1", "6to4"),  # 6to4 around 127.0.0.1
    ("2002:c0a8:101::1", "6to4"),  # 6to4 around 192.168.1.1
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"),
    ("::7f00:1", "ipv4-compatible"),
]

ALLOWED = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "151.101.1.69",
    "2606:4700::6810:84e5",
    "2a00:1450:4007:80e::200e",
    "::ffff:93.184.216.34",  # reaches a public IPv4 host
    "64:ff9b::5db8:d822",  # DNS64 answer for a public site
    "2002:5db8:d822::1",  # 6to4 around a public address
]


@pytest.mark.parametrize(("text", "code"), REFUSED)
def test_refused(text: str, code: str) -> None:
    ip = parse_ip(text)
    assert ip is not None
    assert refusal_reason(ip) == code
    assert describe(ip, code).startswith(f"{ip} is ")


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(text: str) -> None:
    ip = parse_ip(text)
    assert ip is not None
    assert refusal_reason(ip) is None


@pytest.mark.parametrize("text", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "example.com", ""])
def test_only_canonical_literals_are_addresses(text: str) -> None:
    assert parse_ip(text) is None


def test_descriptions_name_the_kind() -> None:
    ip = parse_ip("::ffff:169.254.169.254")
    assert ip is not None
    assert "IPv4-mapped form of a link-local address" in describe(ip, "ipv4-mapped-link-local")
