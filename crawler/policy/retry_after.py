"""Honour Retry-After per host: 429 and 503 pause every request to that host.

On a 429 or 503 response (``NEWSMON_RETRY_AFTER_CODES``) with a
``Retry-After`` header — seconds or an HTTP date — no request goes to the
same downloader slot (by default, the host) before that time, the retry of
this request included: Scrapy's retry middleware re-queues it and it waits
here. A wait longer than ``NEWSMON_RETRY_AFTER_MAX`` seconds (default 3600)
is not honoured within this crawl: the request and every later one to that
host fail with ``HostBackedOffError``, and the next crawl tries again.

Must sit after RetryMiddleware (550) in priority so that its
``process_response`` runs first: 560. A waiting request holds one of the
crawl's ``CONCURRENT_REQUESTS``; a stopping crawl ends the wait at once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.policy.errors import HostBackedOffError
from crawler.policy.outcomes import count, logger

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# The wait is taken in steps so that a crawl being stopped is noticed quickly.
_STEP = 0.5


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait for a ``Retry-After`` value; None when it is not one."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.codes = frozenset(settings.getlist("NEWSMON_RETRY_AFTER_CODES", [429, 503]))
        self.cap = settings.getfloat("NEWSMON_RETRY_AFTER_MAX", 3600)
        self._until: dict[str, float] = {}
        self._gave_up: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        slot = self._slot(request)
        if slot in self._gave_up:
            raise HostBackedOffError(request.url, slot, self._gave_up[slot], self.cap)
        while (remaining := self._until.get(slot, 0.0) - time.monotonic()) > 0:
            if not self._running():
                raise IgnoreRequest(f"Dropped {request.url}: the crawl stopped while {slot} asked to wait")
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, min(remaining, _STEP)))

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.codes:
            return response
        header = response.headers.get(b"Retry-After")
        wait = parse_retry_after(header.decode("latin-1")) if header else None
        if not wait:
            return response
        slot = self._slot(request)
        if wait > self.cap:
            self._gave_up[slot] = wait
            count(self.crawler, "retry_after/gave_up")
            logger.warning(
                "%s answered %s with Retry-After %.0f s: giving up on it for this crawl",
                slot,
                response.status,
                wait,
            )
            raise HostBackedOffError(request.url, slot, wait, self.cap)
        self._until[slot] = max(self._until.get(slot, 0.0), time.monotonic() + wait)
        count(self.crawler, "retry_after/paused")
        logger.info(
            "%s answered %s with Retry-After %.0f s: pausing requests to it", slot, response.status, wait
        )
        return response

    def _slot(self, request: Request) -> str:
        engine = self.crawler.engine
        if engine is not None:
            return str(engine.downloader.get_slot_key(request))
        return str(request.meta.get("download_slot", ""))

    def _running(self) -> bool:
        engine = self.crawler.engine
        return engine is not None and bool(engine.running)
