"""How a request's meta decides whether it is the operator's URL or a discovered one."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.policy import discovered_request_meta, trusted_request_meta
from crawler.policy.meta import Provenance, origin_of, provenance


def test_trusted() -> None:
    assert provenance(trusted_request_meta(), trust_start_requests=False) == Provenance(True, None)


def test_discovered_carries_the_source_origin() -> None:
    meta = discovered_request_meta("HTTP://Feeds.Example.ORG:8080/rss", raw_url="/a")
    assert meta["newsmon_source_origin"] == ("http", "feeds.example.org", 8080)
    assert meta["newsmon_raw_url"] == "/a"
    assert provenance(meta, trust_start_requests=True) == Provenance(
        False, ("http", "feeds.example.org", 8080)
    )


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://example.org/feed", ("https", "example.org", 443)),
        ("http://127.0.0.1:8000/feed.xml", ("http", "127.0.0.1", 8000)),
        ("http://ex\u0430mple.com/", ("http", "xn--exmple-4nf.com", 80)),
    ],
)
def test_origin_of(url: str, origin: tuple[str, str, int]) -> None:
    assert origin_of(url) == origin


def test_a_redirect_hop_of_a_trusted_request_is_judged_as_discovered() -> None:
    meta: dict[str, Any] = {
        **trusted_request_meta(),
        "redirect_urls": ["http://127.0.0.1:8000/feed"],
        "redirect_times": 1,
    }
    assert provenance(meta, trust_start_requests=False) == Provenance(False, ("http", "127.0.0.1", 8000))


def test_a_redirect_hop_of_a_discovered_request_keeps_its_source() -> None:
    meta = {**discovered_request_meta("http://src.example/feed"), "redirect_urls": ["http://other.example/a"]}
    assert provenance(meta, trust_start_requests=False).own == ("http", "src.example", 80)


def test_start_requests_are_trusted_only_when_configured() -> None:
    meta = {"is_start_request": True}
    assert provenance(meta, trust_start_requests=True).trusted
    assert not provenance(meta, trust_start_requests=False).trusted


def test_no_meta_is_discovered_without_origin() -> None:
    assert provenance({}, trust_start_requests=True) == Provenance(False, None)
