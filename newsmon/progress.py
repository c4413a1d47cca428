"""A progress display for `newsmon crawl` on a terminal; silent otherwise.

It draws on the console the log handler writes to (``newsmon.logs``), so a
log line is printed above the progress line, never into it.
"""

from __future__ import annotations

from collections import Counter
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from newsmon import logs


class CrawlProgress:
    def __init__(self, *, enabled: bool, console: Console | None = None) -> None:
        self.enabled = enabled
        self.console = console or logs.console()
        self.counts: Counter[str] = Counter()
        self._live: Live | None = None

    def __enter__(self) -> CrawlProgress:
        if self.enabled:
            self._live = Live(self._render(), console=self.console, refresh_per_second=8, transient=True)
            self._live.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)

    def update(self, event: Any) -> None:
        self.counts[str(getattr(event, "kind", event))] += 1
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Text:
        parts = [f"{kind.replace('_', ' ')}: {n}" for kind, n in sorted(self.counts.items())]
        return Text("crawling… " + ("  ".join(parts) if parts else "starting"))
