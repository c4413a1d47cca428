"""The one daemon process: one asyncio loop running Scrapy's asyncio reactor,
an APScheduler 3 ``AsyncIOScheduler`` and one long-lived crawl service, whose
one spider is handed each source as it falls due (crawler.duespider).

Why this shape (STACK-NOTES): a CrawlerProcess per job dies with
ReactorNotRestartable; Scrapy breaks in APScheduler's thread pool, so jobs are
coroutines; a cancelled crawl is left half-alive, so crawls are shielded and a
stop goes pause scheduler → stop the runner (in-flight requests finish,
pipelines close) → shut the scheduler down.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from alerts.delivery import Deliverer, RetryPolicy
from crawler.reactor import run as run_on_reactor_loop
from db import jobs, locks
from db.models import utcnow
from db.outbox import pending_count
from db.retention import PruneReport, prune
from db.store import set_next_runs
from newsmon.gathering import Gathered
from newsmon.polling import ENDS_WINDOW, SourcePoller

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from alerts.notifiers.base import Notifier
    from newsmon.config import SourceConfig
    from newsmon.wiring import App

log = logging.getLogger("newsmon.daemon")

# Bounded by DOWNLOAD_TIMEOUT in practice; this is the last resort.
STOP_GRACE_SECONDS = 40.0
PRUNE_JOB = "newsmon:prune"  # not a valid source name, so never a source's job id
PRUNE_EVERY = timedelta(days=1)
PRUNE_FIRST_DELAY = timedelta(minutes=5)
# Sources falling due this close together start together: one read of their health, one opening of
# their validators, one write of their outcomes and next runs (the first runs are 0.2 s apart).
GATHER = timedelta(seconds=1)
NextRun = tuple[str, datetime | None]


def run_on_reactor(main: Callable[[], Awaitable[int]]) -> int:
    """Run ``main`` on the reactor's loop, then let the process exit.

    The reactor's thread pool (DNS lookups) is not daemonic: left running, it
    keeps a finished `newsmon crawl` alive forever.
    """
    try:
        return run_on_reactor_loop(main)
    finally:
        from twisted.internet import reactor

        pool = getattr(reactor, "threadpool", None)
        if pool is not None and pool.started and not pool.joined:
            pool.stop()


def retry_policy(app: App) -> RetryPolicy:
    delivery = app.config.delivery
    return RetryPolicy(
        retry_min=delivery.retry_min, retry_max=delivery.retry_max, give_up_after=delivery.give_up_after
    )


def deliverer_for(app: App, notifiers: dict[str, Notifier]) -> Deliverer:
    from zoneinfo import ZoneInfo

    return Deliverer(
        app.database,
        notifiers,
        retry_policy(app),
        per_webhook_interval=app.config.delivery.slack_rate.total_seconds(),
        timezone=ZoneInfo(app.config.timezone),
    )


async def _close(notifiers: dict[str, Notifier]) -> None:
    await asyncio.gather(*(n.aclose() for n in notifiers.values()), return_exceptions=True)


def crawl_once(app: App, source_names: list[str] | None, *, progress: bool = False) -> int:
    """`newsmon crawl`: one pass, then deliver what it raised. Failures stay pending; exit 0."""
    return run_on_reactor(lambda: _crawl_once(app, source_names, progress))


async def _crawl_once(app: App, source_names: list[str] | None, progress: bool) -> int:
    from crawler.runner import CrawlService
    from newsmon.progress import CrawlProgress

    service = CrawlService()
    with CrawlProgress(enabled=progress) as bar:
        reports = await service.crawl(app.crawl_context(bar.update), source_names)
    notifiers = app.notifiers()
    try:
        report = await deliverer_for(app, notifiers).deliver_due()
    finally:
        await _close(notifiers)
    failing = [name for name, r in reports.items() if r.outcome == "error"]
    # Pending is what the outbox still holds, not only what this pass retried: deliveries
    # waiting out a backoff, deferred ones and those of unconfigured channels count too.
    pending = pending_count(app.database)
    # Held ones wait for their rule's digest, which the daemon (or a later crawl) sends when due.
    held = pending_count(app.database, held=True)
    print(
        f"crawled {len(reports)} sources ({len(failing)} failing), "
        f"{sum(r.new_articles for r in reports.values())} new articles; "
        f"alerts: {report.sent} sent, {pending} pending"
        + (f" ({held} held for digests)" if held else "")
        + f", {report.failed} failed",
        file=sys.stderr,
    )
    if not logging.getLogger("crawler.runner").isEnabledFor(logging.WARNING):
        # Each failure was logged once already, unless the log level hides warnings.
        for name in failing:
            print(f"  {name}: {reports[name].error}", file=sys.stderr)
    return 0


def run_daemon(app: App) -> int:
    """`newsmon run`: one per database; a second one raises LockHeldError naming the first."""
    lock = locks.acquire(app.database, "run")
    try:
        # Scheduled in this process from now on: a schedule left by a scheduler role goes.
        jobs.forget(app.database)
        return run_on_reactor(Daemon(app).run)
    finally:
        lock.release()


def prune_old(
    app: App, now: datetime, *, dry_run: bool = False, keep_going: Callable[[], bool] = lambda: True
) -> PruneReport:
    """Apply the config's ``retention:`` as of ``now`` (`newsmon prune`, and the daemon daily)."""
    retention = app.config.retention

    def before(keep: timedelta) -> datetime | None:
        return now - keep if keep > timedelta(0) else None  # 0 keeps forever

    return prune(
        app.database,
        articles_before=before(retention.articles),
        fetch_log_before=before(retention.fetch_log),
        dry_run=dry_run,
        keep_going=keep_going,
    )


