"""Where the split roles' crawl jobs go: the database's ``crawl_jobs`` table, or Redis with ``queue:``.

Either way the schedule (each source's due time) is the database's, a job is
one crawl of one source, and the jobs of a worker that is gone come back:

* ``DatabaseQueue`` (the default): workers claim ``crawl_jobs`` rows with
  ``SKIP LOCKED`` (db/jobs.py); ``holders.reap`` makes a gone worker's jobs
  claimable again.
* ``RedisQueue``: each tick the scheduler hands the jobs it queued over to
  Redis and requeues those whose lease ended; each worker's long-lived
  scrapy-redis spider claims them there (crawler/jobspider.py,
  crawler/redisjobs.py), and the workers put back the Redis jobs of the gone
  holders ``holders.reap`` finds. The database then sees no claim traffic,
  only the schedule's one statement per tick.

A Redis that does not answer is a logged error, once per outage: the
scheduler's jobs wait in the database and the workers try again every
second; a job claimed from Redis survives a Redis restart (persistence on),
and is crawled again if its worker could not mark it done.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from crawler.errors import QueueError
from db import jobs
from db.holders import GoneHolder

if TYPE_CHECKING:
    from crawler.redisjobs import RedisJobQueue
    from db.engine import Database

log = logging.getLogger("newsmon.daemon")


class Claimed(Protocol):
    @property
    def source(self) -> str: ...

    @property
    def attempts(self) -> int: ...


class CrawlQueue(Protocol):
    """What the scheduler and crawler roles do with crawl jobs, whatever carries them (the claims are
    the worker's: ``DatabaseQueue.claim``, or the spider's on Redis)."""

    def hand_over(self, now: datetime) -> int:
        """Scheduler, each tick after queueing the due sources: move jobs to where workers claim them."""
        ...

    def renew(self, holder: str, running: Sequence[Claimed], now: datetime) -> None: ...

    def finish(self, job: Claimed, holder: str) -> None: ...

    def take_back(self, gone: Sequence[GoneHolder]) -> Counter[str]:
        """Make the jobs of gone holders (``holders.reap`` found them) claimable again; count per holder."""
        ...

    def hand_back(self, holder: str) -> None:
        """A worker stopping: its unfinished jobs are claimable at once."""
        ...

    def describe(self) -> str:
        """Where the jobs are (``the database``, ``Redis at …``), for the log: never with a password."""
        ...

    def close(self) -> None: ...


def open_queue(database: Database, url: str | None) -> CrawlQueue:
    """The queue the configuration names: Redis at ``url``, else the database's table."""
    if url is None:
        return DatabaseQueue(database)
    from crawler.redisjobs import RedisJobQueue

    return RedisQueue(database, RedisJobQueue(url), url)


class DatabaseQueue:
    def __init__(self, database: Database) -> None:
        self.database = database

    def hand_over(self, now: datetime) -> int:
        return 0  # the workers claim the table's rows themselves

    def claim(self, holder: str, limit: int, now: datetime) -> Sequence[Claimed]:
        return jobs.claim(self.database, holder, limit, now)

    def renew(self, holder: str, running: Sequence[Claimed], now: datetime) -> None:
        jobs.renew(self.database, holder, now)

    def finish(self, job: Claimed, holder: str) -> None:
        assert isinstance(job, jobs.Job)
        jobs.finish(self.database, job, holder)

    def take_back(self, gone: Sequence[GoneHolder]) -> Counter[str]:
        return Counter({holder.holder_id: holder.jobs for holder in gone})  # reap released them

    def hand_back(self, holder: str) -> None:
        return None  # holders.unregister releases them

    def describe(self) -> str:
        return "the database"

    def close(self) -> None:
        return None


class RedisQueue:
    def __init__(self, database: Database, redis: RedisJobQueue, url: str) -> None:
        self.database = database
        self.redis = redis
        self.url = url  # with its password: for the spider's scrapy-redis connection only
        self._failing = False

    def hand_over(self, now: datetime) -> int:
        try:
            handed = jobs.hand_over(self.database, self.redis.push)
            back = self.redis.requeue_expired(now)
        except QueueError as exc:
            self.failing(exc, "the due sources wait in the database until it answers")
            return 0
        self.answering()
        for job in back:
            log.warning("source %s: its crawler's lease ended (gone or hung): queued again", job.source)
        return handed

    def renew(self, holder: str, running: Sequence[Claimed], now: datetime) -> None:
        try:
            self.redis.renew(holder, [job.source for job in running], now)
        except QueueError as exc:
            self.failing(exc, "the crawls go on; their jobs come back if the lease ends meanwhile")

    def finish(self, job: Claimed, holder: str) -> None:
        try:
            self.redis.finish(holder, job.source)
        except QueueError as exc:
            self.failing(exc, f"source {job.source} will be crawled again when its lease ends")

    def take_back(self, gone: Sequence[GoneHolder]) -> Counter[str]:
        try:
            back = self.redis.release([holder.holder_id for holder in gone])
        except QueueError as exc:
            self.failing(exc, "the jobs of the workers gone come back when their lease ends")
            return Counter()
        return Counter(job.holder for job in back)

    def hand_back(self, holder: str) -> None:
        try:
            self.redis.release([holder])
        except QueueError as exc:
            self.failing(exc, "the unfinished jobs come back when their lease ends")

    def describe(self) -> str:
        return f"Redis at {self.redis.shown}"

    def close(self) -> None:
        self.redis.close()

    def failing(self, error: Exception, then: str) -> None:
        if not self._failing:
            log.error("%s; %s", error, then)
            self._failing = True

    def answering(self) -> None:
        if self._failing:
            log.info("crawl queue %s answers again", self.redis.shown)
            self._failing = False
