"""What the last run of a full-text query left: whether its hits all fitted on its page, and how
low its page's scores went.

SQLite can rank a query's hits three ways, with the same hits, order,
scores and snippets; which one is fastest depends on what is known before
the query runs:

- Hits that all fit on the page are read in one pass of the index, each
  with its score and snippet, and sorted by ``db.search``: one opening of
  the index and one count of each phrase for the scores, nothing more.
  Whether they fit, the first time, is counted in the same statement (its
  first ``limit + 1`` hits, no score read), for less than either cost below.
- FTS5's ``ORDER BY rank`` sorts inside the index and makes snippets for
  the returned rows only, but prepares a statement of its own on every
  query and counts each phrase's matches once more for the score read
  beside it: that fixed cost is most of a rare term's search, and a fifth
  of a phrase's. It ranks a query with more hits than its page the first
  time.
- SQLite's own top-N sort (``ORDER BY score LIMIT n``) has none of that
  cost, but makes a snippet for every row that enters its top n on the
  way, about n·(1 + ln(hits / n)) of them: three times too many at a few
  hundred hits. Unless the lowest score the page will hold is known: then
  a row below it gets no snippet, and about n rows get one.

So a query's page tells the score of its last hit (its *floor*), or that
all its hits fitted. Asked again, a query whose hits fitted is read in one
pass without the count (a page they no longer fit in sends it to FTS5's
sort), and the others are ranked by SQLite, with snippets for the rows at
or above the floor. A floor gone stale costs speed only: a new article that
matches lowers every score a little, and the page's rows left below the
floor get their snippets one by one (``db.search``); the new floor is kept.
"""

from __future__ import annotations

import threading

_CAPACITY = 1024  # as many as the parsed queries db.search keeps

ALL_FIT = float("-inf")
"""The floor of a query whose hits all fit on the page: every row gets its snippet."""


class HitCounts:
    """Bounded and thread-safe: a search may run on any of the web server's threads."""

    def __init__(self, capacity: int = _CAPACITY) -> None:
        # Per (database, MATCH text): the page's size, whether it held every hit, its last score.
        self._pages: dict[tuple[str, str], tuple[int, bool, float]] = {}
        self._capacity = capacity
        self._lock = threading.Lock()

    def floor(self, database: str, match: str, limit: int) -> float | None:
        """A score at or below that of the ``limit``-th hit, as last seen: :data:`ALL_FIT` when all
        the query's hits fit on a page of ``limit``; ``None`` when the last run cannot tell."""
        page = self._pages.get((database, match))
        if page is None:
            return None
        size, whole, last = page
        if whole and size < limit:
            return ALL_FIT
        # The limit-th hit scores at least as high as the size-th (scores fall down the page).
        return last if limit <= size else None

    def fits(self, database: str, match: str, limit: int) -> bool:
        """Whether the query's hits, as last counted, all fit on a page of ``limit``."""
        return self.floor(database, match, limit) == ALL_FIT

    def record(self, database: str, match: str, limit: int, found: int, lowest: float) -> None:
        """A run on a page of ``limit`` returned ``found`` hits, the last scoring ``lowest``."""
        key = (database, match)
        page = (found, found < limit, lowest)
        with self._lock:
            if key not in self._pages and len(self._pages) >= self._capacity:
                del self._pages[next(iter(self._pages))]  # the oldest: dicts keep insertion order
            self._pages[key] = page

    def clear(self) -> None:
        """Forget every page (``benchmarks.search`` times a query asked for the first time)."""
        with self._lock:
            self._pages.clear()
