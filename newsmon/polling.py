"""One poll of one source, as the daemon and the crawler role both run it.

A failing source waits out its back-off; a crawl is shielded from
cancellation (a cancelled crawl never closes its pipelines); afterwards the
source's staleness is updated, and a change of health (failing, stale,
recovered) is logged and sent to the ``health.channel``. The crawl itself is
``crawl_one``: the daemon's hands the source to its long-lived spider
(crawler.duespider); by default, a crawl of its own.

Each poll reads its source's health before and after its crawl. Polls are
tasks of their own, but those falling due within ``gather`` of one another
read their health before in one statement, and so hand their sources to the
spider together (one opening of their validators and failed pages); those
whose crawls end within ``ENDS_WINDOW`` of one another read it after in one
statement (newsmon.gathering): sources handed over together are recorded
together, but their ends reach the polls over a few turns of the loop (a
source that finishes before the spider has begun the others is recorded
alone). A read per poll cost about 0.4 ms of CPU each way,
where an unchanged feed costs the crawl about 2.5 ms.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from db.health import Health, backoff_until, health, healths, update_staleness
from db.store import set_next_run
from newsmon.gathering import Gathered

if TYPE_CHECKING:
    from alerts.notifiers.base import Notifier
    from crawler.context import CrawlContext
    from crawler.runner import CrawlService
    from newsmon.config import SourceConfig
    from newsmon.wiring import App

log = logging.getLogger("newsmon.daemon")

ENDS_WINDOW = 0.05  # seconds: crawls ending this close together read their health after in one statement


class SourcePoller:
    """Polls sources through one crawl service; ``on_crawled`` runs after each crawl (new alerts)."""

    def __init__(
        self,
        app: App,
        service: CrawlService,
        context: CrawlContext,
        notifiers: Mapping[str, Notifier],
        on_crawled: Callable[[], None] = lambda: None,
        crawl_one: Callable[[str], Awaitable[object]] | None = None,
        gather: timedelta = timedelta(0),
    ) -> None:
        """``gather``: how long a poll may wait for others falling due, to start with them."""
        self.app = app
        self.service = service
        self.context = context
        self.notifiers = notifiers
        self.on_crawled = on_crawled
        self.crawl_one = crawl_one or self._crawl_alone
        self.inflight: set[asyncio.Future[Any]] = set()
        read = functools.partial(healths, app.database)
        self._before = Gathered(read, gather.total_seconds())
        self._after = Gathered(read, ENDS_WINDOW if gather else 0.0)

    async def poll(self, name: str) -> datetime | None:
        """Crawl ``name``; or, while it waits out a back-off, return when that ends (its next run)."""
        before = await self._before(name)
        if (wait_until := self._backoff(name, before)) is not None:
            return wait_until
        try:
            crawl = asyncio.ensure_future(self.crawl_one(name))  # a future stays itself, a coroutine is run
            self.inflight.add(crawl)
            crawl.add_done_callback(self.inflight.discard)
            await asyncio.shield(crawl)
        except Exception:
            log.exception("crawl of %s failed", name)
        finally:
            self.on_crawled()
        await self.crawled(name, before)
        return None

    async def _crawl_alone(self, name: str) -> object:
        return await self.service.crawl(self.context, [name])

    def backing_off(self, name: str, state: Health | None = None) -> datetime | None:
        """While ``name`` waits out a back-off, when that ends (set as its next run); else None.

        ``state``: its health, when just read.
        """
        return self._backoff(name, state or health(self.app.database, name))

    def _backoff(self, name: str, state: Health | None) -> datetime | None:
        interval = poll_interval(self.app.config.source(name))
        cap = self.app.config.health.max_backoff
        wait_until = backoff_until(state, interval, cap)
        if wait_until is not None:
            set_next_run(self.app.database, name, wait_until)
        return wait_until

    async def crawled(self, name: str, before: Health | None) -> None:
        """After a crawl of ``name`` (its health ``before`` it): staleness, and a change of health said."""
        interval = poll_interval(self.app.config.source(name))
        database = self.app.database
        after = await self._after(name)
        # Only what changed is written: the daemon does this for every source it polls,
        # unchanged feeds included.
        factor = self.app.config.health.stale_factor
        if update_staleness(database, name, factor=factor, interval=interval, state=after):
            after = health(database, name)
        if before is not None and after is not None and before.status != after.status:
            await self._announce_health(name, before, after)

    async def _announce_health(self, name: str, before: Health, after: Health) -> None:
        """Say when a source turns failing or stale and when it recovers."""
        if before.status == "never" and after.status == "ok":
            return
        text = health_message(name, before, after)
        # The crawl's own line just gave the reason: the log says only what changed.
        log.warning("source %s is now %s (was %s)", name, after.status, before.status)
        channel = self.app.config.health.channel
        notifier = self.notifiers.get(channel) if channel else None
        if notifier is not None:
            try:
                await notifier.send_text(f"newsmon: source {name} is {after.status}", text)
            except Exception as exc:  # noqa: BLE001 - a health message must never stop the crawl
                log.warning("could not send the health message for %s to %s: %s", name, channel, exc)


def health_message(name: str, before: Health, after: Health) -> str:
    if after.status == "ok":
        return f"source {name} recovered (was {before.status})"
    detail = f": {after.last_error}" if after.last_error else ""
    failures = f" after {after.failures} consecutive failures" if after.status == "failing" else ""
    return f"source {name} is {after.status}{failures}{detail}"


def poll_interval(source: SourceConfig) -> timedelta:
    """The source's usual gap between polls (for a cron source, the gap after the next run)."""
    if source.every is not None:
        return source.every
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(source.cron or "0 * * * *", timezone=UTC)
    now = datetime.now(UTC)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    return (second - first) if first and second else timedelta(hours=1)
