"""What each request costs less, and does the same: newsmon's replacements on Scrapy's request path
(crawler.pqueues, crawler.handlers, crawler.logformatter) against Scrapy's own."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Any

import pytest
from scrapy import Request
from scrapy.core.engine import ExecutionEngine
from scrapy.http import Response
from scrapy.pqueues import DownloaderAwarePriorityQueue as ScrapyQueue
from scrapy.squeues import FifoMemoryQueue
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet import endpoints

from crawler.handlers import HTTP11DownloadHandler, encoded_each_time
from crawler.logformatter import ENGINE_LOGGER, LogFormatter
from crawler.pqueues import DownloaderAwarePriorityQueue
from crawler.runner import PYTHONS_THRESHOLD, CrawlService, pythons_collector
from db.engine import Database
from tests.crawler.helpers import context
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def _taken_in_turn(queue_class: type[ScrapyQueue]) -> list[str]:
    """The URLs a queue hands out while each one taken starts a download on its host."""
    crawler = get_crawler(settings_dict={"CONCURRENT_REQUESTS_PER_DOMAIN": 4})
    crawler.engine = ExecutionEngine(crawler, lambda _: None)
    downloader = crawler.engine.downloader
    for host, busy in (("b.example", 2), ("c.example", 0), ("a.example", 1)):
        _, slot = downloader._get_slot(Request(f"http://{host}/"))
        slot.active.update(Request(f"http://{host}/busy{n}") for n in range(busy))
    queue = queue_class.from_crawler(crawler, FifoMemoryQueue, "")
    hosts = ("a.example", "b.example", "c.example", "d.example", "e.example")
    for n in range(4):
        for host in hosts:
            queue.push(Request(f"http://{host}/{n}"))
    taken = []
    while (request := queue.pop()) is not None:
        taken.append(request.url)
        _, slot = downloader._get_slot(request)
        slot.active.add(request)
    return taken


def test_the_queue_hands_out_requests_in_scrapys_order(run_on_reactor: Run) -> None:
    taken = _taken_in_turn(DownloaderAwarePriorityQueue)

    assert taken == _taken_in_turn(ScrapyQueue)
    assert len(taken) == 20
    assert taken[:2] == ["http://c.example/0", "http://d.example/0"]  # idle hosts first


def test_host_names_are_encoded_as_scrapy_encodes_them_each_time_asked(run_on_reactor: Run) -> None:
    build_from_crawler(HTTP11DownloadHandler, get_crawler())
    encode = endpoints._idnaBytes  # type: ignore[attr-defined]

    assert encode("bücher.example") == b"xn--bcher-kva.example"
    assert encode("under_score.example") == b"under_score.example"  # Scrapy's IDNA 2003 fallback
    for _ in range(2):  # a refusal is not kept: asked again, it is refused again
        with pytest.raises(UnicodeError):
            encode("a b.example")
    with encoded_each_time():  # the benchmarks' Scrapy floors
        assert not hasattr(endpoints._idnaBytes, "cache_info")  # type: ignore[attr-defined]
    assert endpoints._idnaBytes is encode  # type: ignore[attr-defined]


def test_a_crawl_encodes_its_host_names_once(database: Database, run_on_reactor: Run) -> None:
    rss = {"Content-Type": "application/rss+xml"}
    with TestServer({f"/feed{n}.xml": Reply(body=FEED, headers=rss) for n in range(3)}) as server:
        urls = [server.url(f"/feed{n}.xml").replace("127.0.0.1", "localhost") for n in range(3)]
        service = CrawlService()
        ctx = context(database, *((f"feed{n}", url) for n, url in enumerate(urls)))
        run_on_reactor(service.crawl(ctx))
        encode = endpoints._idnaBytes  # type: ignore[attr-defined]
        encode.cache_clear()
        reports = run_on_reactor(service.crawl(ctx))

    assert {r.outcome for r in reports.values()} == {"unchanged"}
    assert encode.cache_info().misses == 1  # localhost, once for the crawl's three requests
    assert encode.cache_info().hits >= 2


def _crawled(level: int) -> Any:
    request = Request("http://example.org/feed.xml", headers={"Referer": "http://example.org/"})
    response = Response(request.url, status=304, request=request)
    before = ENGINE_LOGGER.level
    ENGINE_LOGGER.setLevel(level)
    try:
        return LogFormatter().crawled(request, response, None)  # type: ignore[arg-type]
    finally:
        ENGINE_LOGGER.setLevel(before)


def test_the_crawled_record_is_built_only_when_debug_is_on() -> None:
    assert _crawled(logging.INFO) is None
    record = _crawled(logging.DEBUG)
    assert record["level"] == logging.DEBUG
    assert record["args"]["status"] == 304
    assert record["args"]["referer"] == "http://example.org/"


def test_a_crawl_at_debug_still_logs_each_response(
    database: Database, run_on_reactor: Run, caplog: pytest.LogCaptureFixture
) -> None:
    rss = {"Content-Type": "application/rss+xml", "ETag": '"v1"'}
    with TestServer({"/feed.xml": Reply(body=FEED, headers=rss, conditional=True)}) as server:
        ctx = context(database, ("feed", server.url("/feed.xml")))
        service = CrawlService()
        run_on_reactor(service.crawl(ctx))
        with caplog.at_level(logging.DEBUG, logger=ENGINE_LOGGER.name):
            run_on_reactor(service.crawl(ctx))

    crawled = [r.getMessage() for r in caplog.records if r.name == ENGINE_LOGGER.name]
    assert any(m.startswith("Crawled (304) <GET http://127.0.0.1") for m in crawled), crawled


@pytest.mark.parametrize(
    ("before", "after"), [((700, 10, 10), (10_000, 10, 10)), ((50_000, 5, 0), (50_000, 5, 0))]
)
def test_a_crawling_process_collects_young_objects_less_often(
    before: tuple[int, int, int], after: tuple[int, int, int]
) -> None:
    kept = gc.get_threshold()
    try:
        gc.set_threshold(*before)
        CrawlService()
        tuned = gc.get_threshold()
        with pythons_collector():  # the benchmarks' Scrapy floors
            during = gc.get_threshold()
        assert (tuned, gc.get_threshold()) == (after, after)  # a process asking for fewer keeps its own
        assert during == PYTHONS_THRESHOLD
    finally:
        gc.set_threshold(*kept)
