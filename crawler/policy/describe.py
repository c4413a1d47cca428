"""One human sentence per failed request, naming the URL: what a source's "last error" shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from crawler.policy.errors import PolicyError

_TIMEOUTS = (DownloadTimeoutError, tx_error.TimeoutError, TimeoutError)
_UNRESOLVED = (CannotResolveHostError, tx_error.DNSLookupError)
_REFUSED = (DownloadConnectionRefusedError, tx_error.ConnectionRefusedError, ConnectionRefusedError)
_BROKEN = (
    ResponseDataLossError,
    DownloadFailedError,
    ResponseFailed,
    tx_error.ConnectionLost,
    tx_error.ConnectionDone,
)


def describe_failure(failure: Failure | BaseException, request: Any = None) -> str:
    """``Timed out after 30 s fetching https://…`` — for an errback's failure or an exception.

    ``request`` defaults to the one Scrapy attaches to errback failures.
    """
    error = failure.value if isinstance(failure, Failure) else failure
    if error is None:
        error = RuntimeError("unknown failure")
    request = request if request is not None else getattr(failure, "request", None)
    url = str(getattr(request, "url", None) or getattr(error, "url", None) or "(unknown URL)")
    hop = _redirected_from(request)
    return f"{_sentence(error, url, request)}{hop}."


def _sentence(error: BaseException, url: str, request: Any) -> str:
    host = urlsplit(url).netloc or url
    if isinstance(error, PolicyError):
        return str(error).rstrip(".")
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status} from {url}"
    if isinstance(error, _TIMEOUTS):
        timeout = getattr(request, "meta", {}).get("download_timeout")
        after = f" after {timeout:g} s" if isinstance(timeout, int | float) else ""
        return f"Timed out{after} fetching {url}: the server did not answer in time"
    if isinstance(error, _UNRESOLVED):
        return f"Could not resolve the host {host} of {url}: no such name, or DNS is unreachable"
    if isinstance(error, _REFUSED):
        return f"Connection refused by {host} for {url}: nothing is listening there"
    if isinstance(error, _BROKEN):
        return f"The connection to {host} broke before {url} was fully received"
    if isinstance(error, DownloadCancelledError):
        return f"The download of {url} was cancelled{_detail(error)}"
    if isinstance(error, IgnoreRequest):
        return f"Skipped {url}{_detail(error)}"
    return f"{type(error).__name__} while fetching {url}{_detail(error)}"


def _detail(error: BaseException) -> str:
    text = str(error).strip().rstrip(".")
    return f": {text}" if text else ""


def _redirected_from(request: Any) -> str:
    chain = getattr(request, "meta", {}).get("redirect_urls") or []
    return f" (redirected from {chain[0]})" if chain else ""
