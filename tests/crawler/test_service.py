"""CrawlService as the daemon uses it: one runner, many crawls, concurrent crawls, a graceful stop."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crawler.context import CrawlContext, CrawlSource, ProgressEvent
from crawler.errors import UnknownSourceError
from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import SITE, articles, context, fetch_log
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]


# 150 real crawls: 6 s with the machine's load at 5, 91 s at 11-13 (each crawl waits for its share of
# 2 cores): the ceiling catches a hang, never a loaded machine.
@pytest.mark.timeout(600)
def test_hundreds_of_sequential_crawls_on_one_runner(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        ctx = context(database, ("harbour", server.url("/en/atom.xml")))

        async def many() -> tuple[list[str | None], float]:
            outcomes = []
            for i in range(150):
                reports = await service.crawl(ctx)
                outcomes.append(reports["harbour"].outcome)
                if i == 0:  # models and modules are loaded by now
                    before = _rss_mb()
            return outcomes, _rss_mb() - before

        outcomes, grown_mb = run_on_reactor(many())

    assert outcomes[0] == "ok" and set(outcomes[1:]) == {"unchanged"}
    assert server.count("/en/2024/03/autonomous-cranes/") == 1
    assert len(fetch_log(database, "harbour")) == 150
    assert grown_mb < 30  # measured: about 5 MB over 300 crawls


def _rss_mb() -> float:
    gc.collect()
    status = Path("/proc/self/status").read_text()
    kilobytes = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return kilobytes / 1024


def test_concurrent_crawls_of_different_sources(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        server.set("/slow.xml", Reply(body=(SITE / "en/atom.xml").read_bytes(), delay=0.5))
        ctx = context(database, ("jds", server.url("/fr/feed.xml")), ("harbour", server.url("/en/atom.xml")))

        async def both() -> tuple[Any, Any]:
            first, second = await asyncio.gather(service.crawl(ctx, ["jds"]), service.crawl(ctx, ["harbour"]))
            return first, second

        first, second = run_on_reactor(both())

    assert set(first) == {"jds"} and set(second) == {"harbour"}
    assert first["jds"].new_articles == 2 and second["harbour"].new_articles == 1
    assert len(articles(database)) == 3


def test_a_source_already_being_crawled_is_skipped(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        server.set("/slow.xml", Reply(body=b"<rss version='2.0'><channel/></rss>", delay=0.5))
        ctx = context(database, ("slow", server.url("/slow.xml")))

        async def overlapping() -> tuple[Any, Any]:
            first = asyncio.ensure_future(service.crawl(ctx))
            await asyncio.sleep(0.1)
            second = await service.crawl(ctx)
            return await first, second

        first, second = run_on_reactor(overlapping())

    assert first["slow"].outcome == "ok"
    assert second["slow"].outcome == "skipped"
    assert server.count("/slow.xml") == 1


def test_stop_finishes_in_flight_work_and_refuses_new_crawls(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        ctx = context(database, ("jds", server.url("/fr/feed.xml")), settings={"RETRY_TIMES": 5})

        async def crawl_then_stop() -> tuple[Any, Any]:
            loop, fetching = asyncio.get_running_loop(), asyncio.Event()

            def slow_failure(_hit: Any) -> Reply:
                loop.call_soon_threadsafe(fetching.set)
                return Reply(status=503, delay=1)

            server.set("/fr/2024/03/satellite-glaciers.html", slow_failure)
            crawl = asyncio.ensure_future(service.crawl(ctx))
            await fetching.wait()
            await service.stop()
            return await crawl, await service.crawl(ctx)

        reports, after = run_on_reactor(crawl_then_stop())

    assert reports["jds"].outcome == "ok"  # the feed answered before the stop: recorded
    assert server.count("/fr/2024/03/satellite-glaciers.html") < 6  # queued retries were dropped
    assert after == {}
    assert [log.outcome for log in fetch_log(database, "jds")] == ["ok"]


def test_a_stop_during_a_crawls_start_up_still_stops_it(database: Database, run_on_reactor: Run) -> None:
    # Scrapy ignores a stop while the spider is still opening; the service must not.
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        ctx = context(database, ("jds", server.url("/fr/feed.xml")), settings={"DOWNLOAD_DELAY": 0.5})

        async def stop_at_once() -> Any:
            crawl = asyncio.ensure_future(service.crawl(ctx))
            await asyncio.sleep(0)  # the crawl has begun opening its spider, its engine not yet running
            await asyncio.wait_for(service.stop(), timeout=10)
            return await crawl

        run_on_reactor(stop_at_once())

    assert server.count("/fr/2024/03/satellite-glaciers.html") == 0  # no article page was fetched


def test_a_source_whose_pages_yield_no_text_is_recorded_stale(
    database: Database, run_on_reactor: Run
) -> None:
    from db.health import health

    empty_page = Reply(
        headers={"Content-Type": "text/html"}, body="<html><body><nav>Menu</nav></body></html>"
    )
    with TestServer(directory=SITE) as server:
        server.set("/fr/2024/03/satellite-glaciers.html", empty_page)
        server.set("/fr/2024/03/abeilles-vergers.html", empty_page)
        ctx = context(database, ("jds", server.url("/fr/feed.xml")))
        run_on_reactor(CrawlService().crawl(ctx))

    state = health(database, "jds")
    assert state is not None and state.status == "stale"
    assert "no article text could be extracted" in (state.last_error or "")


def test_unknown_source_names_are_an_error(database: Database, run_on_reactor: Run) -> None:
    ctx = context(database, ("jds", "http://127.0.0.1:9/feed.xml"))
    with pytest.raises(UnknownSourceError, match="nope"):
        run_on_reactor(CrawlService().crawl(ctx, ["nope"]))


def test_an_exception_in_the_on_stored_hook_is_recorded_not_swallowed(
    database: Database, run_on_reactor: Run
) -> None:
    def on_stored(session: Any, article_id: int, article: Any) -> None:
        if "abeilles" in article.url:
            raise RuntimeError("outbox is broken")

    with TestServer(directory=SITE) as server:
        ctx = context(database, ("jds", server.url("/fr/feed.xml")), on_stored=on_stored)
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert [a.url.rsplit("/", 1)[1] for a in articles(database)] == ["satellite-glaciers.html"]
    report = reports["jds"]
    assert report.outcome == "ok" and report.new_articles == 1
    assert any("outbox is broken" in p for p in report.problems)
    assert "outbox is broken" in (fetch_log(database, "jds")[0].error or "")


def test_progress_events_follow_the_crawl(database: Database, run_on_reactor: Run) -> None:
    events: list[ProgressEvent] = []
    with TestServer(directory=SITE) as server:
        ctx = context(database, ("jds", server.url("/fr/feed.xml")), on_progress=events.append)
        run_on_reactor(CrawlService().crawl(ctx))

    kinds = [e.kind for e in events]
    assert kinds == ["feed", "article", "article", "done"]
    assert events[0].entries == 2 and events[0].pending == 2
    assert sum(e.stored for e in events if e.kind == "article") == 2
    assert events[-1].outcome == "ok"


def test_a_source_type_without_a_spider_is_an_error(database: Database, run_on_reactor: Run) -> None:
    gopher = CrawlSource("map", "gopher", "http://127.0.0.1:9/s.xml")
    ctx = CrawlContext(database=database, sources=(gopher,))
    reports = run_on_reactor(CrawlService().crawl(ctx))
    assert reports["map"].outcome == "error" and "gopher" in (reports["map"].error or "")
    assert [log.outcome for log in fetch_log(database, "map")] == ["error"]


def test_download_timeout_is_capped_for_a_prompt_graceful_stop(database: Database) -> None:
    from crawler.spiders.feed import FeedSpider

    service = CrawlService()
    long = context(database, ("jds", "http://127.0.0.1:9/feed.xml"), settings={"DOWNLOAD_TIMEOUT": 180})
    assert service._crawler(FeedSpider, long).settings.getfloat("DOWNLOAD_TIMEOUT") == 30
    default = CrawlContext(database=database, sources=())
    assert service._crawler(FeedSpider, default).settings.getfloat("DOWNLOAD_TIMEOUT") == 20
