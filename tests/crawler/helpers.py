"""Shared by the crawler tests: contexts, services and reading back what a crawl stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from crawler.context import CrawlContext, CrawlSource
from db.engine import Database
from db.models import Article, ArticleKey, FetchLog, Source

SITE = Path(__file__).parent / "site"

# Fast enough for tests, still the crawler's own behaviour otherwise.
TEST_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "WARNING",
}


def context(database: Database, *sources: tuple[str, str], **kwargs: Any) -> CrawlContext:
    settings = {**TEST_SETTINGS, **kwargs.pop("settings", {})}
    return CrawlContext(
        database=database,
        sources=tuple(CrawlSource(name, "feed", url) for name, url in sources),
        settings=settings,
        **kwargs,
    )


def articles(database: Database) -> list[Article]:
    with database.read() as session:
        return list(session.scalars(select(Article).order_by(Article.id)))


def keys(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {k.key: k.article_id for k in session.scalars(select(ArticleKey))}


def fetch_log(database: Database, source: str) -> list[FetchLog]:
    with database.read() as session:
        return list(
            session.scalars(
                select(FetchLog)
                .join(Source, Source.id == FetchLog.source_id)
                .where(Source.name == source)
                .order_by(FetchLog.id)
            )
        )


def source_row(database: Database, name: str) -> Source:
    with database.read() as session:
        row = session.scalar(select(Source).where(Source.name == name))
    assert row is not None
    return row
