"""Decompression under the size cap, with the cut recorded like any other.

Scrapy's ``HttpCompressionMiddleware`` (2.19) already stops decompressing
at ``DOWNLOAD_MAXSIZE``, 64 KiB at a time, so a gzip bomb costs at most the
cap in memory. It reports the cut as a plain ``IgnoreRequest``; this
wrapper takes its place (same priority, 590) and reports ``BodyTooLargeError``
with a ``newsmon/cut/decompressed_too_large`` count instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler.policy.errors import BodyTooLargeError
from crawler.policy.outcomes import count

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class BoundedHttpCompressionMiddleware:
    def __init__(self, crawler: Crawler, inner: HttpCompressionMiddleware) -> None:
        self.crawler = crawler
        self.inner = inner

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, HttpCompressionMiddleware.from_crawler(crawler))

    def process_request(self, request: Request) -> None:
        self.inner.process_request(request)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return self.inner.process_response(request, response)
        except IgnoreRequest as cut:
            # Scrapy's private _DecompressionMaxSizeExceeded carries these two numbers.
            size = getattr(cut.__cause__, "decompressed_size", None)
            limit = getattr(cut.__cause__, "max_size", None)
            if not isinstance(size, int) or not isinstance(limit, int):
                raise
            count(self.crawler, "cut/decompressed_too_large")
            raise BodyTooLargeError(request.url, limit, size, decompressed=True) from cut
