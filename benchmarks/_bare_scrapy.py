"""Scrapy alone, for the politeness benchmark's 304 baselines: the same conditional requests with a
callback that does nothing, none of newsmon's components (address policy, robots.txt replacement,
download guard, pipelines, fetch recording, database), under two sets of settings:

- ``settings``: the settings newsmon runs Scrapy with. Scrapy's components that newsmon switches
  off stay off (the proxy middleware too, with no proxy in the environment); those it replaces by
  its own (robots.txt, decompression, stats and the stats collector, the scheduler's queue, the
  download handler's kept host names, the log formatter) are Scrapy's, and so is Python's collector
  (crawler.runner.tune_collector). What
  newsmon's unchanged-feed pass costs above this is newsmon's own: the floor it stands on.
- ``minimal_settings``: only what a conditional GET needs (start requests, HTTP errors), no
  robots.txt, no extension: what Scrapy itself costs per request here, whatever the settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.http import Response
from scrapy.settings import Settings

from crawler import settings as newsmon_settings
from crawler.handlers import encoded_each_time
from crawler.runner import pythons_collector

# Scrapy's components that newsmon switches off for one of its own doing the same job.
REPLACED_BY_NEWSMON = frozenset(
    {
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware",
        "scrapy.downloadermiddlewares.stats.DownloaderStats",
        "scrapy.extensions.corestats.CoreStats",
    }
)


class ConditionalSpider(scrapy.Spider):
    name = "bare-conditional"

    def __init__(self, requests: Iterable[tuple[str, Mapping[str, str]]] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.planned = list(requests)
        self.statuses: list[int] = []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url, headers in self.planned:
            yield scrapy.Request(
                url,
                headers=dict(headers),
                callback=self.parse,
                dont_filter=True,
                meta={"handle_httpstatus_list": [304]},
            )

    def parse(self, response: Response) -> None:
        self.statuses.append(response.status)


def settings(overrides: Mapping[str, Any]) -> Settings:
    """newsmon's Scrapy settings and ``overrides``, without newsmon's components."""
    result = Settings()
    result.setmodule(newsmon_settings, priority="project")
    result.update(dict(overrides), priority="cmdline")
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS"):
        # Only the entries switching Scrapy's own components off, less those newsmon replaces.
        switched_off = {
            path: None
            for path, order in result.getdict(name).items()
            if order is None and path not in REPLACED_BY_NEWSMON
        }
        result.set(name, switched_off, priority="cmdline")
    for name in ("ITEM_PIPELINES", "DOWNLOAD_HANDLERS"):
        result.set(name, {}, priority="cmdline")
    result.set("TWISTED_DNS_RESOLVER", "scrapy.resolver.CachingThreadedResolver", priority="cmdline")
    result.set("STATS_CLASS", "scrapy.statscollectors.MemoryStatsCollector", priority="cmdline")
    result.set("SCHEDULER_PRIORITY_QUEUE", "scrapy.pqueues.DownloaderAwarePriorityQueue", priority="cmdline")
    result.set("LOG_FORMATTER", "scrapy.logformatter.LogFormatter", priority="cmdline")
    result.set("NEWSMON_CONTEXT_FACTORY", None, priority="cmdline")
    return result


def minimal_settings(overrides: Mapping[str, Any]) -> Settings:
    """``settings(overrides)`` with only the components a conditional GET needs, no robots.txt."""
    result = settings(overrides)
    result.set("ROBOTSTXT_OBEY", False, priority="cmdline")
    result.set("DOWNLOADER_MIDDLEWARES_BASE", {}, priority="cmdline")
    result.set("DOWNLOADER_MIDDLEWARES", {}, priority="cmdline")
    result.set("SPIDER_MIDDLEWARES_BASE", MINIMAL_SPIDER_MIDDLEWARES, priority="cmdline")
    result.set("SPIDER_MIDDLEWARES", {}, priority="cmdline")
    result.set("EXTENSIONS_BASE", {}, priority="cmdline")
    result.set("EXTENSIONS", {}, priority="cmdline")
    return result


# start() requests, and non-2xx responses kept from the callback unless asked for (the 304 is).
MINIMAL_SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
}


async def crawl(
    runner: AsyncCrawlerRunner, scrapy_settings: Settings, requests: list[tuple[str, Mapping[str, str]]]
) -> list[int]:
    """Fetch ``requests`` (URL, headers) through bare Scrapy; the statuses received."""
    crawler = Crawler(ConditionalSpider, scrapy_settings)
    # newsmon's download handler keeps host names encoded and its crawls collect garbage less
    # often, process-wide: not for Scrapy alone.
    with encoded_each_time(), pythons_collector():
        await runner.crawl(crawler, requests=requests)
    spider = crawler.spider
    assert isinstance(spider, ConditionalSpider)
    return spider.statuses
