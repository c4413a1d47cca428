"""Robustness over real-world feed corpora in ../shared/corpora (skipped in a clone without it).

Every file goes through ``parse_feed`` without an exception other than
``NotAFeedError``; the encoding corpus reads back correctly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.errors import NotAFeedError
from crawler.feeds import parse_feed

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
pytestmark = pytest.mark.skipif(not CORPORA.is_dir(), reason="no ../shared/corpora beside the repository")
JSON = "application/json"
_HEADER = re.compile(rb"Header:\s*([^:\s]+):\s*(.*?)\s*(?:-->|\n)")


def _inputs() -> list[Path]:
    skip = ("LICENSE", "README.md")
    return [
        p
        for p in sorted(CORPORA.rglob("*"))
        if p.is_file() and p.name not in skip and not p.name.endswith(("_expected.json", "-result"))
    ]


def test_every_corpus_file_parses_or_is_reported_as_not_a_feed() -> None:
    unexpected = []
    parsed = 0
    for path in _inputs():
        body = path.read_bytes()
        headers = {m.group(1).decode(): m.group(2).decode("latin-1") for m in _HEADER.finditer(body[:2000])}
        try:
            parse_feed(body, f"http://example.org/{path.name}", headers)
            parsed += 1
        except NotAFeedError:
            pass
        except Exception as exc:  # noqa: BLE001 - collect them all, then fail once
            unexpected.append(f"{path.relative_to(CORPORA)}: {exc!r}")
    assert unexpected == []
    assert parsed > 1000


def test_invalid_json_feeds_are_rejected_clearly() -> None:
    for path in (CORPORA / "gofeed-json" / "invalid").glob("*.json"):
        with pytest.raises(NotAFeedError, match=r"example\.org/feed\.json"):
            parse_feed(path.read_bytes(), "http://example.org/feed.json", {"content-type": JSON})


def test_legacy_encodings_read_correctly() -> None:
    data = CORPORA / "miniflux-encodings" / "internal" / "reader" / "parser" / "testdata"
    feed = parse_feed((data / "no_encoding_ISO-8859-1.xml").read_bytes(), "http://example.org/feed", None)
    text = " ".join(f"{e.title} {e.summary}" for e in feed.entries)
    assert "\ufffd" not in text and "Ã" not in text
    assert any(c in text for c in "éèàç")
