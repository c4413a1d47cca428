"""The crawler role's long-lived spider on the Redis job queue, built on scrapy-redis's ``RedisMixin``.

One spider per worker process runs until the worker stops, serving sources
of every type (it is the feed, listing and sitemap spider at once; each
source's own spider says what its first request is). Its jobs come from
Redis through scrapy-redis's machinery, with newsmon's hooks in it:

* ``setup_redis`` connects with ``REDIS_URL`` (the config's ``queue:``) and
  ``REDIS_PARAMS``; ``fetch_data``, scrapy-redis's destructive pop, is
  replaced by the queue's lease claim (crawler.redisjobs), so a job taken by
  a worker that dies comes back;
* ``make_request_from_data`` turns a job's data (JSON, bytes or text) into
  the source's first requests: its document and its failed pages due again.
  Data that is no job is logged, escaped, and dropped; the spider goes on;
* feeding is continuous: on ``spider_idle`` (which never closes the spider:
  ``max_idle_time`` 0), as soon as a source's crawl ends, and every second,
  up to ``crawl.parallel_sources`` sources at once.

A job is one source's crawl, as in a crawl of its own (crawler.serving):
when the fetch recorder has written it, the job ends (``JobBroker.done``):
the worker updates the source's health and marks the job done in Redis.

scrapy-redis's scheduler and duplicate filter are not used: they share page
requests between processes, where a source's pages must stay with the
worker that keeps its ledger and pending pages, and the filter would refuse
the page a killed worker had in flight when its job comes back. Articles are
known by their keys in the database (crawler.spiders.base); within a job,
by the keys being fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy_redis.spiders import RedisMixin
from twisted.internet import task

from crawler.errors import MalformedJobError, QueueError
from crawler.outcomes import SourceReport
from crawler.redisjobs import QUEUE_KEY, RedisJob, RedisJobQueue, Refused
from crawler.serving import ServingSpider
from db.models import utcnow

FEED_SECONDS = 1.0  # how often free slots ask Redis for jobs, besides idle signals and crawls ending
SHOWN_DATA = 200  # characters of a malformed job shown in the log


class JobBroker(Protocol):
    """The worker behind the spider: which jobs to crawl, what to do when one ends, Redis outages."""

    @property
    def holder(self) -> str: ...

    def capacity(self) -> int:
        """Sources crawled at once (``crawl.parallel_sources``); none while the worker stops."""
        ...

    def begin(self, job: RedisJob) -> bool:
        """False: the job is not to be crawled now (unknown source, backing off…); it is dealt with."""
        ...

    def done(self, job: RedisJob) -> None:
        """The source's crawl is recorded."""
        ...

    def failing(self, error: Exception, then: str) -> None: ...

    def answering(self) -> None: ...


class RedisJobSpider(RedisMixin, ServingSpider):  # type: ignore[misc]
    name = "redis-jobs"
    max_idle_time = 0  # scrapy-redis: idle forever, never close

    broker: JobBroker
    queue: RedisJobQueue

    def __init__(self, *args: Any, broker: JobBroker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.broker = broker
        self._jobs: dict[str, RedisJob] = {}
        self._feeding = task.LoopingCall(self.schedule_next_requests)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RedisJobSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, RedisJobSpider)
        spider.ledger.on_slot_free = spider._crawled
        spider.redis_key = QUEUE_KEY
        spider.redis_batch_size = spider.broker.capacity()
        spider.setup_redis(crawler)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def setup_redis(self, crawler: Crawler | None = None) -> None:
        super().setup_redis(crawler)
        url: str = self.settings["REDIS_URL"]
        self.queue = RedisJobQueue(url, client=self.server)
        # scrapy-redis pops its list (LRANGE + LTRIM): a worker killed after it would lose those jobs.
        self.fetch_data = self._claim
        self.count_size = self._waiting

    async def start(self) -> Any:
        # Scrapy 2.13+ calls start(), no longer scrapy-redis's start_requests(): the first jobs, now.
        for request in self.next_requests():
            yield request

    # ------------------------------------------------------------ scrapy-redis's hooks

    def _claim(self, key: str, batch_size: int) -> list[bytes]:
        free = min(batch_size, self.broker.capacity() - self.ledger.unfinished())
        if free <= 0:
            return []
        try:
            claimed = self.queue.claim(self.broker.holder, free, utcnow())
        except QueueError as exc:
            self.broker.failing(exc, "trying again every second")
            return []
        self.broker.answering()
        data: list[bytes] = []
        for job in claimed:
            if isinstance(job, Refused):
                self._refuse(job.entry, "not a crawl job")
            else:
                data.append(job.data())
        return data

    def next_requests(self) -> Iterator[Request]:
        # scrapy-redis's own logs every request it starts at INFO ("start req url:…"): a line per job
        # and per failed page asked again, where a crawl has its report line (crawler.runner.log_report).
        for data in self.fetch_data(self.redis_key, self.redis_batch_size):
            yield from self.make_request_from_data(data)

    def _waiting(self, key: str) -> int:
        try:
            return self.queue.waiting()
        except QueueError:
            return 0  # the claim that follows says so, once per outage

    def make_request_from_data(self, data: bytes | str) -> list[Request]:
        try:
            job = RedisJob.from_data(data)
        except MalformedJobError as exc:
            self._refuse(data, str(exc))
            return []
        if job.source in self._jobs or not self.broker.begin(job):
            return []
        source = self.context.source(job.source)
        if source is None:
            return []  # the broker drops a job for a source not in this configuration
        self._jobs[job.source] = job
        return self.first_requests(source, self.begin_sources([source]))

    def _refuse(self, data: bytes | str, why: str) -> None:
        shown = data if isinstance(data, bytes) else data.encode("utf-8", "backslashreplace")
        # %r of bytes escapes control characters and non-ASCII: nothing from Redis reaches the terminal raw.
        self.logger.error(
            "crawl job dropped: %s: %r%s", why, shown[:SHOWN_DATA], "…" if len(shown) > SHOWN_DATA else ""
        )

    # ------------------------------------------------------------ the end of a source's crawl

    def _opened(self, spider: Any) -> None:
        self._feeding.start(FEED_SECONDS, now=False)

    def _crawled(self, source: str) -> None:
        """A source's document and pages are done (recorded within seconds): its slot takes the next job."""
        self.schedule_next_requests()

    def _closed(self, spider: Any, reason: str) -> None:
        if self._feeding.running:
            self._feeding.stop()

    def serving(self, source: str) -> bool:
        return source in self._jobs

    def source_ended(self, source: str, report: SourceReport) -> None:
        self.broker.done(self._jobs.pop(source))

    def schedule_next_requests(self) -> None:
        engine = self.crawler.engine
        if engine is None or not engine.running:
            return
        try:
            super().schedule_next_requests()
        except Exception:
            # Raised into the feeding loop it would stop it, into spider_idle it would close the spider.
            self.logger.exception("could not take crawl jobs; trying again")

    def jobs(self) -> Sequence[RedisJob]:
        """The jobs being crawled or recorded."""
        return list(self._jobs.values())
