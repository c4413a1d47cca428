"""Feed parsing against golden files: ``golden/NAME`` beside ``golden/NAME.expected.json``.

Regenerate after a deliberate change with ``python -m tests.crawler.test_feeds``,
then read the diff: the expected files are the specification.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.errors import NotAFeedError
from crawler.feeds import ParsedFeed, language_code, parse_feed

GOLDEN = Path(__file__).parent / "golden"
RSS, ATOM, JSON = "application/rss+xml; charset=utf-8", "application/atom+xml", "application/feed+json"

# name → (the URL it was fetched from, the response's Content-Type)
CASES: dict[str, tuple[str, str | None]] = {
    "rss20.xml": ("https://energy.example.com/feed.xml", RSS),
    "rss10.rdf": ("https://wissen.example.de/rss", "application/rdf+xml"),
    "rss091.xml": ("http://gazette.example.net/rss.xml", "application/xml"),
    "atom10.xml": ("https://ciencia.example.es/atom.xml", ATOM),
    "atom03.xml": ("https://legacy.example.org/atom.xml", ATOM),
    "jsonfeed10.json": ("https://robots.example.com/feed.json", JSON),
    "jsonfeed11.json": ("https://fil.example.fr/feed.json", "application/json"),
    "utm-links.xml": ("https://news.example.com/rss", RSS),
    "charset-misdeclared.xml": ("https://cafe.example.fr/feed", RSS),
}


def as_json(feed: ParsedFeed) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    result: dict[str, Any] = plain(asdict(feed))
    return result


def _parse(name: str) -> ParsedFeed:
    url, content_type = CASES[name]
    headers = {"Content-Type": content_type} if content_type else None
    return parse_feed((GOLDEN / name).read_bytes(), url, headers)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert as_json(_parse(name)) == expected


def test_every_golden_input_has_a_case() -> None:
    inputs = {p.name for p in GOLDEN.iterdir() if not p.name.endswith(".expected.json")}
    assert inputs == set(CASES)


def test_dates_are_aware_utc() -> None:
    for name in CASES:
        for entry in _parse(name).entries:
            for value in (entry.published, entry.updated):
                assert value is None or (
                    value.utcoffset() is not None and value.utcoffset().total_seconds() == 0
                )


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
            "text/html",
            "HTML",
        ),
        (b"<html><body>no doctype</body></html>", None, "HTML"),
        (b"\x00\x01\x02 binary garbage", "application/octet-stream", "not RSS, Atom or JSON Feed"),
        (b"   ", "application/rss+xml", "empty body"),
        (b'{"name": "not a feed"}', "application/json", "not a JSON Feed"),
        (b"{broken json", "application/json", "neither a feed nor valid JSON"),
    ],
)
def test_not_a_feed(body: bytes, content_type: str | None, says: str) -> None:
    headers = {"content-type": content_type} if content_type else None
    with pytest.raises(NotAFeedError, match=says) as raised:
        parse_feed(body, "https://example.org/feed", headers)
    assert "https://example.org/feed" in str(raised.value)


def test_a_body_that_looks_like_a_path_is_never_opened() -> None:
    # feedparser opens raw bytes that name a file; the parser hands it a stream instead.
    with pytest.raises(NotAFeedError):
        parse_feed(b"/etc/hostname", "https://example.org/feed", None)


def test_an_empty_feed_is_a_feed() -> None:
    body = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
    assert parse_feed(body, "https://example.org/atom", {"content-type": ATOM}).entries == ()


@pytest.mark.parametrize(
    ("tag", "code"), [("fr-FR", "fr"), ("EN_us", "en"), ("de", "de"), ("", None), (None, None), ("x1", None)]
)
def test_language_code(tag: str | None, code: str | None) -> None:
    assert language_code(tag) == code


if __name__ == "__main__":
    for case in CASES:
        text = json.dumps(as_json(_parse(case)), ensure_ascii=False, indent=2) + "\n"
        (GOLDEN / f"{case}.expected.json").write_text(text, encoding="utf-8")
        print("wrote", f"{case}.expected.json")
