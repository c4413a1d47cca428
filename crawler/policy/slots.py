"""Hold or empty a downloader slot's queue: the one place that touches Scrapy's downloader internals.

Requests that already passed the downloader middlewares wait in their slot's
queue (``Downloader.slots[key].queue``) for a free transfer slot. Scrapy's
own ``DOWNLOAD_DELAY`` holds that queue with ``Slot.latercall``; the same
hook holds it here for a Retry-After pause. Both functions do nothing when
these internals are missing, so a Scrapy upgrade that changes them costs
only the already-queued requests' pause, never a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

# How often a held slot checks whether the crawl is stopping.
STEP = 0.5


def hold(crawler: Crawler, key: str, until: Callable[[], float], running: Callable[[], bool]) -> None:
    """Keep the queue of slot ``key`` from moving until ``until()`` (monotonic).

    When the crawl stops first, the queued requests fail instead of going out.
    """
    from twisted.internet import reactor as _reactor

    # Zope-interface typed; mypy cannot see its methods' signatures.
    reactor: Any = _reactor
    downloader, slot = _slot(crawler, key)
    process_queue = getattr(downloader, "_process_queue", None)
    if slot is None or process_queue is None:
        return
    if slot.latercall is not None:
        slot.latercall.cancel()

    def tick() -> None:
        remaining = until() - time.monotonic()
        if remaining > 0 and running():
            slot.latercall = reactor.callLater(min(remaining, STEP), tick)
            return
        if remaining > 0:
            # Stopping: the host asked for quiet, so the queued requests end here instead.
            fail_queued(
                crawler,
                key,
                lambda url: IgnoreRequest(f"Dropped {url}: the crawl stopped while {key} asked to wait"),
            )
        slot.latercall = None
        process_queue(slot)

    tick()


def fail_queued(crawler: Crawler, key: str, error: Callable[[str], Exception]) -> None:
    """Fail every request waiting in the queue of slot ``key`` with ``error(url)``."""
    _, slot = _slot(crawler, key)
    queue = getattr(slot, "queue", None)
    while queue:
        request, waiting = queue.popleft()
        waiting.errback(error(request.url))


def slot_key(crawler: Crawler, request: Request) -> str:
    """The downloader slot ``request`` waits in (by default its host)."""
    engine = crawler.engine
    if engine is not None:
        return str(engine.downloader.get_slot_key(request))
    return str(request.meta.get("download_slot", ""))


def _slot(crawler: Crawler, key: str) -> tuple[Any, Any]:
    engine = crawler.engine
    downloader: Any = engine.downloader if engine is not None else None
    return downloader, getattr(downloader, "slots", {}).get(key)
