"""The robustness check (``benchmarks.corpus``) on a tiny corpus built here, shaped like ../shared/corpora."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

import benchmarks.corpus
import benchmarks.corpus_cases
import crawler.feeds
from benchmarks.corpus import folder, main
from benchmarks.corpus_allowed import ALLOWED
from crawler.feeds import RawFeed

GOOD_RSS = """<!--
Description: item title
Expect:      not bozo and entries[0]['title'] == 'Item 1' and entries[0]['link'] == 'http://example.org/1'
-->
<rss version="2.0"><channel><item><title>Item 1</title><link>http://example.org/1</link></item></channel></rss>
"""
SANITIZE = """<!--
Description: not about titles, links, dates or encodings
Expect:      not bozo and entries[0]['description'] == 'x'
-->
<rss version="2.0"><channel><item><description>x</description></item></channel></rss>
"""
HTTP_CASE = """<?xml version="1.0" encoding="iso-8859-1"?>
<!--
Header:      Content-type: application/xml; charset=windows-1252
Description: the HTTP charset wins
Expect:      not bozo and encoding == 'windows-1252' and feed['title'] == 'Caf\\xe9 \\u20ac'
-->
<rss version="2.0"><channel><title>Café €</title></channel></rss>
"""
WRONG = GOOD_RSS.replace("'Item 1' and", "'Item 2' and")
JSON_FEED = {
    "version": "1.1",
    "title": "title",
    "home_page_url": "https://sample.example/",
    "items": [
        {
            "id": "id",
            "url": "https://sample.example/id",
            "title": "title",
            "summary": "summary",
            "date_published": "2019-10-12T07:20:50.52Z",
            "author": {"name": "author_name"},
        }
    ],
}


def _corpus(root: Path) -> Path:
    cases = root / "feedparser" / "tests"
    _write(cases / "wellformed" / "rss" / "item_title.xml", GOOD_RSS.encode())
    _write(cases / "wellformed" / "sanitize" / "description.xml", SANITIZE.encode())
    _write(cases / "encoding" / "http_charset.xml", HTTP_CASE.encode("cp1252"))
    _write(root / "feedparser" / "LICENSE", b"BSD")
    reader = root / "miniflux-encodings" / "internal" / "reader"
    windows = '<?xml version="1.0" encoding="windows-1252"?>\n<rss version="2.0"><channel><title>Euro €'
    _write(
        reader / "encoding" / "testdata" / "windows-1252.xml",
        (windows + "</title></channel></rss>").encode("cp1252"),
    )
    _write(
        reader / "encoding" / "testdata" / "page.html", b"<!DOCTYPE html><html><body>Caf\xe9</body></html>"
    )
    text = json.dumps(JSON_FEED).encode()
    _write(root / "gofeed-json" / "version_json_11.json", text)
    _write(root / "gofeed-json" / "version_json_11_expected.json", text)
    _write(root / "gofeed-json" / "invalid" / "invalid.json", b'{\n  "verion": "1.0"')
    return root


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def _rows(output: str) -> dict[str, list[int]]:
    rows = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) == 7 and cells[1].isdigit():
            rows[cells[0]] = [int(c) for c in cells[1:]]
    return rows


def test_a_healthy_corpus_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_corpus(tmp_path))]) == 0
    output = capsys.readouterr().out
    #                                  files, ok, allowed, mismatch, exception, n.a.
    assert _rows(output) == {
        "feedparser/encoding": [1, 1, 0, 0, 0, 0],
        "feedparser/wellformed": [2, 1, 0, 0, 0, 1],
        "gofeed-json": [1, 1, 0, 0, 0, 0],
        "gofeed-json/invalid": [1, 1, 0, 0, 0, 0],
        "miniflux-encodings/encoding": [2, 2, 0, 0, 0, 0],
        "total": [7, 6, 0, 0, 0, 1],
    }
    assert output.rstrip().endswith(": ok")


def test_a_mismatch_and_an_exception_fail_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path)
    _write(root / "feedparser" / "tests" / "wellformed" / "rss" / "item_title.xml", WRONG.encode())
    _write(
        root / "gofeed-json" / "version_json_11_expected.json",
        json.dumps({**JSON_FEED, "title": "x"}).encode(),
    )

    def read_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> RawFeed:
        if url.endswith("windows-1252.xml"):
            raise RuntimeError("boom")
        return crawler.feeds.read_feed(body, url, headers)

    monkeypatch.setattr("benchmarks.corpus_cases.read_feed", read_feed)
    assert main([str(root)]) == 1
    output = capsys.readouterr().out
    assert _rows(output)["total"] == [7, 3, 0, 2, 1, 1]
    assert (
        "feedparser/tests/wellformed/rss/item_title.xml: not bozo and entries[0]['title'] == 'Item 2'"
        in output
    )
    assert "gofeed-json/version_json_11.json: title: 'title' != 'x'" in output
    assert "windows-1252.xml: RuntimeError: boom" in output
    assert output.rstrip().endswith(": FAILED")


def test_a_missing_folder_is_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "no corpora at" in capsys.readouterr().out


def test_allowed_mismatches_are_counted_apart_and_stale_entries_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path)
    _write(root / "feedparser" / "tests" / "wellformed" / "rss" / "item_title.xml", WRONG.encode())
    allowed = {
        "feedparser/tests/wellformed/rss/item_title.xml": "a reason",
        "feedparser/tests/wellformed/rss/gone.xml": "an old reason",
    }
    monkeypatch.setattr(benchmarks.corpus_cases, "ALLOWED", allowed)
    monkeypatch.setattr(benchmarks.corpus, "ALLOWED", allowed)
    assert main([str(root)]) == 0
    output = capsys.readouterr().out
    assert _rows(output)["total"] == [7, 5, 1, 0, 0, 1]
    assert "item_title.xml: a reason [" in output
    assert "no longer mismatch (1):\n  feedparser/tests/wellformed/rss/gone.xml" in output


def test_every_allowed_case_gives_its_reason() -> None:
    assert all(path.startswith("feedparser/tests/") and reason for path, reason in ALLOWED.items())


@pytest.mark.parametrize(
    ("path", "row"),
    [
        ("feedparser/tests/wellformed/rss/item_title.xml", "feedparser/wellformed"),
        ("miniflux-encodings/internal/reader/parser/testdata/large_rss.xml", "miniflux-encodings/parser"),
        ("gofeed-json/json10_feed.json", "gofeed-json"),
    ],
)
def test_folder(path: str, row: str) -> None:
    assert folder(path) == row
