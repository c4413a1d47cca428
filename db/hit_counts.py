"""How many articles a full-text query found the last time it ran, when they all fit on its page.

SQLite can rank a query's hits two ways, with the same hits, order,
scores and snippets; which one is faster depends on how many hits there
are, and only running the query tells:

- FTS5's ``ORDER BY rank`` sorts inside the index and makes snippets for
  the returned rows only, but prepares a statement of its own on every
  query and counts each phrase's matches once more for the score read
  beside it: that fixed cost is most of a rare term's search.
- SQLite's own top-N sort (``ORDER BY score LIMIT n``) has none of that
  cost, but makes a snippet for every row that enters its top n on the
  way, about n·(1 + ln(hits / n)) of them: three times too many at a few
  hundred hits.

So a query is ranked by FTS5 until a run shows that all its hits fit on
the page; then, asked again, it is ranked by SQLite. A count that has
grown since costs speed only: the SQLite ranking is as right at any count,
and a full page there sends the query back to FTS5.
"""

from __future__ import annotations

import threading

_CAPACITY = 1024  # as many as the parsed queries db.search keeps


class HitCounts:
    """Bounded and thread-safe: a search may run on any of the web server's threads."""

    def __init__(self, capacity: int = _CAPACITY) -> None:
        self._counts: dict[tuple[str, str], int] = {}
        self._capacity = capacity
        self._lock = threading.Lock()

    def fits(self, database: str, match: str, limit: int) -> bool:
        """Whether the query's hits, as last counted, all fit on a page of ``limit``."""
        count = self._counts.get((database, match))
        return count is not None and count < limit

    def record(self, database: str, match: str, limit: int, found: int) -> None:
        """A run found ``found`` hits on a page of ``limit``: the whole count if fewer."""
        key = (database, match)
        with self._lock:
            if found >= limit:
                self._counts.pop(key, None)
                return
            if key not in self._counts and len(self._counts) >= self._capacity:
                del self._counts[next(iter(self._counts))]  # the oldest: dicts keep insertion order
            self._counts[key] = found

    def clear(self) -> None:
        """Forget every count (``benchmarks.search`` times a query asked for the first time)."""
        with self._lock:
            self._counts.clear()
