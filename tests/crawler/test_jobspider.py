"""The long-lived scrapy-redis spider of the crawler role (crawler/jobspider.py): a real redis-server, local
feeds, a real database; a broker that finishes jobs as the worker does."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from scrapy.exceptions import DontCloseSpider

from benchmarks.crawl import article_page, feed_document
from crawler.context import CrawlContext, CrawlSource
from crawler.jobspider import RedisJobSpider
from crawler.redisjobs import CONNECTION, QUEUE_KEY, RedisJob, RedisJobQueue
from crawler.runner import CrawlService
from crawler.spiders.options import HtmlOptions, Selectors
from db.engine import Database
from tests.crawler.helpers import SITE, TEST_SETTINGS, articles, context, fetch_log
from tests.crawler.test_html_source import CSS
from tests.crawler.test_sitemap_source import NEWS, XML, fill
from tests.databases import Databases
from tests.redis import RedisServer, needs_redis
from tests.servers import Reply, TestServer

pytestmark = [*needs_redis, pytest.mark.timeout(180)]

ENTRIES = 2
SLOW_FEED_SECONDS = 2.0
HUNG_SECONDS = 5.0
Run = Callable[[Awaitable[Any]], Any]


class Broker:
    """What the worker does for the spider (newsmon/roles/rediscrawler.py), minus health and back-off."""

    def __init__(self, queue: RedisJobQueue, slots: int = 2) -> None:
        self.queue = queue
        self.holder = "worker-1"
        self.slots = slots
        self.begun: list[RedisJob] = []
        self.done_at: dict[str, list[float]] = {}
        self.failures: list[str] = []

    def capacity(self) -> int:
        return self.slots

    def begin(self, job: RedisJob) -> bool:
        self.begun.append(job)
        if job.source == "broken":
            raise RuntimeError("the database is away")
        return True

    def done(self, job: RedisJob) -> None:
        self.done_at.setdefault(job.source, []).append(time.monotonic())
        self.queue.finish(self.holder, job.source)

    def failing(self, error: Exception, then: str) -> None:
        self.failures.append(str(error))

    def answering(self) -> None:
        return None


@pytest.fixture
def site() -> Iterator[TestServer]:
    with TestServer() as server:
        rss = {"Content-Type": "application/rss+xml"}
        html = {"Content-Type": "text/html; charset=utf-8"}
        # Retry-After beyond NEWSMON_RETRY_AFTER_MAX: the host is given up on for the crawl.
        server.set("/feeds/busy.xml", Reply(status=503, headers={"Retry-After": "99999"}))
        server.set("/feeds/hung.xml", Reply(body=b"<rss/>", delay=HUNG_SECONDS))
        for feed, delay in ((0, SLOW_FEED_SECONDS), (1, 0.0)):
            body = feed_document(server.base_url, feed, ENTRIES)
            server.set(f"/feeds/{feed}.xml", Reply(body=body, headers=rss, delay=delay))
            for entry in range(ENTRIES):
                page = article_page(server.base_url, feed, entry)
                server.set(f"/a/{feed}/{entry}.html", Reply(body=page, headers=html))
        yield server


@pytest.fixture
def queue(redis_server: RedisServer) -> Iterator[RedisJobQueue]:
    made = RedisJobQueue(redis_server.url)
    yield made
    made.close()


class Serving:
    """One long-lived spider on the reactor, as the worker serves it."""

    def __init__(
        self, database: Database, site: TestServer, server: RedisServer, broker: Broker, **settings: Any
    ) -> None:
        feeds = (
            ("slow", "/feeds/0.xml"),
            ("fast", "/feeds/1.xml"),
            ("busy", "/feeds/busy.xml"),
            ("hung", "/feeds/hung.xml"),
        )
        sources = [(name, site.url(path)) for name, path in feeds]
        self.context = context(database, *sources, settings=settings)
        self.settings = {"REDIS_URL": server.url, "REDIS_PARAMS": CONNECTION}
        self.broker = broker
        self.service = CrawlService()
        self.task: asyncio.Future[None] | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(
            self.service.serve(RedisJobSpider, self.context, self.settings, broker=self.broker)
        )

    def spider(self) -> RedisJobSpider:
        [crawler] = self.service.runner.crawlers
        assert isinstance(crawler.spider, RedisJobSpider)
        return crawler.spider

    async def until(self, done: Callable[[], bool], what: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            assert self.task is not None and not self.task.done(), f"the spider ended before {what}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            await asyncio.sleep(0.05)

    async def crawl_once(self, source: str) -> None:
        """Queue ``source`` and wait for that crawl to end."""
        crawled = len(self.broker.done_at.get(source, []))
        self.broker.queue.push([source])
        await self.until(lambda: len(self.broker.done_at.get(source, [])) > crawled, f"a crawl of {source}")

    def idle(self) -> bool:
        crawlers = self.service.runner.crawlers
        engine = next(iter(crawlers)).engine if crawlers else None
        return engine is not None and engine.running and engine.spider_is_idle()

    async def stop(self) -> None:
        await self.service.stop()
        assert self.task is not None
        await self.task


def test_jobs_are_fed_continuously_idle_or_busy_and_each_is_one_sources_crawl(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
) -> None:
    database = databases.open()
    broker = Broker(queue)
    serving = Serving(database, site, redis_server, broker)

    async def scenario() -> tuple[float, float]:
        serving.start()
        await serving.until(serving.idle, "the spider to be idle with nothing queued")
        queue.push(["slow"])  # after idling: scrapy-redis's spider_idle and our feeding take it
        await serving.until(lambda: site.count("/feeds/0.xml") == 1, "the slow feed to be asked for")
        queue.push(["fast"])  # while busy: a free slot takes it, no need to wait for idle
        await serving.until(lambda: "slow" in broker.done_at and "fast" in broker.done_at, "both jobs done")
        fast_done, slow_done = broker.done_at["fast"][0], broker.done_at["slow"][0]
        queue.push(["fast"])  # the same source again: a crawl of its own, recorded and done again
        await serving.until(lambda: len(broker.done_at["fast"]) == 2, "the second crawl of fast")
        assert not serving.task.done()  # type: ignore[union-attr]  # idle all along, never closed
        spider = serving.spider()
        assert spider.jobs() == [] and spider.ledger.reports == {}  # nothing kept of finished crawls
        assert spider._following == {}
        await serving.stop()
        return fast_done, slow_done

    fast_done, slow_done = run_on_reactor(scenario())

    assert fast_done < slow_done
    assert [job.source for job in broker.begun] == ["slow", "fast", "fast"]
    assert queue.pending() == 0 and broker.failures == []
    assert len(articles(database)) == 2 * ENTRIES
    pages = [f"/a/{feed}/{entry}.html" for feed in (0, 1) for entry in range(ENTRIES)]
    assert {page: site.count(page) for page in pages} == dict.fromkeys(pages, 1)
    assert [row.outcome for row in fetch_log(database, "slow")] == ["ok"]
    assert [row.outcome for row in fetch_log(database, "fast")] == ["ok", "unchanged"]


def test_a_job_logs_its_crawls_report_and_no_line_per_request(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
    caplog: pytest.LogCaptureFixture,
) -> None:
    serving = Serving(databases.open(), site, redis_server, Broker(queue))

    async def scenario() -> None:
        serving.start()
        await serving.crawl_once("fast")
        await serving.stop()

    with caplog.at_level(logging.INFO):
        run_on_reactor(scenario())

    shown = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any(line.startswith("source fast:") for line in shown), shown
    assert not [line for line in shown if site.url("/feeds/1.xml") in line]


def test_a_malformed_job_is_logged_escaped_and_dropped_and_the_worker_goes_on(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = databases.open()
    broker = Broker(queue)
    serving = Serving(database, site, redis_server, broker)
    client = redis.Redis.from_url(redis_server.url)
    hostile = b"\x1b[2J\x1b]0;pwned\x07\xff not a job\r\nX-Injected: 1"
    client.rpush(QUEUE_KEY, hostile, b'{"source": 5}', b'{"source": "fast"}')  # the last, pushed by hand
    client.close()

    async def scenario() -> None:
        serving.start()
        await serving.until(lambda: "fast" in broker.done_at, "the job pushed by hand to be crawled")
        await serving.stop()

    with caplog.at_level(logging.INFO):
        run_on_reactor(scenario())

    dropped = [r.getMessage() for r in caplog.records if "crawl job dropped" in r.getMessage()]
    assert dropped == [
        f"crawl job dropped: not a crawl job: {hostile!r}",
        "crawl job dropped: not a crawl job: b'{\"source\": 5}'",
    ]
    assert not any("\x1b" in r.getMessage() or "\r" in r.getMessage() for r in caplog.records)
    assert [job.source for job in broker.begun] == ["fast"]
    assert len(articles(database)) == ENTRIES and queue.pending() == 0


def test_redis_down_neither_closes_the_spider_nor_loses_the_jobs(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
) -> None:
    database = databases.open()
    broker = Broker(queue)
    serving = Serving(database, site, redis_server, broker)

    async def scenario() -> None:
        serving.start()
        await serving.until(serving.idle, "the spider to be idle")
        redis_server.stop()
        # scrapy-redis's idle handler counts the queue first: a Redis error there would close the spider.
        with pytest.raises(DontCloseSpider):
            serving.spider().spider_idle()
        await serving.until(lambda: bool(broker.failures), "the feeding to meet the outage")
        redis_server.start()
        queue.push(["fast"])
        await serving.until(lambda: "fast" in broker.done_at, "the job queued after the outage")
        await serving.stop()

    run_on_reactor(scenario())

    assert "ConnectionError" in broker.failures[0]
    assert len(articles(database)) == ENTRIES


def test_what_one_crawl_learnt_about_hosts_ends_with_it(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
) -> None:
    database = databases.open()
    broker = Broker(queue)
    # One spider for every job: a host given up on, or its robots.txt read, in one job must not stay so
    # for the worker's life (crawler.policy.crawls).
    serving = Serving(database, site, redis_server, broker, NEWSMON_ROBOTSTXT_MAX_AGE=0)

    asked: list[tuple[int, int]] = []  # feed and robots.txt requests after each crawl

    async def scenario() -> None:
        serving.start()
        for _ in range(2):
            await serving.crawl_once("busy")
            asked.append((site.count("/feeds/busy.xml"), site.count("/robots.txt")))
        await serving.stop()

    run_on_reactor(scenario())

    assert asked == [(1, 1), (2, 2)]
    assert [row.outcome for row in fetch_log(database, "busy")] == ["error", "error"]


def test_timeouts_of_one_crawl_do_not_add_up_with_the_next_ones(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
) -> None:
    database = databases.open()
    broker = Broker(queue)
    # Two timeouts in a row within one crawl make a host down for that crawl (crawler.policy.guard).
    serving = Serving(database, site, redis_server, broker, DOWNLOAD_TIMEOUT=0.5)

    async def scenario() -> None:
        serving.start()
        for _ in range(3):
            await serving.crawl_once("hung")
        await serving.stop()

    run_on_reactor(scenario())

    assert site.count("/feeds/hung.xml") == 3
    errors = [row.error or "" for row in fetch_log(database, "hung")]
    assert len(errors) == 3 and all("timed out" in error.lower() for error in errors), errors


def test_a_job_that_cannot_start_stops_neither_the_feeding_nor_the_spider(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = databases.open()
    broker = Broker(queue)
    serving = Serving(database, site, redis_server, broker)

    async def scenario() -> None:
        serving.start()
        await serving.until(serving.idle, "the spider to be idle")
        queue.push(["broken"])
        await serving.until(lambda: len(broker.begun) == 1, "the broken job to be claimed")
        queue.push(["fast"])  # taken by the feeding loop, which must have survived the error
        await serving.until(lambda: "fast" in broker.done_at, "the next job")
        assert serving.spider()._feeding.running  # not only scrapy-redis's idle signal, every 5 s
        await serving.stop()

    run_on_reactor(scenario())

    assert "could not take crawl jobs" in caplog.text and "the database is away" in caplog.text
    assert len(articles(database)) == ENTRIES


def test_a_slot_freed_by_a_crawls_end_takes_the_next_job_at_once(
    databases: Databases,
    site: TestServer,
    redis_server: RedisServer,
    queue: RedisJobQueue,
    run_on_reactor: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("crawler.jobspider.FEED_SECONDS", 3600.0)  # only the crawl's end can take it
    database = databases.open()
    broker = Broker(queue)
    serving = Serving(database, site, redis_server, broker)

    async def scenario() -> None:
        serving.start()
        await serving.until(serving.idle, "the spider to be idle")
        queue.push(["hung", "fast", "busy"])  # two slots: busy waits for one
        await serving.until(lambda: site.count("/feeds/busy.xml") == 1, "busy's feed to be asked for")
        # hung's feed is still awaited (it times out after DOWNLOAD_TIMEOUT): the spider was never idle.
        assert serving.spider().ledger["hung"].outcome is None
        await serving.until(lambda: "hung" in broker.done_at, "the hung crawl")
        await serving.stop()

    run_on_reactor(scenario())

    assert [job.source for job in broker.begun] == ["hung", "fast", "busy"]


def test_sources_of_every_type_are_crawled_each_by_its_own_spiders_rules(
    databases: Databases, redis_server: RedisServer, queue: RedisJobQueue, run_on_reactor: Run
) -> None:
    database = databases.open()
    broker = Broker(queue, slots=3)
    with TestServer(directory=SITE) as server:
        server.set(
            "/news.xml", body=fill("news-sitemap.xml", server.base_url, datetime.now(UTC)), headers=XML
        )
        courier = HtmlOptions(selectors=Selectors.model_validate(CSS))
        sources = (
            CrawlSource("courier", "html", server.url("/html/"), language="en", options=courier),
            CrawlSource("post", "sitemap", server.url("/news.xml")),
            CrawlSource("harbour", "feed", server.url("/en/atom.xml")),
        )
        ctx = CrawlContext(database=database, sources=sources, settings=TEST_SETTINGS)
        settings = {"REDIS_URL": redis_server.url, "REDIS_PARAMS": CONNECTION}
        service = CrawlService()

        async def scenario() -> None:
            serving = asyncio.ensure_future(service.serve(RedisJobSpider, ctx, settings, broker=broker))
            queue.push(["courier", "post", "harbour"])
            deadline = time.monotonic() + 60
            while len(broker.done_at) < 3:
                assert not serving.done() and time.monotonic() < deadline, broker.done_at
                await asyncio.sleep(0.05)
            await service.stop()
            await serving

        run_on_reactor(scenario())

    logs = {name: fetch_log(database, name) for name in ("courier", "post", "harbour")}
    assert {name: [(log.outcome, log.new_articles) for log in rows] for name, rows in logs.items()} == {
        "courier": [("ok", 3)],
        "post": [("ok", 4)],  # the sitemap's entries within two days
        "harbour": [("ok", len(articles(database)) - 7)],
    }
    stored = {a.url.removeprefix(server.base_url): a for a in articles(database)}
    # The html source's own selectors read its pages: its title is the h1, not the page's <title>.
    reservoir = stored["/html/2024/03/reservoir-levels.html"]
    assert reservoir.title == "Reservoir levels reach a ten-year high after a wet winter"
    assert len([url for url in stored if url.startswith(NEWS)]) == 4
    assert len(articles(database)) > 7  # the feed's too
