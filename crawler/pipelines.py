"""Item pipelines, in order: extract, merge, canonical URL, language, lead, assess, store.

Each does one job and rejects with ``DropItem("why")``.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from scrapy.exceptions import DropItem

from crawler.extract import EMPTY, extract_page
from crawler.items import ArticleItem
from crawler.language import detect_language, warm_up
from crawler.merge import choose_title, choose_url
from crawler.text import lead
from crawler.urls import canonicalize, identity, resolve
from db.facts import ArticleFacts
from db.store import NewArticle, guid_key, store_article, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.spiders.base import SourceSpider


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


class MetadataPipeline(_Pipeline):
    """The article's fields: the page's, with the feed's as fallback (the feed's date first)."""

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        entry, page = article.entry, article.page
        article.title = choose_title(page.title if page else "", entry.title)
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
    """One row per article with its keys, facts, story and alerts, and the on_stored hook: one
    transaction."""

    def process_item(self, item: Any) -> ArticleItem:
        article = _article(item)
        context = self.spider.context
        assessment = article.assessment
        article.article_id = store_article(
            context.database,
            new_article(article),
            context.on_stored,
            assessment.matches if assessment else (),
            assessment.story if assessment else None,
        )
        if article.article_id is None:
            raise DropItem(f"already stored: {article.url}", log_level="DEBUG")
        self.spider.ledger.page_done(article.source, stored=True, url=article.url)
        return article


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
