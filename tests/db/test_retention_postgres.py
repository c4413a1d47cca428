"""Pruning on PostgreSQL: the same cascade (keys, alerts, deliveries) as on SQLite."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from db.engine import Database
from db.migrate import upgrade
from db.retention import PruneReport, prune
from db.store import SourceSpec, sync_sources
from tests.db.conftest import needs_postgres
from tests.db.test_retention import NOW, add, rows

pytestmark = needs_postgres


def test_prune_cascades_on_postgresql(postgres_url: str) -> None:
    database = Database(postgres_url)
    upgrade(database)
    sync_sources(database, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    try:
        add(database, "old", timedelta(days=400))
        young = add(database, "young", timedelta(days=1))
        report = prune(database, articles_before=NOW - timedelta(days=365), fetch_log_before=None)
        assert report == PruneReport(articles=1, article_keys=2, alerts=1, deliveries=2)
        assert rows(database, "SELECT id FROM articles") == [young]
        assert rows(database, "SELECT count(*) FROM deliveries") == [2]
        assert rows(database, "SELECT DISTINCT article_id FROM article_keys") == [young]
    finally:
        with database.write() as session:
            session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        database.dispose()
