"""When a spider asks for its next source: a crawl's queue stays small, its transfers stay busy.

Every source's document, once answered, puts its article pages in Scrapy's
queue, and documents go first (``SOURCE_PRIORITY``). Asked for all at once,
1,000 feeds put 20,000 page requests and their entries in memory before the
first page is fetched. So ``start()`` asks for the next source only when

- fewer than ``window`` sources (twice ``CONCURRENT_REQUESTS``) await their
  document's answer, and
- fewer than ``NEWSMON_MAX_QUEUED`` requests wait in the scheduler;

which bounds the queue at about ``NEWSMON_MAX_QUEUED`` plus the pages of a
window of documents. Sources are asked for one host at a time in turn
(``in_host_turns``), so that a window spans as many hosts as there are and
no host's own limit idles the others. When nothing is queued or in flight,
nothing can answer: the next source is asked for whatever the counts say.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence, Sized
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.context import CrawlSource
    from crawler.outcomes import CrawlLedger

# Requests waiting in the scheduler before the next source is asked for (setting NEWSMON_MAX_QUEUED):
# pages of enough hosts to keep every transfer slot busy, few enough to cost a few MB.
MAX_QUEUED = 1000
POLL_SECONDS = 0.02  # how often a held-back start() looks again


class SourcePacer:
    """Counts the sources asked for and the pages made; ``next()`` waits for room for one more."""

    def __init__(self, crawler: Crawler, ledger: CrawlLedger) -> None:
        settings = crawler.settings
        self.max_queued = max(1, settings.getint("NEWSMON_MAX_QUEUED", MAX_QUEUED))
        self.window = max(1, 2 * settings.getint("CONCURRENT_REQUESTS"))
        self.asked = 0
        self.pages = 0  # page requests made so far (the spider counts them)
        self._crawler = crawler
        self._ledger = ledger
        # The queue's length is a sum over every host's queue, too dear to take per source: it is
        # taken again only once as many pages were made as there was room for when last taken.
        self._room = 0
        self._pages_then = 0

    async def next(self) -> None:
        """Return when one more source may be asked for; it then counts as asked."""
        # Polled: Scrapy tells no one when its queue shrinks.
        while not self._may_ask():  # noqa: ASYNC110
            await asyncio.sleep(POLL_SECONDS)
        self.asked += 1

    def _may_ask(self) -> bool:
        engine = self._crawler.engine
        if engine is None or not engine.running:
            return True  # stopping: the engine takes nothing more, start() must not hang
        scheduler = engine.scheduler
        if not isinstance(scheduler, Sized):
            return True  # a scheduler that cannot tell its length is not waited for
        if not engine.downloader.active and not len(scheduler):
            return True  # nothing in flight or queued: nothing will answer
        if self.asked - self._ledger.answered >= self.window:
            return False
        if self.pages - self._pages_then < self._room:
            return True
        self._room = self.max_queued - len(scheduler)
        self._pages_then = self.pages
        return self._room > 0


def in_host_turns(sources: Sequence[CrawlSource]) -> list[CrawlSource]:
    """The sources one host at a time in turn, each host's in their given order."""
    by_host: dict[str, list[CrawlSource]] = {}
    for source in sources:
        by_host.setdefault(urlsplit(source.url).netloc.lower(), []).append(source)
    turns = itertools.zip_longest(*by_host.values())
    return [source for turn in turns for source in turn if source is not None]
