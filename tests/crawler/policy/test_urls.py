"""URL forms: what the HTTP client would read, and what is refused before any look-up."""

from __future__ import annotations

import pytest
from scrapy import Request

from crawler.policy.urls import UrlRefusedError, canonical_host, check_raw_url, parse_target


def _normalised(url: str) -> str:
    return Request(url).url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://2130706433/", "numeric-host"),
        ("http://0x7f.1/", "numeric-host"),
        ("http://0x7f000001/", "numeric-host"),
        ("http://0177.0.0.1/", "numeric-host"),
        ("http://017700000001/", "numeric-host"),
        ("http://127.1/", "numeric-host"),
        ("http://10.1/", "numeric-host"),
        ("http://a.b.c.123/", "numeric-host"),
        ("http://foo.0x10/", "numeric-host"),
        ("http://%31%32%37.0.0.1/", "numeric-host"),
        ("http://%65vil.example/", "invalid-host"),
        ("http://user:pw@127.0.0.1/", "userinfo"),
        ("http://evil.example@127.0.0.1/", "userinfo"),
        ("http://a@b@c/", "userinfo"),
        ("http://127.0.0.1%2f@x/", "userinfo"),
    ],
)
def test_refused_forms(url: str, code: str) -> None:
    with pytest.raises(UrlRefusedError) as refused:
        parse_target(_normalised(url))
    assert refused.value.refusal.code == code


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/feed.xml",
        "file:///etc/passwd",
        "data:text/plain,hello",
        "s3://bucket/key",
        "gopher://example.org/",
        "javascript:alert(1)",
    ],
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(UrlRefusedError) as refused:
        parse_target(url)
    assert refused.value.refusal.code == "scheme"


@pytest.mark.parametrize(
    "url", ["http://exa mple.com/", "http://example.com/\x00", "http://a\\@b/", "http://example.com/\u00e9"]
)
def test_unnormalised_urls_are_refused(url: str) -> None:
    # Requests always carry normalised URLs; anything else is not what the client would send.
    with pytest.raises(UrlRefusedError) as refused:
        parse_target(url)
    assert refused.value.refusal.code == "ambiguous-url"


@pytest.mark.parametrize(
    ("url", "host", "port", "ip"),
    [
        ("http://Example.COM./feed", "example.com", 80, None),
        ("https://news.example.org/a?b=1", "news.example.org", 443, None),
        ("http://127.0.0.1:8080/x", "127.0.0.1", 8080, "127.0.0.1"),
        ("http://[::ffff:127.0.0.1]:81/", "::ffff:7f00:1", 81, "::ffff:7f00:1"),
        ("http://[::1]/", "::1", 80, "::1"),
        ("http://ex\u0430mple.com/", "xn--exmple-4nf.com", 80, None),
        ("http://under_score.example/", "under_score.example", 80, None),
        # A browser reads host "a" here; Scrapy normalises it so and the client connects to "a".
        ("http://a\\@b/", "a", 80, None),
    ],
)
def test_targets(url: str, host: str, port: int, ip: str | None) -> None:
    target = parse_target(_normalised(url))
    assert (target.host, target.port) == (host, port)
    assert (str(target.ip) if target.ip else None) == ip


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("http://a\\@b/", "ambiguous-url"),
        ("http://evil.example\\@127.0.0.1/", "ambiguous-url"),
        ("http://a\\b/", "ambiguous-url"),
        ("http://x@y/", "userinfo"),
        ("https://user:pass@host.example/", "userinfo"),
        ("http://a\tb.example/", "ambiguous-url"),
        ("http://a\nb.example/", "ambiguous-url"),
    ],
)
def test_raw_links_read_two_ways(raw: str, code: str) -> None:
    refusal = check_raw_url(raw)
    assert refusal is not None
    assert refusal.code == code


@pytest.mark.parametrize(
    "raw",
    ["http://example.com/@user", "https://example.com/path\\file", "/relative/path", "http://example.com"],
)
def test_ordinary_raw_links(raw: str) -> None:
    assert check_raw_url(raw) is None


def test_canonical_host() -> None:
    assert canonical_host("Ex\u0430mple.COM.") == "xn--exmple-4nf.com"
    assert canonical_host("[::FFFF:127.0.0.1]") == "::ffff:7f00:1"
    assert canonical_host("LOCALHOST") == "localhost"
