"""Scrapy alone, for the politeness benchmark's 304 baseline: the same conditional requests with the
settings newsmon runs Scrapy with, but none of newsmon's components (address policy, robots.txt
replacement, download guard, pipelines, fetch recording, database) and a callback that does nothing.

What newsmon's unchanged-feed pass costs above this is newsmon's own; this is the floor it stands on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.http import Response
from scrapy.settings import Settings

from crawler import settings as newsmon_settings


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
    for name in ("ITEM_PIPELINES", "EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "DOWNLOAD_HANDLERS"):
        result.set(name, {}, priority="cmdline")
    result.set("TWISTED_DNS_RESOLVER", "scrapy.resolver.CachingThreadedResolver", priority="cmdline")
    result.set("NEWSMON_CONTEXT_FACTORY", None, priority="cmdline")
    return result


async def crawl(
    runner: AsyncCrawlerRunner, overrides: Mapping[str, Any], requests: list[tuple[str, Mapping[str, str]]]
) -> list[int]:
    """Fetch ``requests`` (URL, headers) through bare Scrapy; the statuses received."""
    crawler = Crawler(ConditionalSpider, settings(overrides))
    await runner.crawl(crawler, requests=requests)
    spider = crawler.spider
    assert isinstance(spider, ConditionalSpider)
    return spider.statuses
