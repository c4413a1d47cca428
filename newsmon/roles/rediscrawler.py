"""`newsmon run --role crawler` with ``queue: redis://…``: one long-lived scrapy-redis spider claims the jobs.

The worker runs ``RedisJobSpider`` (crawler/jobspider.py) until it stops
and is the spider's ``JobBroker``: it says whether a claimed job is crawled
(the checks of every crawler role, then the source's back-off), keeps the
jobs held for the heartbeat's lease renewal, and when a source's crawl is
recorded updates its health and marks the job done in Redis. The rest is
``CrawlWorker``'s: the holder's registration and heartbeat, the jobs of
gone workers taken back, the stop that hands unfinished jobs back.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from crawler.redisjobs import CONNECTION, RedisJob
from db.health import Health, health
from db.jobs import postpone
from newsmon.daemon import STOP_GRACE_SECONDS
from newsmon.roles.crawler import REAP_EVERY, CrawlWorker
from newsmon.roles.queues import Claimed, RedisQueue

if TYPE_CHECKING:
    from crawler.runner import CrawlService
    from newsmon.polling import SourcePoller
    from newsmon.wiring import App

log = logging.getLogger("newsmon.daemon")

RESTART_SECONDS = 1.0  # before the spider starts again after it ended by itself


class RedisCrawlWorker(CrawlWorker):
    queue: RedisQueue

    def __init__(self, app: App, queue: RedisQueue) -> None:
        super().__init__(app, queue)
        self.jobs: dict[str, tuple[RedisJob, Health | None]] = {}  # being crawled: health before
        self._settling: set[asyncio.Task[None]] = set()
        self._serving: asyncio.Future[None] | None = None

    async def _work(self, poller: SourcePoller, service: CrawlService) -> None:
        from crawler.jobspider import RedisJobSpider

        self.poller = poller
        settings = {"REDIS_URL": self.queue.url, "REDIS_PARAMS": CONNECTION}
        while not self.stop.is_set():
            if self._serving is None or self._serving.done():
                if self._serving is not None:
                    self._ended(self._serving)
                    await asyncio.sleep(RESTART_SECONDS)
                self._serving = asyncio.ensure_future(
                    service.serve(RedisJobSpider, poller.context, settings, broker=self)
                )
            await self._idle(self._serving)
            if len(self.jobs) < self.slots and self.clock() - self._reaped >= REAP_EVERY:
                self._take_back()

    def _ended(self, serving: asyncio.Future[None]) -> None:
        error = serving.exception()
        log.error("the spider claiming crawl jobs ended (%r): starting it again", error, exc_info=error)
        self.jobs.clear()  # its crawls are over: their jobs are claimable again at once
        self.queue.hand_back(self.holder)

    async def _drain(self) -> None:
        waiting = {task for task in (self._serving, *self._settling) if task is not None}
        if waiting:
            await asyncio.wait(waiting, timeout=STOP_GRACE_SECONDS)

    def _held(self) -> list[Claimed]:
        return [job for job, _ in self.jobs.values()]

    # ------------------------------------------------------------ JobBroker (crawler/jobspider.py)

    def capacity(self) -> int:
        return 0 if self.stop.is_set() else self.slots

    def begin(self, job: RedisJob) -> bool:
        if not self._crawlable(self.poller, job):
            self._finish(job)
            return False
        if (backing_off := self.poller.backing_off(job.source)) is not None:
            postpone(self.app.database, job.source, backing_off)
            self._finish(job)
            return False
        self.jobs[job.source] = (job, health(self.app.database, job.source))
        return True

    def done(self, job: RedisJob) -> None:
        _, before = self.jobs.pop(job.source, (job, None))
        settling = asyncio.ensure_future(self._settle(job, before))
        self._settling.add(settling)
        settling.add_done_callback(self._settling.discard)

    def failing(self, error: Exception, then: str) -> None:
        self.queue.failing(error, then)

    def answering(self) -> None:
        self.queue.answering()

    async def _settle(self, job: RedisJob, before: Health | None) -> None:
        try:
            await self.poller.crawled(job.source, before)
        except Exception:
            log.exception("could not update the health of source %s", job.source)
        if not self.stop.is_set():  # cut short: handed back as the worker stops
            self._finish(job)
        self.wake.set()

    def _finish(self, job: RedisJob) -> None:
        try:
            self.queue.finish(job, self.holder)
        except Exception:
            log.exception("could not mark the crawl job of %s done; it will be crawled again", job.source)