async def prune_logged(app: App, now: datetime, *, keep_going: Callable[[], bool]) -> PruneReport:
    """The daily prune; a failure is logged and tried again the next day."""
    try:
        # Plain database work: off the loop, in short batches, so crawls and deliveries go on.
        # A stop ends it between two batches.
        report = await asyncio.to_thread(prune_old, app, now, keep_going=keep_going)
    except Exception as exc:  # noqa: BLE001 - pruning must never stop the daemon
        log.warning("prune failed (retried in %s): %s", PRUNE_EVERY, exc)
        return PruneReport()
    if report != PruneReport():
        log.info("pruned %s", report)
    return report


class Daemon:
    def __init__(self, app: App, clock: Callable[[], datetime] = utcnow) -> None:
        self.app = app
        self.clock = clock
        self.stop = asyncio.Event()
        self.wake = asyncio.Event()
        self._polling: set[asyncio.Task[Any]] = set()  # the scheduler's jobs running a poll
        # Polls ending close together (newsmon.polling) write their next runs in one statement.
        self._next_runs: Gathered[NextRun, None] = Gathered(self._set_next_runs, ENDS_WINDOW)

    async def run(self) -> int:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._request_stop, signum)
        notifiers = self.app.notifiers()
        self._crawling(notifiers)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        self._schedule(scheduler)
        scheduler.start()
        delivery = asyncio.create_task(deliverer_for(self.app, notifiers).run(self.stop, self.wake))
        log.info(
            "newsmon daemon started: %d sources, %d rules",
            len(self.context.sources),
            len(self.app.config.rules),
        )
        await self.stop.wait()
        log.info("stopping: finishing in-flight work")
        scheduler.pause()
        await self.service.stop()
        if self.poller.inflight:
            await asyncio.wait(self.poller.inflight, timeout=STOP_GRACE_SECONDS)
        if self._polling:
            # Polls still gathering start no crawl now: they end at once rather than be cancelled.
            await asyncio.wait(self._polling, timeout=STOP_GRACE_SECONDS)
        await asyncio.wait({delivery}, timeout=STOP_GRACE_SECONDS)
        scheduler.shutdown(wait=False)
        await _close(notifiers)
        log.info("stopped")
        return 0

    def _crawling(self, notifiers: dict[str, Notifier]) -> None:
        """The crawl service and the poller handing each due source to its one spider."""
        from crawler.duespider import DueCrawls
        from crawler.runner import CrawlService

        self.service = CrawlService()
        self.context = self.app.crawl_context()
        # A crawl per source cost about 8 times the CPU of an unchanged feed shared with others.
        crawls = DueCrawls(self.service, self.context)
        self.poller = SourcePoller(
            self.app,
            self.service,
            self.context,
            notifiers,
            self.wake.set,
            crawl_one=crawls.crawl,
            gather=GATHER,
        )

    def _request_stop(self, signum: int) -> None:
        log.info("received %s", signal.Signals(signum).name)
        self.stop.set()

    def _schedule(self, scheduler: AsyncIOScheduler) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        now = datetime.now(UTC)
        first_runs: dict[str, datetime | None] = {}
        for index, source in enumerate(self.context.sources):
            config = self.app.config.source(source.name)
            # Stagger the first runs so a restart does not fire every source in the same second.
            first = now + timedelta(seconds=min(index * 0.2, 30))
            scheduler.add_job(
                self._crawl_source,
                trigger_for(config),
                args=[source.name],
                id=source.name,
                name=f"crawl {source.name}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=first,
            )
            first_runs[source.name] = first
        set_next_runs(self.app.database, first_runs)
        scheduler.add_job(
            self.prune,
            IntervalTrigger(seconds=PRUNE_EVERY.total_seconds(), timezone=UTC),
            id=PRUNE_JOB,
            name="prune",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            # Soon after start too: a daemon restarted more often than daily still prunes.
            next_run_time=now + PRUNE_FIRST_DELAY,
        )
        self.scheduler = scheduler

    async def prune(self) -> PruneReport:
        return await prune_logged(self.app, self.clock(), keep_going=lambda: not self.stop.is_set())

    async def _crawl_source(self, name: str) -> None:
        if self.stop.is_set():
            return
        if (job := asyncio.current_task()) is not None:
            self._polling.add(job)
            job.add_done_callback(self._polling.discard)
        if await self.poller.poll(name) is not None:
            return  # waiting out a back-off: its next run is set
        job = self.scheduler.get_job(name)
        if job is not None and not self.stop.is_set():
            await self._next_runs((name, job.next_run_time))

    def _set_next_runs(self, runs: Iterable[NextRun]) -> dict[NextRun, None]:
        set_next_runs(self.app.database, dict(runs))
        return {}  # nothing to answer: written


def trigger_for(source: SourceConfig) -> Any:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    jitter = source.jitter.total_seconds() if source.jitter else None
    if source.cron:
        return CronTrigger.from_crontab(source.cron, timezone=UTC, jitter=jitter)
    assert source.every is not None
    return IntervalTrigger(seconds=source.every.total_seconds(), jitter=jitter, timezone=UTC)
