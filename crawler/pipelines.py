"""Item pipelines, in order: extract, merge, canonical URL, language, lead, assess, store.

Each does one job and rejects with ``DropItem("why")``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from scrapy.exceptions import DropItem

from crawler.extract import EMPTY, extract_page
from crawler.items import ArticleItem
from crawler.language import detect_language, warm_up
from crawler.merge import choose_title, choose_url
from crawler.text import lead, truncate
from crawler.urls import canonicalize, identity, resolve
from db.facts import ArticleFacts
from db.store import NewArticle, ToStore, guid_key, store_articles, store_each, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.spiders.base import SourceSpider

BATCH_ARTICLES = 100  # articles written in one transaction, at most
BATCH_SECONDS = 0.2  # how long the first article of a batch may wait for others


class _Pipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    @property
    def spider(self) -> SourceSpider:
        spider = self.crawler.spider
        assert spider is not None
        return spider  # type: ignore[return-value]


def _article(item: Any) -> ArticleItem:
    if not isinstance(item, ArticleItem):
        raise DropItem(f"not an article: {type(item).__name__}")
    return item


class ExtractPipeline(_Pipeline):
    """The page's text and metadata, with trafilatura; a source's field selectors win where they match."""

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        if article.html:
            source = self.spider.context.source(article.source)
            article.page = extract_page(article.html, source.timezone if source else UTC)
            article.html = None  # the HTML is large and no later pipeline needs it
            self.spider.ledger.page_extracted(article.source, ok=bool(article.page.text.strip()))
        if article.selected is not None:
            article.page = article.selected.over(article.page or EMPTY)
        return article


# No headline is longer: a hostile one would cost every later step (detection, the story's
# embedding, each alert) its whole length.
TITLE_LIMIT = 500


class MetadataPipeline(_Pipeline):
    """The article's fields: the page's, with the feed's as fallback (the feed's date first)."""

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        entry, page = article.entry, article.page
        article.title = truncate(choose_title(page.title if page else "", entry.title), TITLE_LIMIT)
        # A paywall or a consent wall leaves a short page text while the feed carries the article.
        article.text = max(page.text if page else "", entry.content, key=len) or entry.summary
        article.summary = (page.description if page else "") or entry.summary
        article.authors = (page.authors if page else ()) or entry.authors
        # A feed's date has a time; a page's is often a day only.
        article.published = entry.published or (page.published if page else None) or entry.updated
        if not article.title and not article.text:
            raise DropItem(f"no title and no text for {article.page_url or entry.link}", log_level="INFO")
        return article


class CanonicalUrlPipeline(_Pipeline):
    """The canonical URL, and every key the article is known by (URL variants, GUID).

    An entry without a link is known by its GUID alone; its URL is the GUID
    when that is a web address, else the source's URL with the GUID as fragment.
    """

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        entry = article.entry
        if entry.link is None and article.page_url is None and entry.guid:
            source = self.spider.context.source(article.source)
            article.url = _guid_url(entry.guid, source.url if source else "")
            article.keys = (guid_key(article.source, entry.guid),)
            return article
        canonical = choose_url(
            article.entry.link, article.page_url, article.page.canonical if article.page else None
        )
        if canonical is None:
            raise DropItem(
                f"no URL for entry {article.entry.guid or article.entry.title!r}", log_level="INFO"
            )
        article.url = canonical
        urls = (canonical, article.page_url, article.entry.link)
        keys = [url_key(identity(u)) for u in urls if u]
        if article.entry.guid:
            keys.append(guid_key(article.source, article.entry.guid))
        article.keys = tuple(dict.fromkeys(keys))
        return article


def _guid_url(guid: str, source_url: str) -> str:
    if resolve(guid, guid) == guid:
        return canonicalize(guid)
    return f"{source_url.partition('#')[0]}#{quote(guid, safe='')}"


class LanguagePipeline(_Pipeline):
    """ISO 639-1 detected from the text; the page's, feed's and source's languages are hints."""

    def open_spider(self) -> None:
        warm_up()

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        hints = (
            article.page.language if article.page else None,
            article.entry.language,
            article.language_hint,
        )
        article.language = detect_language(f"{article.title}\n{article.text}", hints)
        return article


