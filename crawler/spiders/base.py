"""What every source spider shares: its sources, its source requests, following article links.

A spider serves the sources of some ``type`` in the CrawlContext. It fetches
each source's own document (a feed, a listing page, a sitemap) as a trusted
request, reads article links from it as ``FeedEntry`` values, and follows
(``follow``) each entry whose article is not stored yet — by canonical URL or
GUID, checked in the database, since Scrapy's duplicate filter lives for one
crawl only. A stored article's page is never fetched again. Links are
discovered URLs: the address policy applies to them (crawler.policy). The
pipelines (crawler.pipelines) extract, merge, key and store each page.

An article without its page is stored from the source's document alone
(``from_document``, marked ``text_from: feed``): an entry without a link
(keyed by its id), a page gone for good, and a page that kept failing
transiently for ``NEWSMON_PAGE_RETRY_FOR`` — until then it is asked again on
later crawls, whatever the document says (crawler.retries).

Sources are asked for lazily, so that the pages waiting in Scrapy's queue
stay few (crawler.spiders.pacing).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from crawler.context import CrawlContext, CrawlSource
from crawler.errors import ContextError, UnknownSourceError
from crawler.failures import is_permanent
from crawler.feeds import FeedEntry
from crawler.items import ArticleItem
from crawler.middlewares import NOT_MODIFIED, NotModified
from crawler.outcomes import CrawlLedger
from crawler.policy import describe_failure, discovered_request_meta, trusted_request_meta
from crawler.retries import RetryPolicy, pack_entry, unpack_entry
from crawler.selectors import PageFields
from crawler.spiders.pacing import SourcePacer, in_host_turns
from crawler.urls import identity
from db.models import utcnow
from db.store import (
    FailedPage,
    RetryPage,
    SourceSpec,
    Validators,
    forget_page,
    guid_key,
    known_keys,
    pending_pages,
    record_page_failure,
    sync_sources,
    url_key,
    validators_of,
)

SOURCE = "newsmon_source"  # request meta: the source a request belongs to
NO_VALIDATORS = Validators(None, None, None)
RETRY = "newsmon_page_retry"  # request meta: a page asked again after an earlier crawl's failure
SOURCE_PRIORITY = 10  # source documents before article pages: every source gets its outcome early
# Listing pages and sitemaps can list thousands of links: at most this many pages per source and crawl
# (setting NEWSMON_MAX_FOLLOW); the rest wait for the next crawl.
MAX_FOLLOW = 100


class SourceSpider(scrapy.Spider):
    """Base class: subclasses set ``name`` and ``source_types`` and implement ``source_request``."""

    source_types: ClassVar[tuple[str, ...]] = ()
    # What the source's document is called in problems ("stored from the feed").
    document: ClassVar[str] = "source"

    context: CrawlContext
    sources: tuple[CrawlSource, ...]
    ledger: CrawlLedger
    retry_policy: RetryPolicy
    pacer: SourcePacer

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
        self._following: dict[str, str] = {}  # keys of the articles being fetched → their source
        self._body_hashes: dict[str, str | None] = {}
        self._validators: dict[str, Validators] = {}  # read once for every source, as the crawl starts
        self._synced: set[str] = set()  # sources whose row this spider made sure of

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.context = spider._given_context or _context_from_settings(crawler)
        spider.sources = select_sources(spider.context, spider._wanted, cls.source_types)
        spider.ledger = CrawlLedger(((s.name, s.url) for s in spider.sources), spider.context.on_progress)
        spider.retry_policy = RetryPolicy.from_settings(crawler.settings)
        spider.pacer = SourcePacer(crawler, spider.ledger)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        retries = self.open_sources(self.sources)
        for source in in_host_turns(self.sources):
            await self.pacer.next()
            yield self.source_request(source)
            for request in self.retry_requests(source, retries.get(source.name, ())):
                yield request

    def open_sources(self, sources: Sequence[CrawlSource]) -> dict[str, list[RetryPage]]:
        """Before the sources' first requests: their rows, validators and failed pages due again."""
        # A long-lived spider crawls its sources again and again, as configured: one write each, once.
        if fresh := [s for s in sources if s.name not in self._synced]:
            sync_sources(self.context.database, (SourceSpec(s.name, s.type, s.url) for s in fresh))
            self._synced.update(s.name for s in fresh)
        retries = self._due_retries(sources)
        self._validators.update(validators_of(self.context.database, (s.name for s in sources)))
        return retries

    def retry_requests(self, source: CrawlSource, pages: Sequence[RetryPage]) -> Iterator[Request]:
        for page in pages:
            entry, language_hint = unpack_entry(page.entry)
            yield self._page_request(source, entry, language_hint=language_hint, retry=True)

    def forget_source(self, source: str) -> None:
        """Drop what this spider keeps of a source's crawl: a long-lived spider crawls it again later."""
        self._following = {key: name for key, name in self._following.items() if name != source}
        self._body_hashes.pop(source, None)
        self._validators.pop(source, None)

    def source_request(self, source: CrawlSource) -> Request:
        raise NotImplementedError

    # ------------------------------------------------------------ the source's document

    def trusted_request(
        self,
        source: CrawlSource,
        callback: Callable[..., Any],
        *,
        headers: Mapping[str, str] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Request:
        """A request for the source's own URL, which the operator configured."""
        return Request(
            source.url,
            headers=dict(headers or {}),
            callback=callback,
            errback=self.source_failed,
            dont_filter=True,
            priority=SOURCE_PRIORITY,
            meta={SOURCE: source.name, **trusted_request_meta(), **(meta or {})},
            cb_kwargs={"source": source},
        )

    def conditional_request(self, source: CrawlSource, callback: Callable[..., Any]) -> Request:
        """A source request with the validators kept in the database; a 304 reaches ``callback``."""
        known = self._validators.get(source.name, NO_VALIDATORS)
        self._body_hashes[source.name] = known.body_hash
        headers: dict[str, str] = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        # A 304 ends at source_failed (crawler.middlewares); without that middleware, at ``callback``.
        meta = {"handle_httpstatus_list": [304], NOT_MODIFIED: True}
        return self.trusted_request(source, callback, headers=headers, meta=meta)

    def changed_body_hash(self, response: Response, source: CrawlSource) -> str | None:
        """The body's hash when the document changed; None after recording a 304 or the same bytes."""
        if response.status == 304:
            self.ledger.feed_done(source.name, "not_modified", http_status=304)
            return None
        body_hash = hashlib.sha256(response.body).hexdigest()
        if body_hash == self._body_hashes.get(source.name):
            self.ledger.feed_done(source.name, "unchanged", http_status=response.status)
            return None
        return body_hash

    def source_failed(self, failure: Failure) -> Failure | None:
        request = failure.request  # type: ignore[attr-defined]
        source: CrawlSource = request.cb_kwargs["source"]
        if isinstance(failure.value, NotModified):
            self.ledger.feed_done(source.name, "not_modified", http_status=304)
            # Given back: Scrapy drops an IgnoreRequest silently and has no output to process.
            return failure
        response = getattr(failure.value, "response", None)
        self.ledger.feed_done(
            source.name,
            "error",
            http_status=response.status if response is not None else None,
            error=f"source {source.name}: {describe_failure(failure)}",
        )
        return None

    # ------------------------------------------------------------ article pages

    def _due_retries(self, sources: Sequence[CrawlSource]) -> dict[str, list[RetryPage]]:
        """Failed pages whose back-off has passed, per source (counted in the ledger already).

        Every pending page's keys count as being fetched, so that the document
        listing it again does not bypass its back-off.
        """
        now = utcnow()
        due: dict[str, list[RetryPage]] = {}
        for page in pending_pages(self.context.database, [s.name for s in sources]):
            self._following.update(dict.fromkeys(page.keys, page.source))
            if page.next_attempt <= now:
                due.setdefault(page.source, []).append(page)
        for name, pages in due.items():
            del pages[self.follow_limit() :]
            self.ledger.retrying(name, len(pages))
        return due

    def new_entries(self, source: CrawlSource, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
        """Entries whose article is neither stored nor already being fetched in this crawl, in order."""
        keyed: list[tuple[FeedEntry, list[str]]] = []
        for entry in entries:
            keys = entry_keys(source.name, entry)
            if not keys:
                self.ledger.problem(source.name, f"entry {entry.title!r} has neither a link nor an id")
                continue
            keyed.append((entry, keys))
        known = known_keys(self.context.database, [k for _, keys in keyed for k in keys])
        new: list[FeedEntry] = []
        for entry, keys in keyed:
            if known.intersection(keys) or not self._following.keys().isdisjoint(keys):
                continue
            self._following.update(dict.fromkeys(keys, source.name))
            new.append(entry)
        return new

    def follow(
        self,
        source: CrawlSource,
        entries: Sequence[FeedEntry],
        *,
        language_hint: str | None,
        ranked: bool = False,
        raw_links: Mapping[str, str] | None = None,
    ) -> Iterator[Request]:
        """Requests for the entries' pages. ``ranked``: fetched in the given order (best first).

        ``raw_links`` maps a link to its spelling in the content, for the address policy.
        """
        for rank, entry in enumerate(entries):
            raw = raw_links.get(entry.link) if raw_links and entry.link else None
            # Scrapy's default queue is last-in first-out: only priorities keep an order.
            yield self._page_request(
                source, entry, language_hint=language_hint, priority=-rank if ranked else 0, raw=raw
            )

    def _page_request(
        self,
        source: CrawlSource,
        entry: FeedEntry,
        *,
        language_hint: str | None,
        priority: int = 0,
        raw: str | None = None,
        retry: bool = False,
    ) -> Request:
        assert entry.link is not None, "entries without a link are stored from_document"
        self.pacer.pages += 1
        return Request(
            entry.link,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=priority,
            meta={SOURCE: source.name, RETRY: retry, **discovered_request_meta(source.url, raw)},
            cb_kwargs={"source": source.name, "entry": entry, "language_hint": language_hint},
        )

    def from_document(self, source: str, entry: FeedEntry, language_hint: str | None) -> ArticleItem:
        """The article as the source's document tells it, without its page (``text_from: feed``)."""
        return ArticleItem(source, entry, language_hint=language_hint)

    def document_of(self, source: str) -> str:
        """What the source's document is called in problems ("stored from the feed")."""
        return self.document

    def follow_limit(self) -> int:
        return max(1, self.settings.getint("NEWSMON_MAX_FOLLOW", MAX_FOLLOW))

    def parse_article(
        self, response: Response, source: str, entry: FeedEntry, language_hint: str | None
    ) -> Iterator[ArticleItem]:
        if response.meta.get(RETRY) and entry.link:
            forget_page(self.context.database, source, entry.link)
        html = response.text if isinstance(response, TextResponse) else None
        yield ArticleItem(
            source,
            entry,
            page_url=response.url,
            html=html,
            language_hint=language_hint,
            selected=self.selected_fields(response, source),
        )

    def selected_fields(self, response: Response, source: str) -> PageFields | None:
        """Values the source's own selectors read from an article page (html sources)."""
        return None

    def article_failed(self, failure: Failure) -> Iterator[ArticleItem]:
        request = failure.request  # type: ignore[attr-defined]
        kwargs = request.cb_kwargs
        source: str = kwargs["source"]
        entry: FeedEntry = kwargs["entry"]
        language_hint: str | None = kwargs["language_hint"]
        link = entry.link or request.url  # pending pages are known by their entry's link
        problem = describe_failure(failure)
        self.ledger.page_failed(source, problem)
        if is_permanent(failure):
            # Gone or forbidden for good: what the source's document said is all there will be.
            if request.meta.get(RETRY):
                forget_page(self.context.database, source, link)
            yield from self._without_page(source, entry, language_hint, problem)
            return
        page = FailedPage(source, link, tuple(entry_keys(source, entry)), pack_entry(entry, language_hint))
        pending = record_page_failure(self.context.database, page, problem, self.retry_policy.delay)
        if pending is not None and self.retry_policy.given_up(pending.first_failed, utcnow()):
            forget_page(self.context.database, source, link)
            since = f"{pending.first_failed:%Y-%m-%d %H:%M} UTC"
            yield from self._without_page(source, entry, language_hint, f"{problem} Failing since {since}")
            return
        when = f" (asked again after {pending.next_attempt:%Y-%m-%d %H:%M} UTC)" if pending else ""
        self.ledger.page_done(source, stored=False, url=request.url, problem=problem + when)

    def _without_page(
        self, source: str, entry: FeedEntry, language_hint: str | None, problem: str
    ) -> Iterator[ArticleItem]:
        if entry.title or entry.summary or entry.content:
            self.ledger.problem(source, f"{problem} (stored from the {self.document_of(source)})")
            yield self.from_document(source, entry, language_hint)
        else:
            self.ledger.page_done(source, stored=False, url=entry.link, problem=problem)


def select_sources(
    context: CrawlContext, names: Sequence[str] | None, types: Sequence[str] | None = None
) -> tuple[CrawlSource, ...]:
    """The named sources (all when ``names`` is None), restricted to ``types`` (all when empty)."""
    if names is None:
        chosen = context.sources
    else:
        known = {s.name for s in context.sources}
        if unknown := [n for n in names if n not in known]:
            raise UnknownSourceError(unknown, [s.name for s in context.sources])
        wanted = set(names)
        chosen = tuple(s for s in context.sources if s.name in wanted)
    return tuple(s for s in chosen if not types or s.type in types)


def entry_keys(source: str, entry: FeedEntry) -> list[str]:
    """The keys an entry's article is known by: its link's identity and its GUID."""
    keys = [url_key(identity(entry.link))] if entry.link else []
    if entry.guid:
        keys.append(guid_key(source, entry.guid))
    return keys


def response_header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


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
