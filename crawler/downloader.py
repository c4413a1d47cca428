"""Scrapy's downloader, whose middleware calls wrap no result in a coroutine unless it needs one.

Scrapy's ``DownloaderMiddlewareManager`` turns each middleware method's
result into an awaitable (``ensure_awaitable``: a new coroutine for a plain
value) and formats the method's name for a warning it may give, at every
call: about 15 calls per request, an unchanged feed's 304 included. Here a
result that is None, a Response or a Request (what a synchronous method
returns) is used as it is; any other result goes through Scrapy's own
``ensure_awaitable`` as before, with its warning for a Deferred and its
error for a wrong type. Middlewares get the same arguments in the same
order; the chain is Scrapy's.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager as ScrapyManager
from scrapy.crawler import Crawler
from scrapy.exceptions import _InvalidOutput
from scrapy.http import Request, Response
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import global_object_name

SETTLED = (Response, Request, type(None))


class Downloader(ScrapyDownloader):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # The manager's methods only differ: its middlewares, built once by Scrapy, are kept.
        self.middleware.__class__ = DownloaderMiddlewareManager


class DownloaderMiddlewareManager(ScrapyManager):
    async def _process_request(
        self, request: Request, download_func: Callable[[Request], Coroutine[Any, Any, Response]]
    ) -> Response | Request:
        for method in self.methods["process_request"]:
            assert method is not None
            response = self._handle_mw_method(method, request=request)
            if not isinstance(response, SETTLED):
                response = await ensure_awaitable(response, _warn=global_object_name(method))
            if response is not None and not isinstance(response, (Response, Request)):
                raise _InvalidOutput(
                    f"Middleware {method.__qualname__} must return None, Response or "
                    f"Request, got {response.__class__.__name__}"
                )
            if response:
                return response
        return await download_func(request)

    async def _process_response(self, response: Response | Request, request: Request) -> Response | Request:
        if response is None:
            raise TypeError("Received None in process_response")
        if isinstance(response, Request):
            return response
        for method in self.methods["process_response"]:
            assert method is not None
            response = self._handle_mw_method(method, request=request, response=response)
            if not isinstance(response, SETTLED):
                response = await ensure_awaitable(response, _warn=global_object_name(method))
            if not isinstance(response, (Response, Request)):
                raise _InvalidOutput(
                    f"Middleware {method.__qualname__} must return Response or Request, got {type(response)}"
                )
            if isinstance(response, Request):
                return response
        return response

    async def _process_exception(
        self, exception: Exception, request: Request | Response
    ) -> Response | Request:
        for method in self.methods["process_exception"]:
            assert method is not None
            response = self._handle_mw_method(method, request=request, exception=exception)
            if not isinstance(response, SETTLED):
                response = await ensure_awaitable(response, _warn=global_object_name(method))
            if response is not None and not isinstance(response, (Response, Request)):
                raise _InvalidOutput(
                    f"Middleware {method.__qualname__} must return None, Response or "
                    f"Request, got {type(response)}"
                )
            if response:
                return response
        raise exception
