"""describe_failure: one sentence naming the URL, for every kind of failure."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.policy import (
    BodyTooLargeError,
    HostBackedOffError,
    RequestRefusedError,
    describe_failure,
)

URL = "http://news.example/a"


def _failure(error: BaseException, **meta: object) -> Failure:
    failure = Failure(error)
    failure.request = Request(URL, meta=meta)  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            RequestRefusedError(URL, "loopback", "127.0.0.1 is a loopback address"),
            f"Refused to fetch {URL}: 127.0.0.1 is a loopback address.",
        ),
        (BodyTooLargeError(URL, 10, 11), f"Cut {URL}: its body passed 11 bytes"),
        (BodyTooLargeError(URL, 10, 11, decompressed=True), "decompressed body passed 11 bytes"),
        (HostBackedOffError(URL, "news.example", 7200, 3600), "asked to retry after 7200 s"),
        (DownloadTimeoutError("Getting x took longer than 30.0 seconds."), f"Timed out fetching {URL}"),
        (CannotResolveHostError("nope"), f"Could not resolve the host news.example of {URL}"),
        (DownloadConnectionRefusedError("refused"), f"Connection refused by news.example for {URL}"),
        (ResponseDataLossError(), f"The connection to news.example broke before {URL}"),
        (IgnoreRequest("Forbidden by robots.txt"), f"Skipped {URL}: Forbidden by robots.txt."),
        (ValueError("odd"), f"ValueError while fetching {URL}: odd."),
    ],
)
def test_sentences(error: BaseException, expected: str) -> None:
    sentence = describe_failure(_failure(error))
    assert expected in sentence
    assert sentence.endswith(".")
    assert not sentence.endswith("..")


def test_http_error() -> None:
    response = Response(URL, status=404, request=Request(URL))
    assert describe_failure(_failure(HttpError(response, "Ignoring"))) == f"HTTP 404 from {URL}."


def test_timeout_names_the_limit_and_the_redirect() -> None:
    failure = _failure(DownloadTimeoutError("x"), download_timeout=30, redirect_urls=["http://a.example/"])
    assert describe_failure(failure) == (
        f"Timed out after 30 s fetching {URL}: the server did not answer in time "
        "(redirected from http://a.example/)."
    )


def test_exception_without_request_uses_its_url() -> None:
    assert describe_failure(RequestRefusedError(URL, "scheme", "no")).startswith(f"Refused to fetch {URL}")
