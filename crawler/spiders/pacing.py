"""When a spider asks for its next source: a crawl's queue stays small, its transfers stay busy.

Every source's document, once answered, puts its article pages in Scrapy's
queue, and documents go first (``SOURCE_PRIORITY``). Asked for all at once,
1,000 feeds put 20,000 page requests and their entries in memory before the
first page is fetched. So ``start()`` asks for the next source only when

- fewer than ``window`` sources (twice ``CONCURRENT_REQUESTS``) await their
  document's answer, and
- fewer than ``NEWSMON_MAX_QUEUED`` requests wait in the scheduler;

which bounds the queue at about ``NEWSMON_MAX_QUEUED`` plus the pages of a
window of documents. A full window is woken when half of it has answered
(the ledger says so), and sources go out again in one batch. Sources are
asked for one host at a time in turn (``in_host_turns``), so that a window
spans as many hosts as there are and no host's own limit idles the others.
When nothing is queued or in flight, nothing can answer: the next source is
asked for whatever the counts say.
"""

from __future__ import annotations

import asyncio
import contextlib
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
POLL_SECONDS = 0.02  # how often start() looks at a full queue again
ANSWER_WAIT_SECONDS = 1.0


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
        self._half_answered = asyncio.Event()
        ledger.on_answered = self._answered

    async def next(self) -> None:
        """Return when one more source may be asked for; it then counts as asked."""
        while (wait := self._holding_back()) is not None:
            if wait == "answers":
                # Woken once half the window has answered, so sources go out in batches; the
                # timeout only guards against an answer that never comes.
                self._half_answered.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._half_answered.wait(), ANSWER_WAIT_SECONDS)
            else:
                await asyncio.sleep(POLL_SECONDS)  # Scrapy tells no one when its queue shrinks
        self.asked += 1

    def _answered(self) -> None:
        if self.asked - self._ledger.answered <= self.window // 2:
            self._half_answered.set()

    def _holding_back(self) -> str | None:
        """What the next source waits for: ``answers`` (the window is full), ``queue``, or None."""
        engine = self._crawler.engine
        if engine is None or not engine.running:
            return None  # stopping: the engine takes nothing more, start() must not hang
        scheduler = engine.scheduler
        if not isinstance(scheduler, Sized):
            return None  # a scheduler that cannot tell its length is not waited for
        if not engine.downloader.active and not len(scheduler):
            return None  # nothing in flight or queued: nothing will answer
        if self.asked - self._ledger.answered >= self.window:
            return "answers"
        if self.pages - self._pages_then < self._room:
            return None
        self._room = self.max_queued - len(scheduler)
        self._pages_then = self.pages
        return None if self._room > 0 else "queue"


def in_host_turns(sources: Sequence[CrawlSource]) -> list[CrawlSource]:
    """The sources one host at a time in turn, each host's in their given order."""
    by_host: dict[str, list[CrawlSource]] = {}
    for source in sources:
        by_host.setdefault(urlsplit(source.url).netloc.lower(), []).append(source)
    turns = itertools.zip_longest(*by_host.values())
    return [source for turn in turns for source in turn if source is not None]
