"""Scrapy's crawl stats, without what they cost per request and nobody reads.

Every request, an unchanged (304) feed's included, goes through these, so
each saving is paid back a thousand times a pass over 1,000 feeds. The
stats newsmon and its tests read are all kept: ``spider_exceptions/count``,
``log_count/*``, ``downloader/response_status_count/*``, ``finish_reason``,
``newsmon/*`` (``STATS_DUMP`` is off: nothing else is shown).

- ``StatsCollector`` (``STATS_CLASS``): Scrapy 2.19's collector routes every
  attribute read through a Python ``__getattribute__`` that wraps methods to
  warn about a deprecated ``spider`` argument, about 18 times a request;
  newsmon never passes one.
- ``DownloaderStats`` (downloader middleware): counts without byte counts,
  which serialised every request (``request_httprepr``) to take its length.
- ``CoreStats`` (extension): without its per-response signal receiver,
  which counted ``response_received_count`` for the LogStats extension (off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.downloadermiddlewares.stats import DownloaderStats as ScrapyDownloaderStats
from scrapy.extensions.corestats import CoreStats as ScrapyCoreStats
from scrapy.statscollectors import MemoryStatsCollector

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class StatsCollector(MemoryStatsCollector):
    __getattribute__ = object.__getattribute__


class DownloaderStats(ScrapyDownloaderStats):
    def process_request(self, request: Request) -> None:  # type: ignore[override]
        self.stats.inc_value("downloader/request_count")
        self.stats.inc_value(f"downloader/request_method_count/{request.method}")

    def process_response(self, request: Request, response: Response) -> Response:  # type: ignore[override]
        self.stats.inc_value("downloader/response_count")
        self.stats.inc_value(f"downloader/response_status_count/{response.status}")
        return response


class CoreStats(ScrapyCoreStats):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CoreStats:
        assert crawler.stats is not None
        stats = cls(crawler.stats)
        crawler.signals.connect(stats.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(stats.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(stats.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(stats.item_dropped, signal=signals.item_dropped)
        return stats
