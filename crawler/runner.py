"""One long-lived crawler runner for the whole process.

A new ``CrawlerProcess`` per job fails on the second job
(``ReactorNotRestartable``); one ``AsyncCrawlerRunner`` on the process's
asyncio loop runs any number of crawls, several at once. Each ``crawl()``
is one pass over some sources: one Scrapy crawler per source type.

A crawling process runs Python's cyclic collector less often
(``tune_collector``): a crawl keeps thousands of requests in flight, and
each response leaves reference cycles behind (Twisted's Deferreds and
Failures; an unchanged feed's above all, crawler.middlewares). At Python's
default of a young collection every 700 allocations, the collector cost an
unchanged (304) feed about 0.5 ms of its 2 ms; every 10,000, about 0.12 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from scrapy import Spider
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.context import CrawlContext, CrawlSource
from crawler.outcomes import CrawlLedger, SourceReport
from crawler.reactor import ensure_reactor_running
from crawler.spiders import SPIDERS, spider_for
from crawler.spiders.base import select_sources
from db.store import FetchResult, SourceSpec, record_fetch, sync_sources

logger = logging.getLogger(__name__)

MAX_DOWNLOAD_TIMEOUT = 30.0
STOP_POLL_SECONDS = 0.05
YOUNG_COLLECTION_EVERY = 10_000  # allocations between two young collections in a crawling process
PYTHONS_THRESHOLD = gc.get_threshold()

__all__ = ["CrawlService", "SourceReport", "record_not_run"]


class CrawlService:
    """One long-lived crawler runner for the whole process (never a CrawlerProcess per job)."""

    def __init__(self, base_settings: Mapping[str, Any] | None = None) -> None:
        tune_collector()
        self._settings = Settings()
        self._settings.setmodule(default_settings, priority="project")
        if base_settings:
            self._settings.update(dict(base_settings), priority="cmdline")
        self._runner: AsyncCrawlerRunner | None = None
        self._busy: set[str] = set()
        self._stopping = False

    @property
    def stopping(self) -> bool:
        """``stop()`` was called: no crawl starts any more."""
        return self._stopping

    @property
    def runner(self) -> AsyncCrawlerRunner:
        if self._runner is None:
            self._runner = AsyncCrawlerRunner(self._settings)
        return self._runner

    async def crawl(
        self, context: CrawlContext, source_names: Sequence[str] | None = None
    ) -> dict[str, SourceReport]:
        """One pass over the named sources (all when None); each source's outcome is recorded.

        A source already being crawled by another call is skipped (outcome
        ``skipped``), so overlapping schedules never fetch a feed twice at once.
        """
        ensure_reactor_running()
        sources = select_sources(context, source_names)
        reports: dict[str, SourceReport] = {}
        if self._stopping:
            logger.info("crawl of %s not started: the crawl service is stopping", _names(sources))
            return reports
        by_spider: dict[type[Spider], list[CrawlSource]] = {}
        for source in sources:
            spidercls = spider_for(source.type)
            if source.name in self._busy:
                reports[source.name] = SourceReport(
                    source.name, source.url, outcome="skipped", error="already being crawled"
                )
            elif spidercls is None:
                reports[source.name] = self._unsupported(context, source)
            else:
                by_spider.setdefault(spidercls, []).append(source)
        crawlers = [(self._crawler(spidercls, context), group) for spidercls, group in by_spider.items()]
        names = {s.name for _, group in crawlers for s in group}
        self._busy |= names
        try:
            tasks = [
                self.runner.crawl(crawler, context=context, sources=[s.name for s in group])
                for crawler, group in crawlers
            ]
            # A cancelled caller (a scheduler shutting down) must not leave a crawl half-alive:
            # the crawls finish or are stopped by stop(), never cancelled midway.
            results = await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
        finally:
            self._busy -= names
        for (crawler, group), result in zip(crawlers, results, strict=True):
            if isinstance(result, BaseException):
                logger.error("crawl of %s failed: %r", _names(group), result, exc_info=result)
            reports.update(self._reports(context, crawler, group, result))
        return reports

    async def serve(
        self, spidercls: type[Spider], context: CrawlContext, settings: Mapping[str, Any], **kwargs: Any
    ) -> None:
        """Run one long-lived spider (crawler.serving) with these ``settings`` until ``stop()``."""
        if self._stopping:
            return
        ensure_reactor_running()
        crawler = self._crawler(spidercls, context)
        crawler.settings.update(dict(settings), priority="cmdline")
        await asyncio.shield(self.runner.crawl(crawler, context=context, **kwargs))

    async def stop(self) -> None:
        """Graceful stop: queued requests are dropped, in-flight ones finish, pipelines close.

        Scrapy stops only engines that already run: a crawl still opening its
        spider when the stop comes would go on to crawl everything. So engines
        are stopped as they start, until every crawl has ended.
        """
        self._stopping = True
        runner = self._runner
        if runner is None:
            return
        await runner.stop()
        while runner.crawlers:
            for crawler in list(runner.crawlers):
                engine = getattr(crawler, "_engine", None)
                if engine is not None and engine.running:
                    with contextlib.suppress(RuntimeError):
                        await engine.stop_async()
            await asyncio.sleep(STOP_POLL_SECONDS)
        await runner.join()

    def _crawler(self, spidercls: type[Spider], context: CrawlContext) -> Crawler:
        settings = self._settings.copy()
        if context.settings:
            settings.update(dict(context.settings), priority="cmdline")
        timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        if timeout > MAX_DOWNLOAD_TIMEOUT or timeout <= 0:
            # A graceful stop lasts about the slowest in-flight request.
            logger.warning("DOWNLOAD_TIMEOUT %s s is capped at %s s", timeout, MAX_DOWNLOAD_TIMEOUT)
            settings.set("DOWNLOAD_TIMEOUT", MAX_DOWNLOAD_TIMEOUT, priority="cmdline")
        return Crawler(spidercls, settings)

    def _reports(
        self, context: CrawlContext, crawler: Crawler, group: list[CrawlSource], result: object
    ) -> dict[str, SourceReport]:
        ledger = getattr(crawler.spider, "ledger", None)
        reports: dict[str, SourceReport] = dict(ledger.reports) if isinstance(ledger, CrawlLedger) else {}
        for source in group:
            if source.name not in reports:
                # The crawl failed before the spider could record anything (see the error logged above).
                reports[source.name] = record_not_run(context, source.name, result)
        try:
            stats = crawler.stats.get_stats()
        except RuntimeError:  # the crawler never got as far as creating its stats
            stats = {}
        _log_summary(group, reports, stats)
        return reports

    def _unsupported(self, context: CrawlContext, source: CrawlSource) -> SourceReport:
        known = ", ".join(SPIDERS)
        error = f"source {source.name}: no spider for sources of type {source.type!r} (known: {known})"
        sync_sources(context.database, [SourceSpec(source.name, source.type, source.url)])
        record_fetch(context.database, source.name, FetchResult(outcome="error", error=error))
        return SourceReport(source.name, source.url, outcome="error", error=error)


def tune_collector() -> None:
    """Young collections every ``YOUNG_COLLECTION_EVERY`` allocations, unless the process asked for
    fewer still; the older generations' thresholds are left as they are."""
    young, *older = gc.get_threshold()
    if young < YOUNG_COLLECTION_EVERY:
        gc.set_threshold(YOUNG_COLLECTION_EVERY, *older)


