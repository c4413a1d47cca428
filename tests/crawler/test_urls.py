"""URL canonicalisation, table-driven: each row is (what is decided, input, canonical)."""

from __future__ import annotations

import pytest

from crawler.urls import canonicalize, identity, is_tracking_param, resolve, site_of

CASES = [
    ("already canonical", "https://example.org/a/b.html", "https://example.org/a/b.html"),
    ("utm_* dropped", "https://example.org/a?utm_source=rss&utm_medium=feed", "https://example.org/a"),
    ("utm_ in any case", "https://example.org/a?UTM_Source=x", "https://example.org/a"),
    (
        "click ids dropped",
        "https://example.org/a?fbclid=1&gclid=2&dclid=3&msclkid=4&yclid=5",
        "https://example.org/a",
    ),
    (
        "mailchimp and GA dropped",
        "https://example.org/a?mc_cid=1&mc_eid=2&_ga=3&igshid=4",
        "https://example.org/a",
    ),
    ("ref_src and spm dropped", "https://example.org/a?ref_src=twsrc&spm=a.b.c", "https://example.org/a"),
    ("French xtor dropped", "https://www.lemonde.fr/a.html?xtor=RSS-3208", "https://www.lemonde.fr/a.html"),
    (
        "other params kept and sorted",
        "https://example.org/a?b=2&utm_x=1&a=1",
        "https://example.org/a?a=1&b=2",
    ),
    ("equal names keep their order", "https://example.org/a?t=2&t=1", "https://example.org/a?t=2&t=1"),
    ("blank values kept", "https://example.org/a?x=&y", "https://example.org/a?x=&y"),
    ("scheme and host lowercased", "HTTPS://Example.ORG/Path", "https://example.org/Path"),
    ("path case kept", "https://example.org/ABC", "https://example.org/ABC"),
    ("default https port dropped", "https://example.org:443/a", "https://example.org/a"),
    ("default http port dropped", "http://example.org:80/a", "http://example.org/a"),
    ("other ports kept", "http://example.org:8080/a", "http://example.org:8080/a"),
    ("fragment dropped", "https://example.org/a#comments", "https://example.org/a"),
    ("trailing slash dropped", "https://example.org/a/b/", "https://example.org/a/b"),
    ("root keeps its slash", "https://example.org/", "https://example.org/"),
    ("empty path is the root", "https://example.org", "https://example.org/"),
    ("trailing slash before a query dropped", "https://example.org/a/?p=1", "https://example.org/a?p=1"),
    ("IDNA host", "https://bücher.example/a", "https://xn--bcher-kva.example/a"),
    ("trailing dot in host dropped", "https://example.org./a", "https://example.org/a"),
    ("unreserved escapes decoded", "https://example.org/%7Euser/%41b", "https://example.org/~user/Ab"),
    ("reserved escapes uppercased", "https://example.org/a%2fb?q=%3d", "https://example.org/a%2Fb?q=%3D"),
    ("non-ASCII path escaped", "https://example.org/café", "https://example.org/caf%C3%A9"),
    ("already escaped kept", "https://example.org/caf%C3%A9", "https://example.org/caf%C3%A9"),
    ("space in path escaped", "https://example.org/a b", "https://example.org/a%20b"),
    ("plus in query is a space", "https://example.org/s?q=a+b", "https://example.org/s?q=a%20b"),
    ("a stray percent escaped", "https://example.org/100%", "https://example.org/100%25"),
    ("surrounding space stripped", "  https://example.org/a  ", "https://example.org/a"),
    ("scheme kept", "http://example.org/a", "http://example.org/a"),
    ("not http(s) left alone", "mailto:someone@example.org", "mailto:someone@example.org"),
]


@pytest.mark.parametrize(("decision", "url", "expected"), CASES, ids=[c[0] for c in CASES])
def test_canonicalize(decision: str, url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize(("decision", "url", "expected"), CASES, ids=[c[0] for c in CASES])
def test_canonicalize_is_idempotent(decision: str, url: str, expected: str) -> None:
    assert canonicalize(canonicalize(url)) == canonicalize(url)


def test_identity_leaves_the_scheme_out_so_http_and_https_are_one_article() -> None:
    assert identity("http://example.org/a/?utm_source=x") == "//example.org/a"
    assert identity("https://EXAMPLE.org:443/a#top") == "//example.org/a"
    assert identity("http://example.org:8080/a") == "//example.org:8080/a"


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_campaign", True),
        ("fbclid", True),
        ("at_medium", True),
        ("page", False),
        ("id", False),
        ("ref", False),
    ],
)
def test_tracking_params(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking


def test_resolve() -> None:
    assert resolve("https://example.org/feed/", "../a.html") == "https://example.org/a.html"
    assert resolve("https://example.org/feed", "//cdn.example.org/x") == "https://cdn.example.org/x"
    assert resolve("https://example.org/", "javascript:alert(1)") is None
    assert resolve("https://example.org/", "  ") is None


def test_site_of() -> None:
    assert site_of("https://www.bbc.co.uk/news/1") == "bbc.co.uk"
    assert site_of("https://a.b.lemonde.fr/") == "lemonde.fr"
    assert site_of("http://127.0.0.1:8000/x") == "127.0.0.1"
