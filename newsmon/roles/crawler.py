"""`newsmon run --role crawler`: claim crawl jobs and crawl their sources.

The jobs come from the database's ``crawl_jobs`` table (``CrawlWorker``,
here), or from Redis with ``queue: redis://…``, where a long-lived
scrapy-redis spider claims them (``RedisCrawlWorker``,
newsmon/roles/rediscrawler.py; newsmon/roles/queues.py).

A worker crawls up to ``crawl.parallel_sources`` sources at once, each with
the daemon's own poll (newsmon.polling: back-off, health, staleness) in the
daemon's one long-lived spider (crawler/duespider.py), and records what it
finds as `newsmon crawl` does. It claims as a registered
holder (db/holders.py): a heartbeat renews its jobs' lease, and the jobs of a
worker that is gone are claimable again at once, taken by an idle worker
within seconds; an article is stored once whoever crawls it (its keys).

A stop (SIGTERM) ends the crawls in flight as the daemon does; their jobs are
handed back unfinished rather than marked done, so another worker crawls
those sources again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from db import holders
from db.jobs import postpone
from db.models import utcnow
from db.store import FetchResult, record_fetch
from newsmon.daemon import STOP_GRACE_SECONDS, run_on_reactor
from newsmon.roles.queues import Claimed, CrawlQueue, DatabaseQueue, RedisQueue, open_queue
from newsmon.roles.stopping import stop_on_signals

if TYPE_CHECKING:
    from crawler.runner import CrawlService
    from newsmon.polling import SourcePoller
    from newsmon.wiring import App

log = logging.getLogger("newsmon.daemon")

IDLE_SECONDS = 1.0  # between claims while nothing is claimable
REAP_EVERY = timedelta(seconds=2)  # an idle worker looks this often for the jobs of workers gone
MAX_CLAIMS = 3  # a job lost this often (its crawler died each time) is dropped until the next poll


def run_crawler(app: App) -> int:
    queue = open_queue(app.database, app.config.queue)
    if isinstance(queue, RedisQueue):
        from newsmon.roles.rediscrawler import RedisCrawlWorker

        return run_on_reactor(RedisCrawlWorker(app, queue).run)
    assert isinstance(queue, DatabaseQueue)
    return run_on_reactor(CrawlWorker(app, queue).run)


class CrawlWorker:
    queue: CrawlQueue

    def __init__(self, app: App, queue: CrawlQueue, clock: Callable[[], datetime] = utcnow) -> None:
        self.app = app
        self.clock = clock
        self.slots = app.config.crawl.parallel_sources
        self.me = holders.ProcessIdentity.current()
        self.running: dict[asyncio.Task[None], Claimed] = {}
        self.queue = queue
        self.wake = asyncio.Event()
        self._reaped = datetime.min.replace(tzinfo=clock().tzinfo)

    async def run(self) -> int:
        from crawler.duespider import DueCrawls
        from crawler.runner import CrawlService
        from newsmon.polling import SourcePoller

        self.stop = stop_on_signals()
        service = CrawlService()
        notifiers = self.app.notifiers()
        context = self.app.crawl_context()
        # Claimed sources share one spider, as in the whole daemon (crawler/duespider.py).
        crawls = DueCrawls(service, context)
        poller = SourcePoller(self.app, service, context, notifiers, crawl_one=crawls.crawl)
        database = self.app.database
        self._take_back()
        self.holder = holders.register(database, self.me, self.clock())
        beating = asyncio.create_task(self._heartbeat(), name="newsmon-crawl-heartbeat")
        log.info(
            "newsmon crawler started: up to %d sources at once, crawl jobs from %s",
            self.slots,
            self.queue.describe(),
        )
        try:
            await self._work(poller, service)
            log.info("stopping: finishing in-flight crawls")
            await service.stop()
            await self._drain()
        finally:
            beating.cancel()
            # Unfinished jobs become claimable at once: another worker crawls those sources.
            try:
                self.queue.hand_back(self.holder)
            except Exception:
                log.exception("could not hand back the unfinished crawl jobs; their lease will end")
            holders.unregister(database, self.holder, self.clock())
            self.queue.close()
            await asyncio.gather(*(n.aclose() for n in notifiers.values()), return_exceptions=True)
        log.info("stopped")
        return 0

    async def _work(self, poller: SourcePoller, service: CrawlService) -> None:
        assert isinstance(self.queue, DatabaseQueue)
        while not self.stop.is_set():
            claimed: Sequence[Claimed] = []
            try:
                claimed = self.queue.claim(self.holder, self.slots - len(self.running), self.clock())
            except Exception:
                log.exception("could not claim crawl jobs; trying again")
            for job in claimed:
                task = asyncio.create_task(self._crawl(poller, job), name=f"newsmon-crawl-{job.source}")
                self.running[task] = job
                task.add_done_callback(self._done)
            if not claimed and len(self.running) < self.slots and self.clock() - self._reaped >= REAP_EVERY:
                self._take_back()
            if claimed and len(self.running) < self.slots:
                continue  # more may be waiting
            await self._idle()

    async def _idle(self, *until: asyncio.Future[Any]) -> None:
        """Wait a second, or less when woken, stopped, or one of ``until`` is done."""
        self.wake.clear()
        stopping = asyncio.ensure_future(self.stop.wait())
        woken = asyncio.ensure_future(self.wake.wait())
        await asyncio.wait(
            {stopping, woken, *until}, timeout=IDLE_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        stopping.cancel()
        woken.cancel()

    async def _drain(self) -> None:
        """After ``service.stop()``: the crawls cut short end."""
        if self.running:
            await asyncio.wait(set(self.running), timeout=STOP_GRACE_SECONDS)

    def _held(self) -> list[Claimed]:
        """The jobs this worker holds, whose lease its heartbeat renews."""
        return list(self.running.values())

    def _done(self, task: asyncio.Task[None]) -> None:
        self.running.pop(task, None)
        self.wake.set()

    async def _crawl(self, poller: SourcePoller, job: Claimed) -> None:
        if self._crawlable(poller, job):
            try:
                if (backing_off := await poller.poll(job.source)) is not None:
                    postpone(self.app.database, job.source, backing_off)
            except Exception:
                log.exception("crawl of %s failed", job.source)
        if self.stop.is_set():
            return  # cut short: handed back as the worker stops, crawled again by another worker
        try:
            self.queue.finish(job, self.holder)
        except Exception:
            log.exception("could not mark the crawl job of %s done; it will be crawled again", job.source)

    def _crawlable(self, poller: SourcePoller, job: Claimed) -> bool:
        """False for a job not to be crawled: its source is not enabled, or it was lost too often."""
        if job.source not in {s.name for s in poller.context.sources}:
            log.warning(
                "crawl job for source %s dropped: not an enabled source in this configuration", job.source
            )
            return False
        if job.attempts > MAX_CLAIMS:
            # A source whose crawl kills its crawler (memory, a crash) must not take every crawler down.
            error = (
                f"source {job.source}: skipped until it is due again: its crawl was lost "
                f"{job.attempts - 1} times in a row (the crawler died during it)"
            )
            log.error("%s", error)
            record_fetch(self.app.database, job.source, FetchResult(outcome="error", error=error))
            return False
        if job.attempts > 1:
            log.info(
                "source %s: crawling again a job a stopped worker left (claim %d)", job.source, job.attempts
            )
        return True

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(holders.HEARTBEAT_EVERY.total_seconds())
            now = self.clock()
            try:
                holders.beat(self.app.database, self.holder, now)
                self.queue.renew(self.holder, self._held(), now)
            except Exception:
                log.exception("could not renew the crawl jobs' lease")
            self._take_back()

    def _take_back(self) -> None:
        """Make the jobs (and delivery claims) of gone workers claimable now."""
        self._reaped = self.clock()
        try:
            gone = holders.reap(self.app.database, self.me, self._reaped)
        except Exception:
            log.exception("could not look for the crawl jobs of stopped workers")
            return
        try:
            taken = self.queue.take_back(gone) if gone else Counter[str]()
        except Exception:
            log.exception("could not put back the crawl jobs of stopped workers; their lease will end")
            return
        for holder in gone:
            if taken[holder.holder_id]:
                log.warning(
                    "%s is gone: its %d crawl job(s) are claimable again",
                    holder.identity.describe(),
                    taken[holder.holder_id],
                )
        if any(taken.values()):
            self.wake.set()
