"""A big feed that the size cap lets through does not hold up the other sources of the crawl.

feedparser reads about 0.2–0.4 ms an entry: a 10 MB feed of 100,000 entries is 20–35 s of CPU.
One crawl reads a big feed beside 20 small ones on a real local server; the small feeds'
article pages must be fetched about as soon as in a clean crawl of the small feeds alone, in
the same test (a ratio: the machine may be loaded).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from crawler import feeds
from crawler.feeds import INLINE_MAX, parse_feed, parse_feed_async
from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import articles, context
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
RSS = {"Content-Type": "application/rss+xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
SMALL = 20
PAGES = 3
BIG_ENTRIES = 30  # of 58 kB each, 1.7 MB: a few seconds of feedparser, as 8,000 short entries take
SLACK = 1.0  # seconds: the clean crawl may be short, and the machine busy


def feed(base: str, prefix: str, count: int, filler: str = "") -> bytes:
    items = "".join(
        f"<item><title>Story {prefix} {n}</title><link>{base}/a/{prefix}-{n}.html</link>"
        f"<description>What happened {n}. {filler}</description>"
        "<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>"
        for n in range(count)
    )
    channel = f"<channel><title>News {prefix}</title><link>{base}/</link>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def page(name: str) -> Reply:
    body = (
        f"<html><head><title>Story {name}</title></head><body><article><h1>Story {name}</h1>"
        + "".join(
            f"<p>Paragraph {n} of the story {name}, with enough words to be text.</p>" for n in range(6)
        )
        + "</article></body></html>"
    )
    return Reply(body=body, headers=HTML)


def routes(base: str) -> dict[str, Any]:
    found: dict[str, Any] = {"/robots.txt": Reply(status=404)}
    for run in ("clean", "beside"):
        for n in range(SMALL):
            found[f"/{run}/{n}.xml"] = Reply(body=feed(base, f"{run}{n}", PAGES), headers=RSS)
            found.update({f"/a/{run}{n}-{p}.html": page(f"{run}{n}-{p}.html") for p in range(PAGES)})
    found["/big.xml"] = Reply(
        body=feed(base, "big", BIG_ENTRIES, "<p>More words, and more.</p> " * 2000), headers=RSS
    )
    return found


def small_pages_done(server: TestServer, run: str, started: float) -> float:
    """Seconds from the crawl's start to the last article page of the run's small feeds."""
    hits = [h.at for h in server.hits if h.path.startswith(f"/a/{run}")]
    assert len(hits) == SMALL * PAGES
    return max(hits) - started


def test_small_feeds_are_not_held_up_by_a_big_one(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer() as server:
        server.routes.update(routes(server.base_url))
        small = [(f"clean{n}", server.url(f"/clean/{n}.xml")) for n in range(SMALL)]
        started = time.monotonic()
        run_on_reactor(service.crawl(context(database, *small)))
        clean = small_pages_done(server, "clean", started)

        beside = [(f"beside{n}", server.url(f"/beside/{n}.xml")) for n in range(SMALL)]
        started = time.monotonic()
        big = ("big", server.url("/big.xml"))
        reports = run_on_reactor(service.crawl(context(database, big, *beside)))
        delayed = small_pages_done(server, "beside", started)

    assert reports["big"].outcome == "ok"
    assert all(reports[name].new_articles == PAGES for name, _ in beside)
    stored = {a.title for a in articles(database)}
    assert {f"Story beside{n}-{p}.html" for n in range(SMALL) for p in range(PAGES)} <= stored
    assert delayed <= 2 * clean + SLACK, (clean, delayed)


def test_a_big_feed_is_read_by_a_worker_process_and_the_same(run_on_reactor: Run) -> None:
    small = feed("http://h", "small", 3)
    big = feed("http://h", "big", 3, "words " * (INLINE_MAX // 15))
    for body in (small, big):
        assert run_on_reactor(parse_feed_async(body, "http://h/f.xml", RSS)) == parse_feed(
            body, "http://h/f.xml", RSS
        )
    workers = feeds._BIG_FEEDS._processes  # type: ignore[attr-defined]  # the pool's own record
    assert workers and os.getpid() not in workers
