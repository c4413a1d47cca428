"""The daemon's long-lived spider: the scheduler hands it each source as it falls due.

A Scrapy crawl per due source meant a new crawler each time (engine,
middlewares, connections, DNS look-ups): about 8 times the CPU of the fetch
itself for an unchanged (304) feed. Instead one spider runs as long as the
daemon, as the crawler role's does on Redis (crawler/jobspider.py). Its
``start()`` never ends: it takes the next due source as soon as the pacer
lets it (crawler.spiders.pacing), so that sources due together share the
transfer slots, kept-alive connections and each host's politeness, and the
queue stays small when a thousand fall due at once.

Each source is still a crawl of its own (crawler.serving): ``crawl(name)``
returns its report once that crawl is recorded. The spider is started with
the first due source, and again after it ended by itself (an error): the
sources it was crawling then are recorded as crawls that did not run. Once
the crawl service stops, sources are no longer crawled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Request

from crawler.context import CrawlContext, CrawlSource
from crawler.outcomes import SourceReport
from crawler.runner import CrawlService, record_not_run
from crawler.serving import ServingSpider
from crawler.spiders.base import select_sources

logger = logging.getLogger(__name__)


class DueSourceSpider(ServingSpider):
    name = "due-sources"

    def __init__(self, *args: Any, due: DueCrawls, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.due = due
        self._begun: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        while True:
            due = await self.due.next()
            self._begun.update(source.name for source in due)
            # Sources due together are opened together: one read of their validators and failed pages.
            retries = self.begin_sources(due)
            for source in due:
                await self.pacer.next()
                for request in self.first_requests(source, retries):
                    yield request

    def serving(self, source: str) -> bool:
        return source in self._begun

    def source_ended(self, source: str, report: SourceReport) -> None:
        self._begun.discard(source)
        self.due.ended(source, report)


class DueCrawls:
    """The daemon's crawls, each due source handed to one long-lived ``DueSourceSpider``."""

    def __init__(self, service: CrawlService, context: CrawlContext) -> None:
        self.service = service
        self.context = context
        self._due: asyncio.Queue[CrawlSource] = asyncio.Queue()
        self._crawls: dict[str, asyncio.Future[SourceReport | None]] = {}
        self._serving: asyncio.Future[None] | None = None

    def crawl(self, name: str) -> asyncio.Future[SourceReport | None]:
        """Crawl source ``name``: its report once recorded; None when it was not crawled (a stop).

        A future, not a task: a poll waits on it shielded, and a task per due source would be
        one more thing alive through every fetch.
        """
        if (crawl := self._crawls.get(name)) is not None:
            return crawl  # a source is never crawled twice at once
        (source,) = select_sources(self.context, [name])
        loop = asyncio.get_running_loop()
        if self.service.stopping:
            logger.info("crawl of %s not started: the crawl service is stopping", name)
            crawl = loop.create_future()
            crawl.set_result(None)
            return crawl
        if self._serving is not None and self._serving.done():
            self._served(self._serving)  # its own call may not have come yet: before this source joins
        crawl = self._crawls[name] = loop.create_future()
        self._due.put_nowait(source)
        if self._serving is None:
            self._serving = asyncio.ensure_future(
                self.service.serve(DueSourceSpider, self.context, {}, due=self)
            )
            self._serving.add_done_callback(self._served)
        return crawl

    async def next(self) -> list[CrawlSource]:
        """For the spider: the next due source, and every other one waiting already."""
        due = [await self._due.get()]
        while not self._due.empty():
            due.append(self._due.get_nowait())
        return due

    def ended(self, name: str, report: SourceReport) -> None:
        """The spider recorded ``name``'s crawl."""
        crawl = self._crawls.pop(name, None)
        if crawl is not None and not crawl.done():
            crawl.set_result(report)

    def _served(self, serving: asyncio.Future[None]) -> None:
        """The spider ended: stopped with the service, or by an error. Crawls left unfinished end too."""
        if serving is not self._serving:
            return  # done already
        self._serving = None
        error = None if serving.cancelled() else serving.exception()
        stopped = self.service.stopping
        if not stopped:
            logger.error(
                "the daemon's spider ended (%r): the next due source starts it again", error, exc_info=error
            )
        while not self._due.empty():
            self._due.get_nowait()
        left, self._crawls = self._crawls, {}
        for name, crawl in left.items():
            report = None if stopped else record_not_run(self.context, name, error or "the spider ended")
            if not crawl.done():
                crawl.set_result(report)
