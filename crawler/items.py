"""Items: one article on its way from the spider through the pipelines to the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.extract import PageContent
from crawler.feeds import FeedEntry
from crawler.selectors import PageFields
from db.store import Assessment


@dataclass
class ArticleItem:
    """The spider fills the first block; each pipeline fills its own fields below."""

    source: str
    entry: FeedEntry = field(repr=False)  # its summary and content would fill a log line
    page_url: str | None = None  # after redirects; None when the page could not be fetched
    html: str | None = field(default=None, repr=False)
    language_hint: str | None = None  # the source's configured language
    selected: PageFields | None = field(default=None, repr=False)  # by the source's field selectors

    page: PageContent | None = field(default=None, repr=False)  # ExtractPipeline
    title: str = ""  # MetadataPipeline, with the fields down to published
    text: str = field(default="", repr=False)
    summary: str = field(default="", repr=False)
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    url: str = ""  # CanonicalUrlPipeline: the canonical URL and every key the article is known by
    keys: tuple[str, ...] = ()
    language: str | None = None  # LanguagePipeline
    lead: str = field(default="", repr=False)  # LeadPipeline
    assessment: Assessment | None = field(default=None, repr=False)  # AssessPipeline
    article_id: int | None = None  # StorePipeline
