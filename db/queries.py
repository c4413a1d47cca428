"""Reads for the command line and the web: one article, streams of articles, sources."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from db.engine import Database
from db.facts import ArticleFacts
from db.models import Article, CrawlJob, Source

EXPORT_BATCH = 500


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class Headline:
    """What every listing of articles shows (search hits, stored articles)."""

    id: int
    title: str
    url: str
    source: str
    published: datetime | None
    language: str | None

    def headline_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": _iso(self.published),
            "language": self.language,
        }


@dataclass(frozen=True)
class StoredArticle(Headline):
    authors: tuple[str, ...]
    summary: str
    lead: str
    text: str
    fetched: datetime
    text_from: str = "page"  # "feed": stored from the feed's own content, without its page
    facts: ArticleFacts = field(default_factory=ArticleFacts)
    story_id: int | None = None  # None: in no story (an article without facts)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.headline_dict(),
            "authors": list(self.authors),
            "summary": self.summary,
            "text": self.text,
            "text_from": self.text_from,
            "fetched": _iso(self.fetched),
            "orgs": list(self.facts.orgs),
            "events": [dict(event) for event in self.facts.events],
            "amounts": [dict(amount) for amount in self.facts.amounts],
            "story_id": self.story_id,
        }


@dataclass(frozen=True)
class SourceState:
    name: str
    type: str
    url: str
    status: str
    last_fetch: datetime | None
    last_success: datetime | None
    failures: int
    last_error: str | None
    next_run: datetime | None
    articles: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "url": self.url,
            "status": self.status,
            "last_fetch": _iso(self.last_fetch),
            "last_success": _iso(self.last_success),
            "failures": self.failures,
            "last_error": self.last_error,
            "next_run": _iso(self.next_run),
            "articles": self.articles,
        }


def _article_select() -> Select[Article, str]:
    return select(Article, Source.name).join(Source, Source.id == Article.source_id)


def _stored(article: Article, source: str) -> StoredArticle:
    return StoredArticle(
        id=article.id,
        title=article.title,
        url=article.url,
        source=source,
        published=article.published,
        language=article.language,
        authors=tuple(article.authors or ()),
        summary=article.summary,
        lead=article.lead,
        text=article.text,
        fetched=article.fetched,
        text_from=article.text_from,
        facts=ArticleFacts.of(article),
        story_id=article.story_id,
    )


def get_article(database: Database, article_id: int) -> StoredArticle | None:
    with database.read() as session:
        row = session.execute(_article_select().where(Article.id == article_id)).one_or_none()
        return _stored(row[0], row[1]) if row else None


def iter_articles(
    database: Database, since: datetime | None = None, source: str | None = None
) -> Iterator[StoredArticle]:
    """Every matching article, oldest first, fetched in keyset-paginated batches.

    Batches keep memory flat at any size (an export of 100k articles) without
    holding a read transaction open for the whole stream.
    """
    last_id = 0
    while True:
        statement = _article_select().where(Article.id > last_id)
        if since is not None:
            statement = statement.where(func.coalesce(Article.published, Article.fetched) >= since)
        if source is not None:
            statement = statement.where(Source.name == source)
        with database.read() as session:
            rows = session.execute(statement.order_by(Article.id).limit(EXPORT_BATCH)).all()
            batch = [_stored(article, name) for article, name in rows]
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def source_states(database: Database) -> dict[str, SourceState]:
    counts = select(Article.source_id, func.count().label("n")).group_by(Article.source_id).subquery()
    # With the scheduler role, a source's due time is in its crawl_jobs row (db/jobs.py).
    statement = (
        select(Source, func.coalesce(counts.c.n, 0), CrawlJob.next_poll_at)
        .outerjoin(counts, counts.c.source_id == Source.id)
        .outerjoin(CrawlJob, CrawlJob.source_id == Source.id)
    )
    with database.read() as session:
        return {
            source.name: SourceState(
                name=source.name,
                type=source.type,
                url=source.url,
                status=source.status,
                last_fetch=source.last_fetch,
                last_success=source.last_success,
                failures=source.failures,
                last_error=source.last_error,
                next_run=next_poll_at or source.next_run,
                articles=int(count),
            )
            for source, count, next_poll_at in session.execute(statement)
        }
