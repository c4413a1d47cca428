"""What a crawl needs from the outside: the database, the sources, the hooks.

Sources are plain values built from the configuration; the spider and the
pipelines read everything they need from the ``CrawlContext`` and never from
a global.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from types import MappingProxyType
from typing import Any

from db.engine import Database
from db.options import Options
from db.store import Assess, OnStored


@dataclass(frozen=True)
class CrawlSource:
    name: str
    type: str  # "feed", "html" or "sitemap": crawler.spiders.SPIDERS says which spider serves it
    url: str
    language: str | None = None  # a hint from the configuration, for short or ambiguous texts
    # The type's options model (crawler.spiders.options); None: the type's defaults.
    options: Options | None = None
    timezone: tzinfo = UTC  # the zone of the source's dates written without an offset


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a crawl, for progress displays.

    ``kind`` is ``feed`` (the feed was fetched: ``entries`` in it, ``pending``
    pages to fetch), ``article`` (one page done: ``stored`` is 1 when it became
    a new article) or ``done`` (the source is finished; ``outcome`` is set).
    """

    source: str
    kind: str
    entries: int = 0
    pending: int = 0
    stored: int = 0
    outcome: str | None = None
    url: str | None = None
    error: str | None = None


def _empty_settings() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class CrawlContext:
    database: Database
    sources: tuple[CrawlSource, ...]
    # Event detection and rule matching of each new article, before the transaction that stores
    # its facts and alerts.
    assess: Assess | None = None
    # Called inside the transaction that stores each new article.
    on_stored: OnStored | None = None
    # Scrapy setting overrides from newsmon's configuration (USER_AGENT, DOWNLOAD_TIMEOUT, ...).
    settings: Mapping[str, Any] = field(default_factory=_empty_settings)
    on_progress: Callable[[ProgressEvent], None] | None = None

    def source(self, name: str) -> CrawlSource | None:
        return next((s for s in self.sources if s.name == name), None)
