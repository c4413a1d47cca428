"""The daemon's long-lived spider (crawler/duespider.py): due sources handed over one by one, each its
own crawl; a real local server, a real database, Scrapy on the reactor's loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from crawler.duespider import DueCrawls
from crawler.extensions import FLUSH_SECONDS
from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import SITE, articles, context, fetch_log
from tests.servers import Reply, TestServer

Run = Callable[[Awaitable[Any]], Any]
SLOW_SECONDS = 1.0


def test_a_source_due_again_is_crawled_again_by_the_same_spider_and_never_twice_at_once(
    database: Database, run_on_reactor: Run
) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        crawls = DueCrawls(service, context(database, ("harbour", server.url("/en/atom.xml"))))

        async def scenario() -> tuple[list[Any], float]:
            try:
                # Asked twice while its crawl goes on (overlapping schedules): one crawl, one report.
                first = await asyncio.gather(crawls.crawl("harbour"), crawls.crawl("harbour"))
                began = time.monotonic()
                again = await crawls.crawl("harbour")
                lone = time.monotonic() - began
                assert len(service.runner.crawlers) == 1, "the spider outlives each source's crawl"
                return [*first, again], lone
            finally:
                await service.stop()

        reports, lone = run_on_reactor(scenario())

    assert reports[0] is reports[1] and reports[0].outcome == "ok" and reports[0].new_articles == 1
    assert reports[2].outcome == "unchanged"
    assert [row.outcome for row in fetch_log(database, "harbour")] == ["ok", "unchanged"]
    assert server.count("/en/atom.xml") == 2
    assert len(articles(database)) == 1
    # Its caller waits for it alone: recorded at once, not batched with crawls that are not there.
    assert lone < FLUSH_SECONDS


def test_a_stop_lets_the_crawl_in_flight_finish_even_when_its_caller_is_cancelled(
    database: Database, run_on_reactor: Run
) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        body = (SITE / "en/atom.xml").read_bytes()
        server.set(
            "/slow.xml", Reply(body=body, delay=SLOW_SECONDS, headers={"Content-Type": "application/xml"})
        )
        ctx = context(database, ("slow", server.url("/slow.xml")), ("later", server.url("/en/atom.xml")))
        crawls = DueCrawls(service, ctx)

        async def scenario() -> Any:
            crawl = asyncio.ensure_future(crawls.crawl("slow"))
            # A scheduler shutting down cancels its job; the poll shields the crawl (newsmon.polling).
            caller = asyncio.ensure_future(asyncio.shield(crawl))
            while not server.count("/slow.xml"):  # noqa: ASYNC110 - the server thread signals nothing
                await asyncio.sleep(0.01)
            caller.cancel()
            await service.stop()
            assert await crawls.crawl("later") is None  # nothing starts once stopping
            return await crawl

        report = run_on_reactor(scenario())

    assert report is not None and report.outcome == "ok"
    assert [row.outcome for row in fetch_log(database, "slow")] == ["ok"]
    assert server.count("/en/atom.xml") == 0 and fetch_log(database, "later") == []
    assert service.runner.crawlers == set()


def test_a_spider_closed_by_something_else_records_its_crawls_and_the_next_due_source_restarts_it(
    database: Database, run_on_reactor: Run
) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        server.set("/slow.xml", Reply(body=b"<rss/>", delay=SLOW_SECONDS))
        ctx = context(database, ("slow", server.url("/slow.xml")), ("harbour", server.url("/en/atom.xml")))
        crawls = DueCrawls(service, ctx)

        async def scenario() -> list[Any]:
            try:
                slow = asyncio.ensure_future(crawls.crawl("slow"))
                while not server.count("/slow.xml"):  # noqa: ASYNC110 - the server thread signals nothing
                    await asyncio.sleep(0.01)
                # As Scrapy's memory-usage extension does when the process grows too large.
                (crawler,) = service.runner.crawlers
                assert crawler.engine is not None
                closing = asyncio.ensure_future(crawler.engine.close_spider_async(reason="memusage_exceeded"))
                await asyncio.sleep(0)
                cut = asyncio.ensure_future(crawls.crawl("harbour"))  # due while the spider closes
                await closing
                return [await slow, await cut, await crawls.crawl("harbour")]
            finally:
                await service.stop()

        slow, cut, harbour = run_on_reactor(scenario())

    assert slow.outcome == "ok"  # in flight: it finished, as in a stop
    assert cut.outcome == "error" and "did not run" in cut.error
    assert harbour.outcome == "ok" and harbour.new_articles == 1  # a new spider
    assert [row.outcome for row in fetch_log(database, "harbour")] == ["error", "ok"]