@contextlib.contextmanager
def pythons_collector() -> Iterator[None]:
    """Python's own collector thresholds for the time of a ``with`` block (the benchmarks' Scrapy
    floors, in a process that crawled)."""
    tuned = gc.get_threshold()
    gc.set_threshold(*PYTHONS_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*tuned)


def _names(sources: Sequence[CrawlSource]) -> str:
    return ", ".join(s.name for s in sources) or "no source"


def record_not_run(context: CrawlContext, source: str, why: object) -> SourceReport:
    """Record ``source``'s crawl as failed before its spider could record anything, ``why`` (logged)."""
    error = f"source {source}: the crawl did not run ({why!r})"
    crawl_source = context.source(source)
    try:
        record_fetch(context.database, source, FetchResult(outcome="error", error=error))
    except Exception:
        logger.exception("cannot record the fetch of source %s", source)
    return SourceReport(source, crawl_source.url if crawl_source else "", outcome="error", error=error)


def _log_summary(
    group: Sequence[CrawlSource], reports: Mapping[str, SourceReport], stats: Mapping[str, Any]
) -> None:
    """One line per crawl for the daemon's log, and a warning when the stats show trouble."""
    for source in group:
        log_report(reports[source.name])
    exceptions = stats.get("spider_exceptions/count", 0)
    errors = stats.get("log_count/ERROR", 0)
    if exceptions or errors:
        logger.warning(
            "crawl of %s: %s spider exception(s), %s error(s) logged", _names(group), exceptions, errors
        )


def log_report(report: SourceReport) -> None:
    """The daemon's line for one source's crawl."""
    where = {"source": report.source, "url": report.url}  # fields of a JSON log line
    if report.outcome == "error":
        logger.warning("%s", report.error, extra=where)
    else:
        logger.info(
            "source %s: %s, %d entries, %d new articles",
            report.source,
            report.outcome,
            report.entries,
            report.new_articles,
            extra=where,
        )
