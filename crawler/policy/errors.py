"""Why a request was not fetched, or not fetched whole.

    IgnoreRequest (Scrapy: the request's errback gets it, nothing retries it)
    └── PolicyError        base class; ``url`` is the request's URL
        ├── RequestRefusedError  the address policy refused the URL; ``code`` names the rule
        ├── BodyTooLargeError    the body (raw or decompressed) went past the size cap
        ├── HostBackedOffError   the host asked for a pause longer than we wait in one crawl
        └── HostDownError        the host did not resolve, or timed out repeatedly, in this crawl

    ``transient``: the next crawl may well succeed (a host's state, not the URL's).

    PolicyConfigError      the crawler is set up so that the policy cannot be enforced

Every message names the URL and says what to do when there is something to do.
"""

from __future__ import annotations

from typing import ClassVar

from scrapy.exceptions import IgnoreRequest


class PolicyError(IgnoreRequest):
    """A request stopped by newsmon's crawling policy."""

    transient: ClassVar[bool] = False

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(message)


class RequestRefusedError(PolicyError):
    """The URL may not be fetched: scheme, form or address is refused."""

    def __init__(self, url: str, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(url, f"Refused to fetch {url}: {detail}")


class BodyTooLargeError(PolicyError):
    """The response body went past the cap and was cut."""

    def __init__(
        self, url: str, limit: int, size: int, *, decompressed: bool = False, announced: bool = False
    ) -> None:
        self.limit = limit
        self.size = size
        self.decompressed = decompressed
        if announced:
            what = f"the server announced a {size}-byte body"
        else:
            what = f"its {'decompressed ' if decompressed else ''}body passed {size} bytes"
        super().__init__(
            url,
            f"Cut {url}: {what}, over the {limit}-byte limit (DOWNLOAD_MAXSIZE); the response was dropped",
        )


class HostBackedOffError(PolicyError):
    """The host answered 429/503 with a Retry-After too long to wait for in this crawl."""

    transient = True

    def __init__(self, url: str, host: str, wait: float, cap: float) -> None:
        self.host = host
        self.wait = wait
        self.cap = cap
        super().__init__(
            url,
            f"Gave up on {url}: {host} asked to retry after {wait:.0f} s, longer than the "
            f"{cap:.0f} s newsmon waits in one crawl (NEWSMON_RETRY_AFTER_MAX); the next crawl tries again",
        )


class HostDownError(PolicyError):
    """An earlier request of this crawl found the host gone: not asked again until the next crawl."""

    transient = True

    def __init__(self, url: str, host: str, why: str) -> None:
        self.host = host
        super().__init__(
            url, f"Skipped {url}: {host} {why} earlier in this crawl; the next crawl tries again"
        )


class PolicyConfigError(Exception):
    """The address policy cannot be enforced with these settings."""
