"""One generic spider for every feed source.

For each source: fetch the feed (conditionally, with the validators kept in
the database), parse it, and follow each entry whose article is not stored
yet — by canonical URL or GUID, checked in the database, since Scrapy's
duplicate filter lives for one crawl only. A stored article's page is never
fetched again.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from crawler.context import CrawlContext, CrawlSource
from crawler.errors import ContextError, NotAFeedError, UnknownSourceError
from crawler.failures import is_permanent
from crawler.feeds import FeedEntry, parse_feed
from crawler.items import ArticleItem
from crawler.outcomes import CrawlLedger
from crawler.policy import describe_failure, discovered_request_meta, trusted_request_meta
from crawler.urls import identity
from db.store import SourceSpec, guid_key, known_keys, sync_sources, url_key, validators

SOURCE = "newsmon_source"  # request meta: the source a request belongs to
FEED_TYPES = ("feed",)


class FeedSpider(scrapy.Spider):
    name = "feed"

    context: CrawlContext
    sources: tuple[CrawlSource, ...]
    ledger: CrawlLedger

    def __init__(
        self,
        *args: Any,
        context: CrawlContext | None = None,
        sources: Sequence[str] | str | None = None,
        source: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._given_context = context
        # `scrapy crawl feed -a source=a,b` gives a string.
        wanted = sources if sources is not None else source
        self._wanted = [s for s in wanted.split(",") if s] if isinstance(wanted, str) else wanted
        self._following: set[str] = set()
        self._body_hashes: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> FeedSpider:
        spider: FeedSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.context = spider._given_context or _context_from_settings(crawler)
        spider.sources = select_sources(spider.context, spider._wanted, FEED_TYPES)
        spider.ledger = CrawlLedger(((s.name, s.url) for s in spider.sources), spider.context.on_progress)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        database = self.context.database
        sync_sources(database, (SourceSpec(s.name, s.type, s.url) for s in self.sources))
        for source in self.sources:
            known = validators(database, source.name)
            self._body_hashes[source.name] = known.body_hash
            headers: dict[str, str] = {}
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
            yield Request(
                source.url,
                headers=headers,
                callback=self.parse_feed,
                errback=self.feed_failed,
                dont_filter=True,
                priority=10,  # feeds before pages: every source gets its outcome early
                meta={SOURCE: source.name, "handle_httpstatus_list": [304], **trusted_request_meta()},
                cb_kwargs={"source": source},
            )

    def parse_feed(self, response: Response, source: CrawlSource) -> Iterator[Request]:
        if response.status == 304:
            self.ledger.feed_done(source.name, "not_modified", http_status=304)
            return
        body_hash = hashlib.sha256(response.body).hexdigest()
        if body_hash == self._body_hashes.get(source.name):
            self.ledger.feed_done(source.name, "unchanged", http_status=response.status)
            return
        content_type = response.headers.get("Content-Type")
        try:
            feed = parse_feed(
                response.body,
                response.url,
                {"content-type": content_type.decode("latin-1")} if content_type else None,
            )
        except NotAFeedError as exc:
            self.ledger.feed_done(
                source.name, "error", http_status=response.status, error=f"source {source.name}: {exc}"
            )
            return
        if feed.bozo:
            self.logger.debug(
                "source %s: %s is malformed but readable: %s", source.name, response.url, feed.bozo
            )
        to_follow = self._new_entries(source, feed.entries)
        self.ledger.feed_done(
            source.name,
            "ok",
            http_status=response.status,
            entries=len(feed.entries),
            followed=len(to_follow),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            body_hash=body_hash,
        )
        language_hint = source.language or feed.language
        for entry in to_follow:
            assert entry.link is not None
            yield Request(
                entry.link,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={SOURCE: source.name, **discovered_request_meta(source.url)},
                cb_kwargs={"source": source.name, "entry": entry, "language_hint": language_hint},
            )

    def _new_entries(self, source: CrawlSource, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
        """Entries whose article is neither stored nor already being fetched in this crawl."""
        keyed: list[tuple[FeedEntry, list[str]]] = []
        for entry in entries:
            if entry.link is None:
                self.ledger.problem(source.name, f"entry {entry.guid or entry.title!r} has no link")
                continue
            keys = [url_key(identity(entry.link))]
            if entry.guid:
                keys.append(guid_key(source.name, entry.guid))
            keyed.append((entry, keys))
        known = known_keys(self.context.database, [k for _, keys in keyed for k in keys])
        new: list[FeedEntry] = []
        for entry, keys in keyed:
            if known.intersection(keys) or self._following.intersection(keys):
                continue
            self._following.update(keys)
            new.append(entry)
        return new

    def parse_article(
        self, response: Response, source: str, entry: FeedEntry, language_hint: str | None
    ) -> Iterator[ArticleItem]:
        html = response.text if isinstance(response, TextResponse) else None
        yield ArticleItem(source, entry, page_url=response.url, html=html, language_hint=language_hint)

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        request = failure.request  # type: ignore[attr-defined]
        kwargs = request.cb_kwargs
        problem = describe_failure(failure)
        if is_permanent(failure):
            # Gone or forbidden for good: the feed's own title and summary are all there will be.
            self.ledger.problem(kwargs["source"], problem + " (stored from the feed)")
            yield ArticleItem(kwargs["source"], kwargs["entry"], language_hint=kwargs["language_hint"])
        else:
            # Left unstored, so the next poll tries the page again.
            self.ledger.page_done(kwargs["source"], stored=False, url=request.url, problem=problem)

    def feed_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source: CrawlSource = request.cb_kwargs["source"]
        response = getattr(failure.value, "response", None)
        self.ledger.feed_done(
            source.name,
            "error",
            http_status=response.status if response is not None else None,
            error=f"source {source.name}: {describe_failure(failure)}",
        )


def select_sources(
    context: CrawlContext, names: Sequence[str] | None, types: Sequence[str] | None = None
) -> tuple[CrawlSource, ...]:
    """The named sources (all when ``names`` is None), restricted to ``types``."""
    if names is None:
        chosen = context.sources
    else:
        unknown = [n for n in names if context.source(n) is None]
        if unknown:
            raise UnknownSourceError(unknown, [s.name for s in context.sources])
        chosen = tuple(s for s in context.sources if s.name in set(names))
    return tuple(s for s in chosen if types is None or s.type in types)


def _context_from_settings(crawler: Crawler) -> CrawlContext:
    path = crawler.settings.get("NEWSMON_CONTEXT_FACTORY")
    if not path:
        raise ContextError("no CrawlContext given and NEWSMON_CONTEXT_FACTORY is not set")
    try:
        # "package.module:function" (entry-point style) or Scrapy's "package.module.function".
        factory = load_object(path.replace(":", "."))
    except (ImportError, NameError, ValueError) as exc:
        raise ContextError(f"cannot load NEWSMON_CONTEXT_FACTORY {path!r}: {exc}") from exc
    context = factory(crawler.settings)
    if not isinstance(context, CrawlContext):
        raise ContextError(f"{path} returned {type(context).__name__}, not a CrawlContext")
    return context


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
