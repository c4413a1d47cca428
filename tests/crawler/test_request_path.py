"""What each request costs less, and does the same: newsmon's replacements on Scrapy's request path
(crawler.pqueues, crawler.handlers, crawler.logformatter) against Scrapy's own."""

from __future__ import annotations

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
from crawler.runner import CrawlService
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


CALLS: list[str] = []


class Plain:
    def process_request(self, request: Request) -> None:
        CALLS.append("plain request")

    def process_response(self, request: Request, response: Response) -> Response:
        CALLS.append("plain response")
        if request.meta.get("wrong"):
            return "not a response"  # type: ignore[return-value]
        return response

    def process_exception(self, request: Request, exception: Exception) -> Response | None:
        CALLS.append(f"plain exception {exception}")
        return Response(request.url, status=599) if request.meta.get("rescue") else None


class Awaiting:
    async def process_request(self, request: Request) -> Response | None:
        CALLS.append("awaiting request")
        return Response(request.url, status=299) if request.meta.get("short") else None

    async def process_response(self, request: Request, response: Response) -> Response:
        CALLS.append("awaiting response")
        return response


MIDDLEWARES = {f"{__name__}.Plain": 100, f"{__name__}.Awaiting": 200}


def _through(manager_class: type[Any], request: Request, run: Run) -> tuple[list[str], str]:
    """The calls made and the outcome of one request through a manager of MIDDLEWARES."""
    from scrapy.core.downloader.middleware import DownloaderMiddlewareManager

    assert issubclass(manager_class, DownloaderMiddlewareManager)
    crawler = get_crawler(
        settings_dict={"DOWNLOADER_MIDDLEWARES_BASE": {}, "DOWNLOADER_MIDDLEWARES": MIDDLEWARES}
    )
    manager = manager_class.from_crawler(crawler)

    async def download(request: Request) -> Response:
        CALLS.append("download")
        if request.meta.get("fail"):
            raise ConnectionError("refused")
        return Response(request.url, status=200)

    async def outcome() -> str:
        try:
            result = await manager.download_async(download, request)
        except Exception as exc:  # noqa: BLE001 - the outcome compared, whatever it is
            return f"{type(exc).__name__}: {exc}"
        return f"{type(result).__name__} {getattr(result, 'status', '')}"

    CALLS.clear()
    result = run(outcome())
    return list(CALLS), result


@pytest.mark.parametrize(
    "meta", [{}, {"short": True}, {"wrong": True}, {"fail": True}, {"fail": True, "rescue": True}]
)
def test_middlewares_are_called_as_scrapy_calls_them(meta: dict[str, bool], run_on_reactor: Run) -> None:
    from scrapy.core.downloader.middleware import DownloaderMiddlewareManager as Scrapys

    from crawler.downloader import DownloaderMiddlewareManager

    request = Request("http://example.org/feed.xml", meta=meta)
    ours = _through(DownloaderMiddlewareManager, request, run_on_reactor)
    assert ours == _through(Scrapys, request, run_on_reactor)
    assert ours[1] != ""


def test_a_crawl_uses_newsmons_downloader(database: Database, run_on_reactor: Run) -> None:
    from crawler.downloader import Downloader, DownloaderMiddlewareManager

    service = CrawlService()
    with TestServer() as server:
        server.set("/feed.xml", Reply(body=FEED, headers={"Content-Type": "application/rss+xml"}))
        ctx = context(database, ("one", server.url("/feed.xml")))
        task = run_on_reactor(_crawl_keeping_the_crawler(service, ctx))
    reports, downloader = task
    assert reports["one"].outcome == "ok"
    assert isinstance(downloader, Downloader)
    assert type(downloader.middleware) is DownloaderMiddlewareManager
    assert downloader.middleware.methods["process_request"]  # Scrapy's middlewares, built once


async def _crawl_keeping_the_crawler(service: CrawlService, ctx: Any) -> tuple[Any, Any]:
    import asyncio

    crawl = asyncio.ensure_future(service.crawl(ctx))
    while not service.runner.crawlers:  # noqa: ASYNC110 - the runner signals nothing
        await asyncio.sleep(0)
    (crawler,) = service.runner.crawlers
    reports = await crawl
    return reports, crawler.engine.downloader
