"""What a long-lived spider shares: sources of every type handed to it one by one, each its own crawl.

The crawler role's spider on the Redis queue (crawler/jobspider.py) and the
daemon's (crawler/duespider.py) run until their process stops. Each is the
feed, listing and sitemap spider at once; each source's own spider says what
its first request is. A source handed over gets a fresh report in the ledger
(``CrawlLedger.begin``); the fetch recorder writes it when the source's
document and pages are done, and then its crawl ends (``source_ended``).
What the spider kept of the source (keys being fetched, validators) is
dropped then, so that memory does not grow with the crawls, and what the
crawl learnt about hosts (down, given up on, robots.txt) is forgotten
(crawler.policy.crawls), as when a crawler ends.

Scrapy's duplicate filter is off: it would grow with every page of every
crawl and refuse a page asked again by a later crawl (a failed page's
retry). Within a crawl, the keys being fetched filter (crawler.spiders.base).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request

from crawler.context import CrawlSource, ProgressEvent
from crawler.outcomes import CrawlLedger, SourceReport
from crawler.policy import crawls
from crawler.runner import log_report
from crawler.spiders import spider_for
from crawler.spiders.feed import FeedSpider
from crawler.spiders.html import HtmlListingSpider
from crawler.spiders.pacing import SourcePacer
from crawler.spiders.sitemap import SitemapSpider
from db.store import RetryPage


class ServingSpider(FeedSpider, HtmlListingSpider, SitemapSpider):
    """Subclasses say which sources they serve (``serving``) and what follows a crawl's end."""

    custom_settings = {"DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter"}  # noqa: RUF012

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, sources=[], **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ServingSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ServingSpider)
        spider.ledger = CrawlLedger((), spider._progress)
        spider.pacer = SourcePacer(crawler, spider.ledger)
        return spider

    def begin_sources(self, sources: Sequence[CrawlSource]) -> dict[str, list[RetryPage]]:
        """New crawls of ``sources`` (being served), begun together: their failed pages due again."""
        for source in sources:
            self.ledger.begin(source.name, source.url)
        try:
            return self.open_sources(sources)
        except Exception as exc:
            self.logger.exception("the crawl of %s could not start", ", ".join(s.name for s in sources))
            for source in sources:
                self._not_started(source, exc)
            return {}

    def first_requests(self, source: CrawlSource, retries: Mapping[str, list[RetryPage]]) -> list[Request]:
        """A begun source's document request and its failed pages due again."""
        if self.ledger[source.name].outcome is not None:
            return []  # it could not start
        try:
            return [self.source_request(source), *self.retry_requests(source, retries.get(source.name, []))]
        except Exception as exc:
            self.logger.exception("source %s: the crawl could not start", source.name)
            self._not_started(source, exc)
            return []

    def _not_started(self, source: CrawlSource, exc: Exception) -> None:
        # Recorded as the source's failure; its crawl ends as any other.
        self.ledger.feed_done(source.name, "error", error=f"source {source.name}: could not start: {exc!r}")

    def serving(self, source: str) -> bool:
        """Whether ``source`` is being crawled (its crawl begun by this spider, not ended yet)."""
        raise NotImplementedError

    def source_ended(self, source: str, report: SourceReport) -> None:
        """The source's crawl is recorded; ``report`` says what it found."""
        raise NotImplementedError

    # ------------------------------------------------------------ each source as its own spider

    def source_request(self, source: CrawlSource) -> Request:
        spidercls = spider_for(source.type)
        if spidercls is None or not isinstance(self, spidercls):
            raise ValueError(f"source {source.name}: no spider for sources of type {source.type!r}")
        return spidercls.source_request(self, source)

    def document_of(self, source: str) -> str:
        crawl_source = self.context.source(source)
        spidercls = spider_for(crawl_source.type) if crawl_source is not None else None
        return spidercls.document if spidercls is not None else self.document

    # ------------------------------------------------------------ the end of a source's crawl

    def _progress(self, event: ProgressEvent) -> None:
        if self.context.on_progress is not None:
            self.context.on_progress(event)
        if event.kind == "done" and self.serving(event.source):
            report = self.ledger.end(event.source)
            log_report(report)
            self.forget_source(event.source)
            self.crawler.signals.send_catch_log(signal=crawls.crawl_ended)
            self.source_ended(event.source, report)
