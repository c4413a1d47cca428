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
