"""Scrapy's HTTP/1.1 download handler, with each host name encoded once.

Twisted's HTTP client builds an endpoint for every request, even one that
goes out on a kept-alive connection, and the endpoint encodes its host name
with the ``idna`` package (IDNA 2008: a regular expression and Unicode
tables per label). That was 4 % of Scrapy's own CPU per unchanged (304)
feed, for an answer that never changes: ``_idnaBytes`` is a pure function
of the host name, so its results are kept (bounded); names it refuses
raise again each time, as before.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler as ScrapyHTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

HOST_NAMES = 4096  # host names whose encoding is kept


class HTTP11DownloadHandler(ScrapyHTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        # Scrapy's own start-up lays its IDNA 2003 fallbacks over Twisted's function first: they are kept.
        super().__init__(crawler)
        memoize_host_names()


def memoize_host_names() -> None:
    """Keep Twisted's endpoint host name encoding (Scrapy's fallbacks included); idempotent."""
    from twisted.internet import endpoints

    # Where Twisted's endpoints take the function from (Scrapy patches the same name).
    encode = endpoints._idnaBytes  # type: ignore[attr-defined]
    if not isinstance(encode, functools._lru_cache_wrapper):
        endpoints._idnaBytes = functools.lru_cache(maxsize=HOST_NAMES)(encode)  # type: ignore[attr-defined]


@contextmanager
def encoded_each_time() -> Iterator[None]:
    """Twisted's host name encoding as Scrapy leaves it, for the time of a ``with`` block (the
    benchmarks' Scrapy floors: the kept encoding is process-wide once a newsmon crawl has run)."""
    from twisted.internet import endpoints

    kept = endpoints._idnaBytes  # type: ignore[attr-defined]
    endpoints._idnaBytes = getattr(kept, "__wrapped__", kept)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        endpoints._idnaBytes = kept  # type: ignore[attr-defined]