class LeadPipeline(_Pipeline):
    """The first paragraph of the text, at most 400 characters."""

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        article.lead = lead(article.text) or lead(article.summary)
        return article


class AssessPipeline(_Pipeline):
    """Event detection, rule matching and the story's embedding (the context's ``assess``), before
    the store's transaction.

    They take the CPU time; done here, the write transaction stays short.
    """

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        assess = self.spider.context.assess
        if assess is not None:
            article.assessment = assess(new_article(article))
        return article


class StorePipeline(_Pipeline):
    """Articles with their keys, facts, story, alerts and the on_stored hook, several to a transaction.

    An article leaves this pipeline (counted stored, its source free to be
    recorded, its alerts due) only once its transaction has committed: a
    process killed before loses only articles not yet acknowledged, which the
    next crawl fetches again. A batch is written when it holds
    ``BATCH_ARTICLES``, ``BATCH_SECONDS`` after its first article, as soon as
    a source's last awaited page is in it, and when the spider closes.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._waiting: list[tuple[ArticleItem, asyncio.Future[int | None]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        loop = asyncio.get_running_loop()
        stored: asyncio.Future[int | None] = loop.create_future()
        self._waiting.append((article, stored))
        if len(self._waiting) >= BATCH_ARTICLES or self._last_awaited(article.source):
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(BATCH_SECONDS, self._flush)
        article.article_id = await stored
        if article.article_id is None:
            raise DropItem(f"already stored: {article.url}", log_level="DEBUG")
        return article

    def close_spider(self) -> None:
        self._flush()

    def _last_awaited(self, source: str) -> bool:
        """Whether every page ``source`` still waits for is in the batch: its recording need not wait."""
        report = self.spider.ledger.reports.get(source)
        if report is None or report.outcome is None:
            return False
        waiting = sum(1 for article, _ in self._waiting if article.source == source)
        return report.done + waiting >= report.followed + report.retried

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        if not batch:
            return
        try:
            results = self._store([_to_store(article) for article, _ in batch])
        except Exception as exc:  # noqa: BLE001 - every item fails with it rather than wait forever
            results = [exc] * len(batch)
        for (article, stored), result in zip(batch, results, strict=True):
            if stored.done():  # cancelled with the crawl
                continue
            if isinstance(result, Exception):
                stored.set_exception(result)
                continue
            if result is not None:
                self.spider.ledger.page_done(article.source, stored=True, url=article.url)
            stored.set_result(result)

    def _store(self, entries: list[ToStore]) -> list[int | Exception | None]:
        """Each article's id, None when it was known already, or the exception that kept it out."""
        context = self.spider.context
        try:
            return list(store_articles(context.database, entries, context.on_stored))
        except Exception as exc:  # noqa: BLE001 - handed to the item it belongs to, which Scrapy reports
            if len(entries) == 1:
                return [exc]
        # The batch wrote nothing. One article's failure (a conflict with another writer, its hook, a
        # value the database refuses) must not cost the others: one transaction each.
        return store_each(context.database, entries, context.on_stored)


def _to_store(article: ArticleItem) -> ToStore:
    assessment = article.assessment
    if assessment is None:
        return ToStore(new_article(article))
    return ToStore(new_article(article), assessment.matches, assessment.story)


def new_article(article: ArticleItem) -> NewArticle:
    """The article as the store takes it, with its facts once assessed."""
    return NewArticle(
        source=article.source,
        url=article.url,
        title=article.title,
        keys=article.keys,
        guid=article.entry.guid,
        authors=article.authors,
        published=article.published,
        language=article.language,
        summary=article.summary,
        lead=article.lead,
        text=article.text,
        text_from="page" if article.page_url else "feed",
        facts=article.assessment.facts if article.assessment else ArticleFacts(),
    )
