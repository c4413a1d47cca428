"""Migration 0007 on PostgreSQL: articles stored before it become searchable, and it goes down and
up again cleanly; on SQLite it changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from db.engine import Database
from db.migrate import alembic_config, upgrade
from db.search import SearchFilters, search
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from tests.db.conftest import needs_postgres


def migrate(database: Database, how: str, revision: str) -> None:
    cfg = alembic_config(database.url)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        getattr(command, how)(cfg, revision)


def found(database: Database, query: str) -> list[str]:
    return [hit.title for hit in search(database, query, SearchFilters())]


def store(database: Database, title: str) -> None:
    url = f"https://news.example/{len(title)}"
    assert store_article(database, NewArticle(source="s", url=url, title=title, keys=())) is not None


# A parameter rather than a module mark: the SQLite test below needs no server.
@pytest.mark.parametrize("server", [pytest.param("postgres_url", marks=needs_postgres, id="postgresql")])
def test_articles_from_before_are_indexed_and_the_migration_goes_down_and_up(
    server: str, request: pytest.FixtureRequest
) -> None:
    database = Database(request.getfixturevalue(server))
    try:
        migrate(database, "upgrade", "0006")
        sync_sources(database, [SourceSpec("s", "feed", "https://news.example/feed.xml")])
        store(database, "Une comète avant 0007")
        upgrade(database)
        assert found(database, "comete") == ["Une comète avant 0007"]

        migrate(database, "downgrade", "0006")
        with database.read() as session:
            configs = session.execute(text("SELECT count(*) FROM pg_ts_config WHERE cfgname = 'newsmon'"))
            columns = session.execute(
                text(
                    "SELECT count(*) FROM information_schema.columns"
                    " WHERE table_name = 'articles' AND column_name IN ('fts_words', 'fts_facts')"
                )
            )
            assert (configs.scalar(), columns.scalar()) == (0, 0)
        store(database, "Straße nach 0006")
        upgrade(database)
        assert found(database, "strasse") == ["Straße nach 0006"]
    finally:
        with database.write() as session:
            session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        database.dispose()


def test_on_sqlite_0007_changes_nothing(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsmon.db'}")
    upgrade(database)
    sync_sources(database, [SourceSpec("s", "feed", "https://news.example/feed.xml")])
    store(database, "Une comète")
    migrate(database, "downgrade", "0006")
    assert found(database, "comete") == ["Une comète"]
    upgrade(database)
    assert found(database, "comete") == ["Une comète"]
    database.dispose()
