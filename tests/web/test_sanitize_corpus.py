"""feedparser's HTML-sanitising cases, through newsmon's feed reading, storage and pages.

Each case is read as newsmon reads a feed, and stored with its entries'
title, summary and content; the case's raw markup, entities decoded, is
stored too, as if a reader had let it all through. Every article page and a
search for each attack's words must then hold nothing a browser would run.

The corpus lives beside the repository (``../shared/corpora``), not in it:
without it this robustness check has nothing to read; the seeded hostile
article of ``conftest`` is checked on every run regardless.
"""

from __future__ import annotations

import html
from pathlib import Path

import httpx
import pytest

from crawler.errors import NotAFeedError
from crawler.feeds import parse_feed
from db.store import NewArticle, store_article
from newsmon.web.app import create_app
from newsmon.wiring import App
from tests.web.conftest import LiveServer, write_config
from tests.web.inert import assert_inert

CASES = Path(__file__).resolve().parents[3] / "shared/corpora/feedparser/tests/wellformed/sanitize"
SEARCHES = ("script", "onmouseover", "javascript", "style", "iframe", "embed", "object", "applet", "img")


def _articles(path: Path, number: int) -> list[NewArticle]:
    raw = path.read_bytes()
    hostile = html.unescape(raw.decode("utf-8", "replace"))
    try:
        feed = parse_feed(raw, "http://127.0.0.1/feed.xml")
    except NotAFeedError:
        entries: list[tuple[str, str, str]] = [("", "", "")]
    else:
        entries = [(e.title, e.summary, e.content) for e in feed.entries] or [(feed.title, "", "")]
    return [
        NewArticle(
            source="wire",
            url=f"https://example.org/{path.stem}/{number}-{i}",
            title=title or path.stem,
            keys=(),
            summary=summary,
            text=f"{content}\n{hostile}",
        )
        for i, (title, summary, content) in enumerate(entries)
    ]


@pytest.mark.skipif(not CASES.is_dir(), reason=f"no corpus at {CASES}")
def test_no_sanitize_case_runs_in_the_pages(tmp_path: Path) -> None:
    app = App.open(write_config(tmp_path))
    ids = [
        article_id
        for number, path in enumerate(sorted(CASES.glob("*.xml")))
        for new in _articles(path, number)
        if (article_id := store_article(app.database, new)) is not None
    ]
    assert len(ids) >= 700
    with LiveServer(create_app(app)) as live, httpx.Client(base_url=live.base, timeout=60) as http:
        for article_id in ids:
            response = http.get(f"/articles/{article_id}")
            assert response.status_code == 200
            assert_inert(response.text)
        for word in SEARCHES:
            assert_inert(http.get("/", params={"q": word, "limit": 200}).text)
    app.database.dispose()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src=x onerror="alert(1)">',
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<p style="background:url(x)">x</p>',
        "<iframe src=//evil.example></iframe>",
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    ],
)
def test_the_check_catches_markup_that_would_run(markup: str) -> None:
    with pytest.raises(AssertionError):
        assert_inert(f"<html><body><main>{markup}</main></body></html>")
