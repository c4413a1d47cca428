"""The extension that records each source's outcome as soon as the source is finished.

A source is recorded when its document and all its pages are done, not when
the whole crawl ends: a one-shot crawl killed midway (SIGKILL, SIGTERM) has
recorded every source finished more than ``FLUSH_SECONDS`` before. Finished
sources are written together, at most ``FLUSH_SECONDS`` after the first of
them, since one transaction per source would cost 20 times the CPU of a
batch (db.store.record_fetches); at once when no other source's crawl goes
on; what is left is written when the crawl ends.
It runs for ``CrawlService`` crawls and for ``scrapy crawl feed`` alike.
Callback and pipeline exceptions never reach the caller (a scheduler job
would report success): they are attributed to their source here, and the
crawler's stats are read at the end for anything left unattributed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import ArticleItem
from crawler.outcomes import CrawlLedger
from db.store import FetchResult, record_fetch, record_fetches

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from db.engine import Database

logger = logging.getLogger(__name__)

SOURCE = "newsmon_source"
# A flush is one transaction whose cost hardly depends on its size: at 0.5 s, the 58 flushes of an
# unchanged pass over 1,000 feeds were newsmon's largest own cost in its profile.
FLUSH_SECONDS = 2.0


class FetchRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._attributed_exceptions = 0
        self._finished: list[str] = []  # finished sources waiting for the next flush
        self._flush_call: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchRecorder:
        recorder = cls(crawler)
        # Receivers are weakly referenced: bound methods of this extension (kept by Scrapy) are safe.
        crawler.signals.connect(recorder.spider_error, signal=signals.spider_error)
        crawler.signals.connect(recorder.item_error, signal=signals.item_error)
        crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        ledger = self._ledger()
        if ledger is not None:
            ledger.on_finished = self.source_finished

    def source_finished(self, source: str) -> None:
        self._finished.append(source)
        ledger = self._ledger()
        if ledger is not None and not ledger.unfinished():
            # No other source's crawl goes on to share the transaction: a long-lived spider's
            # caller waits for this one (crawler.duespider).
            self._flush_now()
        elif self._flush_call is None:
            from twisted.internet import reactor as _reactor

            reactor: Any = _reactor  # zope-interface typed: mypy cannot see callLater's signature
            self._flush_call = reactor.callLater(FLUSH_SECONDS, self._flush)

    def _flush_now(self) -> None:
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
        self._flush()

    def _flush(self) -> None:
        self._flush_call = None
        ledger = self._ledger()
        context = getattr(self.crawler.spider, "context", None)
        names, self._finished = self._finished, []
        if ledger is None or context is None:
            return
        self._write(context.database, ledger, [(name, ledger[name].fetch_result()) for name in names])

    def _ledger(self) -> CrawlLedger | None:
        ledger = getattr(self.crawler.spider, "ledger", None)
        return ledger if isinstance(ledger, CrawlLedger) else None

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        ledger = self._ledger()
        source = response.meta.get(SOURCE) if response is not None else None
        if ledger is None or source not in ledger.reports:
            return
        self._attributed_exceptions += 1
        report = ledger[source]
        message = f"source {source}: processing {response.url} failed: {failure.value!r}"
        if report.outcome is None:
            ledger.feed_done(source, "error", http_status=response.status, error=message)
        else:
            ledger.page_done(source, stored=False, url=response.url, problem=message)

    def item_error(self, item: Any, response: Response | None, spider: Spider, failure: Failure) -> None:
        ledger = self._ledger()
        if ledger is not None and isinstance(item, ArticleItem):
            message = f"storing {item.url or item.page_url or item.entry.link} failed: {failure.value!r}"
            ledger.page_done(item.source, stored=False, url=item.url, problem=message)

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, spider: Spider
    ) -> None:
        ledger = self._ledger()
        if ledger is not None and isinstance(item, ArticleItem):
            ledger.page_done(item.source, stored=False, url=item.url or item.page_url)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
        self._flush_call = None
        self._finished = []
        ledger = self._ledger()
        context = getattr(spider, "context", None)
        if ledger is None or context is None:
            return
        unattributed = (
            int(self.crawler.stats.get_value("spider_exceptions/count", 0)) - self._attributed_exceptions
        )
        fetches: list[tuple[str, FetchResult]] = []
        for name, report in ledger.reports.items():
            if report.recorded:
                continue
            if report.outcome is None:
                if reason != "finished":
                    continue  # stopped before this feed answered: nothing was fetched, nothing to record
                report.outcome = "error"
                report.error = f"source {name}: no response from {report.url} (crawl ended: {reason})"
            if unattributed > 0:
                report.problems.append(f"{unattributed} spider exception(s) in this crawl, see the log")
            fetches.append((name, report.fetch_result()))
        self._write(context.database, ledger, fetches)

    def _write(self, database: Database, ledger: CrawlLedger, fetches: list[tuple[str, FetchResult]]) -> None:
        _record(database, fetches)
        for name, _ in fetches:
            ledger[name].recorded = True
            ledger.finish(name)


def _record(database: Database, fetches: list[tuple[str, FetchResult]]) -> None:
    """Every source's fetch in one transaction; one by one when that fails, so one bad row costs one."""
    try:
        record_fetches(database, fetches)
        return
    except Exception:
        logger.exception(
            "cannot record the fetches of %d sources at once; recording them one by one", len(fetches)
        )
    for name, result in fetches:
        try:
            record_fetch(database, name, result)
        except Exception:
            logger.exception("cannot record the fetch of source %s", name)
