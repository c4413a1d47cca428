"""Which failed downloads are worth retrying on the next poll."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.policy import PolicyError

# 4xx other than these mean the page is gone or forbidden for good.
TRANSIENT_HTTP = frozenset({408, 425, 429})


def is_permanent(failure: Failure) -> bool:
    """A page that will not come back by retrying: most 4xx, robots.txt, the crawling policy."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return 400 <= status < 500 and status not in TRANSIENT_HTTP
    if isinstance(exc, PolicyError):
        return not exc.transient
    return isinstance(exc, IgnoreRequest)
