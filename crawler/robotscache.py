"""robots.txt kept across crawls: one download per host for as long as the host allows, 24 hours at most.

The daemon crawls every source every few minutes, each crawl a Scrapy crawler
of its own: without this, every crawl fetched every host's robots.txt again,
one more request to the host and about a fifth of the CPU of an unchanged
feed. RFC 9309 (section 2.4) lets a crawler cache robots.txt under HTTP's
caching rules and says not to use a cached copy for more than 24 hours;
Google does the same. So a copy lives:

- ``Cache-Control: max-age`` seconds (less its ``Age``), else ``Expires``
  minus ``Date``, else the cap; ``no-store`` and ``no-cache`` keep nothing;
- at most ``NEWSMON_ROBOTSTXT_MAX_AGE`` seconds (24 h; 0 turns the cache off);
- only for an answer that says something lasting: a success, or a 4xx other
  than 429 (no robots.txt: everything allowed). A 5xx, a 429 or a failed
  download is tried again by the next crawl.

The cache is the process's, like Scrapy's DNS cache, and holds at most
``MAX_HOSTS`` hosts (the oldest stored goes first).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy.extensions.httpcache import parse_cachecontrol, rfc1123_to_epoch

if TYPE_CHECKING:
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

MAX_AGE = 24 * 3600.0  # seconds: RFC 9309's limit and Google's
MAX_HOSTS = 10_000


@dataclass(frozen=True)
class _Copy:
    parser: RobotParser
    expires: float  # on the cache's clock


class RobotsCache:
    """Parsed robots.txt per key (parser class and ``scheme://host:port``) until it expires."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_hosts: int = MAX_HOSTS) -> None:
        self.clock = clock
        self.max_hosts = max_hosts
        self._copies: OrderedDict[str, _Copy] = OrderedDict()

    def get(self, key: str) -> RobotParser | None:
        copy = self._copies.get(key)
        if copy is None:
            return None
        if copy.expires <= self.clock():
            del self._copies[key]
            return None
        return copy.parser

    def put(self, key: str, parser: RobotParser, lifetime: float) -> None:
        self._copies.pop(key, None)
        if lifetime <= 0:
            return
        self._copies[key] = _Copy(parser, self.clock() + lifetime)
        while len(self._copies) > self.max_hosts:
            self._copies.popitem(last=False)

    def clear(self) -> None:
        self._copies.clear()

    def __len__(self) -> int:
        return len(self._copies)


ROBOTS_CACHE = RobotsCache()


def lifetime(response: Response, max_age: float = MAX_AGE) -> float:
    """Seconds the robots.txt in ``response`` may be used for (0: not kept)."""
    status = response.status
    if status >= 500 or status == 429 or status < 200:
        return 0.0
    directives = parse_cachecontrol(response.headers.get(b"Cache-Control") or b"")
    if b"no-store" in directives or b"no-cache" in directives:
        return 0.0
    fresh = _freshness(response, directives)
    age = _seconds(response.headers.get(b"Age")) or 0.0
    return max(0.0, min(max_age, (max_age if fresh is None else fresh) - age))


def _freshness(response: Response, directives: dict[bytes, bytes | None]) -> float | None:
    if b"max-age" in directives:
        return _seconds(directives[b"max-age"]) or 0.0
    expires = response.headers.get(b"Expires")
    if expires is None:
        return None
    # An Expires that does not parse (often "0" or "-1") means already expired.
    expires_at = rfc1123_to_epoch(expires)
    date = rfc1123_to_epoch(response.headers.get(b"Date")) or time.time()
    return float(expires_at - date) if expires_at is not None else 0.0


def _seconds(value: bytes | None) -> float | None:
    try:
        return float(int(value)) if value else None
    except ValueError:
        return None
