"""One generic spider for every sitemap source: indexes, sitemaps, Google News sitemaps.

A source's URL is a sitemap, a sitemap index or a ``robots.txt`` (its
``Sitemap:`` lines make an index). The walk of one source:

1. Child sitemaps of an index are read newest first (by ``lastmod``, else
   by a period in their URL, ``sitemap-2024-03.xml``), skipping those older
   than the source's ``max_age`` (default 2 days), at most
   ``NEWSMON_MAX_SITEMAPS`` per crawl and ``MAX_DEPTH`` indexes deep.
2. Once every sitemap has answered, the entries dated within ``max_age``
   (``news:publication_date``, else ``lastmod``) are ranked newest first;
   undated entries count only in a sitemap where no entry has a date (then
   in document order).
3. The ones not stored yet are followed in that order, at most
   ``NEWSMON_MAX_FOLLOW`` per crawl (crawler.spiders.base); the rest wait
   for the next crawl.

Sitemaps are read in full on every crawl (no validators): what is followed
depends on the time and on the follow cap, not only on the bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response, TextResponse
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.context import CrawlSource
from crawler.errors import NotASitemapError
from crawler.feeds import FeedEntry
from crawler.policy import describe_failure, discovered_request_meta
from crawler.sitemaps import SitemapEntry, parse_sitemap, period_end
from crawler.spiders.base import SOURCE, SOURCE_PRIORITY, SourceSpider
from crawler.spiders.options import SitemapOptions
from db.models import utcnow

MAX_DEPTH = 3  # levels of indexes below the source: robots.txt → index → index → sitemap
MAX_SITEMAPS = 20  # child sitemaps read per source and crawl (setting NEWSMON_MAX_SITEMAPS)


@dataclass
class _Walk:
    """One source's sitemaps during one crawl."""

    cutoff: datetime  # entries older than this are not followed
    pending: int = 1  # sitemaps requested and not answered yet
    read: int = 0
    failed: int = 0
    requested: int = 0  # child sitemaps
    http_status: int | None = None  # the source URL's
    seen: set[str] = field(default_factory=set)
    entries: list[SitemapEntry] = field(default_factory=list)


class SitemapSpider(SourceSpider):
    name = "sitemap"
    source_types = ("sitemap",)
    document = "sitemap"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._walks: dict[str, _Walk] = {}

    def source_request(self, source: CrawlSource) -> Request:
        options = source.options if isinstance(source.options, SitemapOptions) else SitemapOptions()
        walk = _Walk(cutoff=utcnow() - options.max_age, seen={source.url})
        self._walks[source.name] = walk
        return self.trusted_request(source, self.parse_sitemap)

    def parse_sitemap(self, response: Response, source: CrawlSource, depth: int = 0) -> Iterator[Request]:
        walk = self._walks[source.name]
        children: list[str] = []
        if depth == 0:
            walk.http_status = response.status
        try:
            children = self._read(response, source, depth, walk)
        except NotASitemapError as exc:
            walk.failed += 1
            if depth == 0:
                del self._walks[source.name]
                error = f"source {source.name}: {exc}"
                self.ledger.feed_done(source.name, "error", http_status=response.status, error=error)
                return
            self.ledger.problem(source.name, str(exc))
        else:
            walk.read += 1
        for child in children:
            walk.pending += 1
            yield Request(
                child,
                callback=self.parse_sitemap,
                errback=self.sitemap_failed,
                priority=SOURCE_PRIORITY,
                meta={SOURCE: source.name, **discovered_request_meta(source.url)},
                cb_kwargs={"source": source, "depth": depth + 1},
            )
        yield from self._answered(source, walk)

    def sitemap_failed(self, failure: Failure) -> Iterator[Request]:
        source: CrawlSource = failure.request.cb_kwargs["source"]  # type: ignore[attr-defined]
        walk = self._walks[source.name]
        walk.failed += 1
        self.ledger.problem(source.name, describe_failure(failure))
        yield from self._answered(source, walk)

    def _read(self, response: Response, source: CrawlSource, depth: int, walk: _Walk) -> list[str]:
        """Child sitemaps to read; a urlset's entries go to ``walk.entries``."""
        if depth == 0 and urlsplit(response.url).path == "/robots.txt" and isinstance(response, TextResponse):
            found = [SitemapEntry(url) for url in sitemap_urls_from_robots(response.text, response.url)]
            if not found:
                raise NotASitemapError(f"{response.url} names no sitemap")
            return self._children(source, found, depth, walk)
        sitemap = parse_sitemap(
            response.body, response.url, self.settings.getint("DOWNLOAD_MAXSIZE"), source.timezone
        )
        if sitemap.kind == "index":
            return self._children(source, sitemap.entries, depth, walk)
        walk.entries.extend(sitemap.entries)
        return []

    def _children(
        self, source: CrawlSource, entries: Iterable[SitemapEntry], depth: int, walk: _Walk
    ) -> list[str]:
        if depth >= MAX_DEPTH:
            self.ledger.problem(source.name, f"sitemap indexes nested deeper than {MAX_DEPTH} are not read")
            return []
        dated: list[tuple[datetime, str]] = []
        undated: list[str] = []
        for entry in entries:
            if entry.loc in walk.seen:
                continue
            walk.seen.add(entry.loc)
            date = entry.lastmod or period_end(entry.loc)
            if date is None:
                undated.append(entry.loc)
            elif date >= walk.cutoff:
                dated.append((date, entry.loc))
        dated.sort(key=lambda pair: pair[0], reverse=True)
        budget = max(0, self.settings.getint("NEWSMON_MAX_SITEMAPS", MAX_SITEMAPS) - walk.requested)
        chosen = ([loc for _, loc in dated] + undated)[:budget]
        walk.requested += len(chosen)
        return chosen

    def _answered(self, source: CrawlSource, walk: _Walk) -> Iterator[Request]:
        walk.pending -= 1
        if walk.pending > 0:
            return
        del self._walks[source.name]
        if walk.failed and not walk.entries and walk.read <= 1:
            error = f"source {source.name}: no sitemap listed in {source.url} could be read"
            self.ledger.feed_done(source.name, "error", http_status=walk.http_status, error=error)
            return
        ranked = _ranked(walk.entries, walk.cutoff)
        entries = [
            FeedEntry(
                title=e.title,
                link=e.loc,
                guid=None,
                published=e.published,
                updated=e.lastmod,
                summary="",
                language=e.language,
            )
            for e in ranked
        ]
        to_follow = self.new_entries(source, entries)[: self.follow_limit()]
        self.ledger.feed_done(
            source.name, "ok", http_status=walk.http_status, entries=len(entries), followed=len(to_follow)
        )
        yield from self.follow(source, to_follow, language_hint=source.language, ranked=True)


def _ranked(entries: list[SitemapEntry], cutoff: datetime) -> list[SitemapEntry]:
    """Entries within the age bound, newest first, each URL once."""
    if any(e.date is not None for e in entries):
        fresh = [e for e in entries if e.date is not None and e.date >= cutoff]
        fresh.sort(key=lambda e: e.date or cutoff, reverse=True)
    else:
        fresh = list(entries)  # no dates at all: the sitemap's own order
    seen: set[str] = set()
    unique: list[SitemapEntry] = []
    for entry in fresh:
        if entry.loc not in seen:
            seen.add(entry.loc)
            unique.append(entry)
    return unique
