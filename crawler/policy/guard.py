"""Name the failures that Scrapy reports vaguely, next to the downloader.

- The connect-time resolver refuses by returning no address, which the
  client reports as a DNS failure: turned back into ``RequestRefusedError``
  with the reason, and not retried.
- A body cut at ``DOWNLOAD_MAXSIZE`` while streaming comes out as a bare
  ``DownloadCancelledError``: turned into ``BodyTooLargeError`` (the byte count
  is taken from Scrapy's ``headers_received``/``bytes_received`` signals).
- A host that does not resolve is an answer, not a hiccup: the request is
  not retried, and every later request of this crawl to that host fails at
  once with ``HostDownError`` (robots.txt and pages alike) — no look-up, no
  connection. The next crawl asks again.
- Timeouts are counted (``newsmon/cut/timeout``) and not retried within the
  crawl: a server silent for ``DOWNLOAD_TIMEOUT`` seconds rarely answers the
  next try, and each try holds a slot, and a graceful stop, that long. The
  next poll retries. A host that times out ``HOST_DOWN_AFTER_TIMEOUTS``
  times in one crawl is given up on like an unresolved one, so a hung
  server costs a crawl two timeouts, not one per URL.

Sits closest to the downloader (priority 950) so that its
``process_exception`` runs before the retry middleware's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, DownloadTimeoutError

from crawler.policy import crawls, slots
from crawler.policy.errors import BodyTooLargeError, HostDownError
from crawler.policy.outcomes import count, logger, refuse
from crawler.policy.resolver import REFUSALS
from crawler.policy.urls import UrlRefusedError, parse_target

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Response


HOST_DOWN_AFTER_TIMEOUTS = 2
Host = tuple[str, int]


class DownloadGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self._announced: WeakKeyDictionary[Request, int] = WeakKeyDictionary()
        self._received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()
        # One crawler is one crawl, or one job's crawl ends (crawler.policy.crawls): what is learnt about
        # hosts here lasts exactly that long.
        self._down: dict[Host, str] = {}
        self._timeouts: dict[Host, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        guard = cls(crawler)
        crawler.signals.connect(guard.headers_received, signal=signals.headers_received)
        crawler.signals.connect(guard.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(guard.crawl_ended, signal=crawls.crawl_ended)
        return guard

    def crawl_ended(self) -> None:
        self._down.clear()
        self._timeouts.clear()

    def headers_received(self, headers: Headers, body_length: int | str, request: Request) -> None:
        # Without Content-Length (chunked, connection-close) Twisted says UNKNOWN_LENGTH, a string:
        # the cap is then checked on the bytes received alone.
        if isinstance(body_length, int) and body_length > 0:
            self._announced[request] = body_length

    def bytes_received(self, data: bytes, request: Request) -> None:
        self._received[request] = self._received.get(request, 0) + len(data)

    def process_request(self, request: Request) -> None:
        if not self._down:
            return
        host = _host(request)
        why = self._down.get(host) if host else None
        if host and why:
            count(self.crawler, "skipped/host_down")
            raise HostDownError(request.url, host[0], why)

    def process_response(self, request: Request, response: Response) -> Response:
        self._forget(request)
        if self._timeouts and (host := _host(request)):
            self._timeouts.pop(host, None)  # only timeouts in a row make a host down
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        announced = self._announced.get(request, 0)
        received = self._received.get(request, 0)
        self._forget(request)
        if isinstance(exception, CannotResolveHostError):
            self._explain_unresolved(request)
            self._host_down(request, "did not resolve")
        elif isinstance(exception, DownloadCancelledError):
            limit = request.meta.get("download_maxsize", self.maxsize)
            if limit and max(announced, received) > limit:
                count(self.crawler, "cut/body_too_large")
                if received > limit:
                    raise BodyTooLargeError(request.url, limit, received) from exception
                raise BodyTooLargeError(request.url, limit, announced, announced=True) from exception
        elif isinstance(exception, DownloadTimeoutError):
            count(self.crawler, "cut/timeout")
            logger.warning("Timed out: %s (%s)", request.url, exception, extra={"url": request.url})
            self._timed_out(request)

    def _timed_out(self, request: Request) -> None:
        request.meta["dont_retry"] = True
        host = _host(request)
        if host:
            self._timeouts[host] = times = self._timeouts.get(host, 0) + 1
            if times >= HOST_DOWN_AFTER_TIMEOUTS:
                self._host_down(request, f"timed out {times} times in a row")

    def _host_down(self, request: Request, why: str) -> None:
        request.meta["dont_retry"] = True
        host = _host(request)
        if host is None or host in self._down:
            return
        self._down[host] = why
        # Requests already past process_request wait in the host's downloader slot: end them too.
        slots.fail_queued(
            self.crawler, slots.slot_key(self.crawler, request), lambda url: HostDownError(url, host[0], why)
        )

    def _explain_unresolved(self, request: Request) -> None:
        try:
            target = parse_target(request.url)
        except UrlRefusedError:
            return
        refusal = REFUSALS.get(target.host, target.port)
        if refusal is not None:
            refuse(self.crawler, request, refusal)

    def _forget(self, request: Request) -> None:
        self._announced.pop(request, None)
        self._received.pop(request, None)


def _host(request: Request) -> Host | None:
    try:
        target = parse_target(request.url)
    except UrlRefusedError:
        return None
    return target.host, target.port
