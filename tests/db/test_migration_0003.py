"""Migration 0003 on a database that holds articles: they are marked as read from their page, and
the full-text index still follows new ones."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from db.engine import Database
from db.migrate import alembic_config, upgrade
from db.search import SearchFilters, search
from db.store import NewArticle, SourceSpec, store_article, sync_sources


def test_existing_articles_are_from_their_page_and_new_ones_are_still_indexed(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config(database.url)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
    sync_sources(database, [SourceSpec("s", "feed", "https://news.example/feed.xml")])
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (source_id, url, title, authors, fetched, summary, lead, text) "
                "VALUES (1, 'https://news.example/old', 'Old comet', '[]', '2024-01-01 00:00:00',"
                " '', '', 'x')"
            )
        )
    upgrade(database)
    new = NewArticle(source="s", url="https://news.example/new", title="New comet", keys=(), text_from="feed")
    assert store_article(database, new) is not None

    with database.read() as session:
        rows = session.execute(text("SELECT title, text_from FROM articles ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("Old comet", "page"), ("New comet", "feed")]
    hits = search(database, "comet", SearchFilters())
    assert {hit.title for hit in hits} == {"Old comet", "New comet"}
    database.dispose()
