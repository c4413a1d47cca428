"""Hostile URLs from feeds and pages: the canonical form names the same address, or stays as written."""

from __future__ import annotations

import pytest

from crawler.urls import canonicalize, identity


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # urlsplit's hostname has no brackets: the canonical form was http://::1/ (no host at all).
        ("http://[::1]/a", "http://[::1]/a"),
        ("http://[2001:DB8::1]:8080/a?utm_source=x", "http://[2001:db8::1]:8080/a"),
        ("https://[2001:db8::1]:443/", "https://[2001:db8::1]/"),
        # The port was dropped: http://example.org/ is another address.
        ("http://example.org:99999/a", "http://example.org:99999/a"),
        ("http://example.org:8o/a", "http://example.org:8o/a"),
    ],
)
def test_canonical_form_keeps_the_address(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical
    assert canonicalize(canonical) == canonical


def test_identity_of_an_ipv6_url_keeps_its_brackets() -> None:
    assert identity("http://[::1]:8080/a") == "//[::1]:8080/a"
