"""Sources asked for lazily: a crawl of many sources keeps few page requests queued, and loses none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.crawler import Crawler

from crawler.context import CrawlSource
from crawler.runner import CrawlService
from crawler.spiders.pacing import SourcePacer, in_host_turns
from db.engine import Database
from tests.crawler.helpers import articles, context
from tests.servers import TestServer

Run = Callable[[Any], Any]
FEEDS, ENTRIES = 40, 10
RSS = {"Content-Type": "application/rss+xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
SETTINGS = {
    "NEWSMON_MAX_QUEUED": 10,
    "CONCURRENT_REQUESTS": 2,  # a window of 4 sources awaiting their feed
    "EXTENSIONS": {f"{__name__}.QueueWatch": 500},
}
QUEUED: list[int] = []  # the scheduler's length after each request was queued, in the crawl under test


class QueueWatch:
    """An extension noting how many requests wait in the scheduler each time one more is queued."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QueueWatch:
        watch = cls(crawler)
        crawler.signals.connect(watch.request_scheduled, signal=signals.request_scheduled)
        return watch

    def request_scheduled(self, request: Request, spider: Any) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.scheduler is not None:
            QUEUED.append(len(engine.scheduler) + 1)  # type: ignore[arg-type]  # sent before it is queued


def serve_feeds(server: TestServer) -> list[tuple[str, str]]:
    sources = []
    for feed in range(FEEDS):
        items = "".join(
            f"<item><title>Story {feed}-{entry}</title><link>{server.url(f'/a/{feed}/{entry}.html')}</link>"
            f"<description>Summary of story {feed}-{entry}.</description></item>"
            for entry in range(ENTRIES)
        )
        channel = f"<channel><title>F{feed}</title>{items}</channel>"
        rss = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
        server.set(f"/feeds/{feed}.xml", body=rss, headers=RSS)
        for entry in range(ENTRIES):
            page = (
                f"<html><head><title>Story {feed}-{entry}</title></head><body><article>"
                f"<h1>Story {feed}-{entry}</h1><p>{'The harbour opened a new quay this week. ' * 8}</p>"
                "</article></body></html>"
            )
            server.set(f"/a/{feed}/{entry}.html", body=page, headers=HTML)
        sources.append((f"feed{feed}", server.url(f"/feeds/{feed}.xml")))
    return sources


def test_a_crawl_of_many_sources_never_queues_more_than_its_bound(
    database: Database, run_on_reactor: Run
) -> None:
    QUEUED.clear()
    with TestServer() as server:
        ctx = context(database, *serve_feeds(server), settings=SETTINGS)
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert {r.outcome for r in reports.values()} == {"ok"}
    assert sum(r.new_articles for r in reports.values()) == FEEDS * ENTRIES
    assert len(articles(database)) == FEEDS * ENTRIES
    # At most the bound plus the pages of a window of feeds; asked for all at once, the 40 feeds
    # went first and left their 400 pages queued together.
    assert max(QUEUED) <= 10 + 4 * ENTRIES


def test_asked_for_all_at_once_the_same_sources_queue_nearly_every_page(
    database: Database, run_on_reactor: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The measure above can fail: without pacing (as before it), the feeds go first and their
    pages pile up."""
    QUEUED.clear()
    monkeypatch.setattr(SourcePacer, "_holding_back", lambda self: None)
    with TestServer() as server:
        ctx = context(database, *serve_feeds(server), settings=SETTINGS)
        run_on_reactor(CrawlService().crawl(ctx))

    assert max(QUEUED) > FEEDS * ENTRIES // 2


def test_sources_are_asked_for_one_host_at_a_time_in_turn() -> None:
    def feed(name: str, host: str) -> CrawlSource:
        return CrawlSource(name, "feed", f"https://{host}/{name}.xml")

    sources = [feed("a1", "a.example"), feed("a2", "A.example"), feed("a3", "a.example")]
    sources += [feed("b1", "b.example"), feed("c1", "c.example"), feed("c2", "c.example")]

    assert [s.name for s in in_host_turns(sources)] == ["a1", "b1", "c1", "a2", "c2", "a3"]
