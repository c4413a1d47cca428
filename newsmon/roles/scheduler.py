"""`newsmon run --role scheduler`: queue the sources due as crawl jobs (db/jobs.py).

One scheduler leads: the one holding the daemon's lock (db/locks.py, a
session-level PostgreSQL advisory lock on a connection kept open), which also
keeps a whole daemon (``--role all``) off the same database. Any other
scheduler stands by and tries again every second: when the leader dies its
connection closes, the server drops the lock, and a standby leads within
seconds, going on from the sources' stored ``next_run``.

The leader also prunes daily (``retention:``), as the whole daemon does.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from db import locks
from db.errors import LockHeldError
from db.jobs import Poll, plan_schedule, queue_due
from db.models import utcnow
from newsmon.polling import poll_interval
from newsmon.roles.queues import open_queue
from newsmon.roles.stopping import sleep_unless, stop_on_signals

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

    from newsmon.config import SourceConfig
    from newsmon.wiring import App

log = logging.getLogger("newsmon.daemon")

TICK_SECONDS = 1.0
STANDBY_SECONDS = 1.0
STAGGER = timedelta(seconds=0.2)  # between first runs, so a start does not fire every source at once
MAX_STAGGER = timedelta(seconds=30)
PRUNE_EVERY = timedelta(days=1)
PRUNE_FIRST_DELAY = timedelta(minutes=5)


def run_scheduler(app: App) -> int:
    return asyncio.run(Scheduler(app).run())


class Schedule:
    """How the configuration's enabled sources are polled, and a cron source's next run."""

    def __init__(self, sources: tuple[SourceConfig, ...], rng: random.Random | None = None) -> None:
        self.sources = {s.name: s for s in sources if s.enabled}
        self.rng = rng or random.Random()
        self._cron: dict[str, CronTrigger] = {}

    def polls(self, now: datetime) -> dict[str, Poll]:
        return {
            name: Poll(
                first_run=now + min(STAGGER * index, MAX_STAGGER),
                latest=now + poll_interval(source) + source.jitter,
                every=source.every,
                jitter=source.jitter,
            )
            for index, (name, source) in enumerate(self.sources.items())
        }

    def next_cron_run(self, name: str, now: datetime) -> datetime | None:
        source = self.sources.get(name)
        if source is None or source.cron is None:
            return None
        trigger = self._cron.get(name)
        if trigger is None:
            from apscheduler.triggers.cron import CronTrigger

            trigger = self._cron[name] = CronTrigger.from_crontab(source.cron, timezone=UTC)
        fire: datetime | None = trigger.get_next_fire_time(None, now + timedelta(microseconds=1))
        if fire is None:
            return None
        return fire + timedelta(seconds=self.rng.uniform(0, source.jitter.total_seconds()))


class Scheduler:
    def __init__(self, app: App, clock: Callable[[], datetime] = utcnow) -> None:
        self.app = app
        self.clock = clock
        self.schedule = Schedule(app.config.sources)
        self.queue = open_queue(app.database, app.config.queue)

    async def run(self) -> int:
        stop = stop_on_signals()
        while not stop.is_set():
            lock = await self._lead(stop)
            if lock is None:
                break
            try:
                await self._schedule(stop, lock)
            finally:
                lock.release()
        self.queue.close()
        log.info("stopped")
        return 0

    async def _lead(self, stop: asyncio.Event) -> locks.Lock | None:
        """The daemon's lock once this scheduler has it; None when told to stop first."""
        standing_by = False
        while not stop.is_set():
            try:
                lock = await asyncio.to_thread(locks.acquire, self.app.database, "run")
            except LockHeldError as exc:
                if not standing_by:
                    log.info("scheduler standing by: %s", exc.holder or "another scheduler leads")
                    standing_by = True
            except Exception:
                log.exception("could not ask for the scheduler lock; trying again")
            else:
                return lock
            await sleep_unless(stop, STANDBY_SECONDS)
        return None

    async def _schedule(self, stop: asyncio.Event, lock: locks.Lock) -> None:
        database = self.app.database
        now = self.clock()
        replanned = await asyncio.to_thread(plan_schedule, database, self.schedule.polls(now))
        log.info(
            "newsmon scheduler leads: %d sources (%d newly planned), crawl jobs to %s",
            len(self.schedule.sources),
            replanned,
            self.queue.describe(),
        )
        prune_at = now + PRUNE_FIRST_DELAY
        while not stop.is_set():
            if not await asyncio.to_thread(lock.held):
                log.error("lost the scheduler lock (connection to the database lost): standing by")
                return
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed; trying again")
            if self.clock() >= prune_at:
                from newsmon.daemon import prune_logged

                await prune_logged(self.app, self.clock(), keep_going=lambda: not stop.is_set())
                prune_at = self.clock() + PRUNE_EVERY
            await sleep_unless(stop, TICK_SECONDS)

    async def tick(self) -> int:
        """Queue the sources due now; how many were due."""
        now = self.clock()
        started = time.perf_counter()
        due = await asyncio.to_thread(
            queue_due, self.app.database, now, lambda name: self.schedule.next_cron_run(name, now)
        )
        await asyncio.to_thread(self.queue.hand_over, now)
        if due:
            log.info("%d sources due, queued in %.0f ms", due, (time.perf_counter() - started) * 1000)
        return due
