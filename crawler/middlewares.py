"""Downloader middlewares that replace Scrapy's.

``HttpProxyMiddleware`` is Scrapy's, switched off when the environment names
no proxy (``http_proxy``, ``https_proxy``): newsmon never sets a proxy per
request, so it would only cost a method call per request.

``RobotsTxtMiddleware`` replaces Scrapy's. In Scrapy 2.19 every request
that arrives while a host's robots.txt is still downloading awaits one
shared Deferred; the first awaiter's adapter swallows the result, so the
others get ``None`` and are let through as if there were no robots.txt
(measured: 8 disallowed URLs, 2 blocked). Here each host's robots.txt is
fetched by one asyncio task whose result every request awaits.

A parsed robots.txt also outlives the crawl (crawler.robotscache): later
crawls use it until it expires, without downloading it again. In a
long-lived crawler a crawl's end is a signal (crawler.policy.crawls).

``NotModifiedMiddleware`` ends a 304 answer to a conditional request at the
request's errback, as ``NotModified``. Scrapy's scraper runs every response
through the spider middlewares and the callback, then starts
``CONCURRENT_ITEMS`` asyncio tasks and a queue to process the callback's
output, even when there is none, as for an unchanged document: 9 of the 12
tasks a 304 cost. An ``IgnoreRequest`` raised by a downloader middleware goes
to the errback alone, and Scrapy drops it silently when the errback gives it
back (crawler.spiders.base).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware as ScrapyHttpProxyMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.log import logformatter_adapter
from twisted.internet.defer import Deferred

from crawler.logformatter import ENGINE_LOGGER
from crawler.policy import crawls
from crawler.robotscache import MAX_AGE, ROBOTS_CACHE, lifetime

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.robotstxt import RobotParser


# Request meta: a 304 answer to this request reaches its errback as NotModified.
NOT_MODIFIED = "newsmon_not_modified"


class NotModified(IgnoreRequest):
    """The server answered 304 Not Modified to a conditional request: the document is unchanged."""


class _WithoutTraceback(logging.Filter):
    """An unreachable robots.txt is an expected condition (the host is down), not a bug to trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.msg} (robots.txt unreachable; treated as allowing everything)"
        record.exc_info = None
        record.exc_text = None
        return True


_ROBOTS_LOGGER = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
_ROBOTS_LOGGER.addFilter(_WithoutTraceback())


class HttpProxyMiddleware(ScrapyHttpProxyMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HttpProxyMiddleware:
        middleware = super().from_crawler(crawler)
        if not middleware.proxies:
            raise NotConfigured("no proxy in the environment")
        return middleware


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._robots: dict[str, asyncio.Future[RobotParser | None]] = {}
        # Seconds a robots.txt is kept across crawls at most (0: fetched again by every crawl).
        self._max_age = crawler.settings.getfloat("NEWSMON_ROBOTSTXT_MAX_AGE", MAX_AGE)
        self._parser_class = crawler.settings.get("ROBOTSTXT_PARSER")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.crawl_ended, signal=crawls.crawl_ended)
        return middleware

    def crawl_ended(self) -> None:
        """robots.txt is read again by the next crawl (from the process's cache while it lasts)."""
        self._robots = {netloc: task for netloc, task in self._robots.items() if not task.done()}
        for netloc, parser in list(self._parsers.items()):
            if not isinstance(parser, Deferred):
                del self._parsers[netloc]

    async def process_request(self, request: Request) -> None:  # type: ignore[override]
        # Scrapy's, less its wrapper warning about a `spider` argument: a coroutine more per request.
        if request.meta.get("dont_obey_robotstxt") or not request.url.startswith("http"):
            return
        self.process_request_2(await self.robot_parser(request), request)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        task = self._robots.get(netloc)
        if task is None and (cached := ROBOTS_CACHE.get(self._cache_key(request))) is not None:
            self._stats.inc_value("newsmon/robotstxt/cached")
            return cached
        if task is None:
            # Scrapy's method runs once per host, so its shared Deferred never has a second awaiter.
            task = asyncio.ensure_future(super().robot_parser(request))
            self._robots[netloc] = task
        # One request being cancelled must not cancel the download the others wait for.
        return await asyncio.shield(task)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        if parser is not None and not isinstance(parser, Deferred) and self._max_age > 0:
            ROBOTS_CACHE.put(self._cache_key(request), parser, lifetime(response, self._max_age))

    def _cache_key(self, request: Request) -> str:
        url = urlparse_cached(request)
        return f"{self._parser_class} {url.scheme}://{url.netloc}"


class NotModifiedMiddleware:
    """Placed after the stats and the download guard (they see every response), before the
    middlewares that decompress, redirect or retry: none of them has anything to do with a 304."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get(NOT_MODIFIED):
            if ENGINE_LOGGER.isEnabledFor(logging.DEBUG):
                self._log_crawled(request, response)
            raise NotModified(f"{request.url} not modified")
        return response

    def _log_crawled(self, request: Request, response: Response) -> None:
        """The engine's "Crawled (304)" line, which it writes for responses only."""
        spider = self.crawler.spider
        logkws = self.crawler.logformatter.crawled(request, response, spider) if spider else None
        if logkws is not None:
            ENGINE_LOGGER.log(*logformatter_adapter(logkws), extra={"spider": spider})
