"""Honour Retry-After per host: 429 and 503 pause every request to that host.

On a 429 or 503 response (``NEWSMON_RETRY_AFTER_CODES``) with a
``Retry-After`` header — seconds or an HTTP date — no request goes to the
same downloader slot (by default, the host) before that time, the retry of
this request included: Scrapy's retry middleware re-queues it and it waits
here. A wait longer than ``NEWSMON_RETRY_AFTER_MAX`` seconds (default 3600)
is not honoured within this crawl: the request and every later one to that
host fail with ``HostBackedOffError``, and the next crawl tries again.

The pause is decided on Scrapy's ``response_downloaded`` signal, which
fires before the downloader hands the slot to the next queued request.
Requests already queued in the slot are held there (``slots.hold``); requests
that come later wait in ``process_request``. A waiting request holds one of
the crawl's ``CONCURRENT_REQUESTS``; a stopping crawl ends the wait within
half a second.

Must sit after RetryMiddleware (550) in priority so that its
``process_response`` (which stops the retry of a request given up on) runs
first: 560.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.policy import crawls, slots
from crawler.policy.errors import HostBackedOffError
from crawler.policy.outcomes import count, logger
from db.retry_after import parse_retry_after

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.codes = frozenset(
            int(code) for code in settings.getlist("NEWSMON_RETRY_AFTER_CODES", [429, 503])
        )
        self.cap = settings.getfloat("NEWSMON_RETRY_AFTER_MAX", 3600)
        self._until: dict[str, float] = {}
        self._gave_up: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(middleware.crawl_ended, signal=crawls.crawl_ended)
        return middleware

    def crawl_ended(self) -> None:
        self._gave_up.clear()  # "for this crawl"; a pause (_until) ends with its own time

    async def process_request(self, request: Request) -> None:
        if not self._until and not self._gave_up:
            return  # no host ever asked this crawl to wait: no slot key to work out per request
        key = self._slot(request)
        if key in self._gave_up:
            raise HostBackedOffError(request.url, key, self._gave_up[key], self.cap)
        while (remaining := self._until.get(key, 0.0) - time.monotonic()) > 0:
            if not self._running():
                raise IgnoreRequest(f"Dropped {request.url}: the crawl stopped while {key} asked to wait")
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, min(remaining, slots.STEP)))

    def response_downloaded(self, response: Response, request: Request) -> None:
        wait = self._wait(response)
        if not wait:
            return
        key = self._slot(request)
        if wait > self.cap:
            if key not in self._gave_up:
                self._gave_up[key] = wait
                count(self.crawler, "retry_after/gave_up")
                logger.warning(
                    "%s answered %s with Retry-After %.0f s: giving up on it for this crawl",
                    key,
                    response.status,
                    wait,
                )
            slots.fail_queued(self.crawler, key, lambda url: HostBackedOffError(url, key, wait, self.cap))
            return
        self._until[key] = max(self._until.get(key, 0.0), time.monotonic() + wait)
        count(self.crawler, "retry_after/paused")
        logger.info(
            "%s answered %s with Retry-After %.0f s: pausing requests to it", key, response.status, wait
        )
        slots.hold(self.crawler, key, lambda: self._until.get(key, 0.0), self._running)

    def process_response(self, request: Request, response: Response) -> Response:
        wait = self._wait(response)
        if wait and wait > self.cap:
            raise HostBackedOffError(request.url, self._slot(request), wait, self.cap)
        return response

    def _wait(self, response: Response) -> float | None:
        if response.status not in self.codes:
            return None
        header = response.headers.get(b"Retry-After")
        return parse_retry_after(header.decode("latin-1")) if header else None

    def _slot(self, request: Request) -> str:
        return slots.slot_key(self.crawler, request)

    def _running(self) -> bool:
        engine = self.crawler.engine
        return engine is not None and bool(engine.running)
