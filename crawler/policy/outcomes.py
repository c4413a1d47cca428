"""Record what the policy stopped: one log line and one stats counter per event.

Stats keys, read by the runner after each crawl:

- ``newsmon/refused`` and ``newsmon/refused/<code>``: URLs the address policy refused;
- ``newsmon/cut/<kind>``: downloads cut by a limit (``body_too_large``,
  ``decompressed_too_large``, ``timeout``);
- ``newsmon/retry_after/paused`` and ``newsmon/retry_after/gave_up``;
- ``newsmon/skipped/host_down``: requests not sent because their host did
  not resolve, or timed out repeatedly, earlier in the crawl.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NoReturn

from crawler.policy.errors import RequestRefusedError

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from crawler.policy.urls import Refusal

logger = logging.getLogger("crawler.policy")


def count(crawler: Crawler, key: str) -> None:
    if crawler.stats is not None:
        crawler.stats.inc_value(f"newsmon/{key}")


def refuse(crawler: Crawler, request: Request, refusal: Refusal) -> NoReturn:
    """Log and count the refusal, then stop the request with ``RequestRefusedError``."""
    logger.warning(
        "Refused %s (%s): %s", request.url, refusal.code, refusal.detail, extra={"url": request.url}
    )
    count(crawler, "refused")
    count(crawler, f"refused/{refusal.code}")
    raise RequestRefusedError(request.url, refusal.code, refusal.detail)
