"""Migration 0008 (alerts.story_id, one alert per (rule, story)): alerts raised before it stay, with no
story; the guard holds after it; it goes down and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db.engine import Database
from db.migrate import upgrade
from db.models import Alert
from db.outbox import raise_alerts
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from tests.alerts.outbox_helpers import Match
from tests.db.conftest import needs_postgres
from tests.db.test_migration_0007 import migrate


def stored(database: Database, n: int) -> int:
    article = NewArticle(source="s", url=f"https://news.example/{n}", title=f"t{n}", keys=())
    article_id = store_article(database, article)
    assert article_id is not None
    return article_id


@pytest.mark.parametrize(
    "server", ["sqlite", pytest.param("postgres_url", marks=needs_postgres, id="postgresql")]
)
def test_alerts_from_before_keep_no_story_and_the_migration_goes_down_and_up(
    server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'newsmon.db'}" if server == "sqlite" else request.getfixturevalue(server)
    database = Database(url)
    try:
        migrate(database, "upgrade", "0007")
        sync_sources(database, [SourceSpec("s", "feed", "https://news.example/feed.xml")])
        before = stored(database, 1)
        with database.write() as session:
            session.execute(text("INSERT INTO alerts (rule, article_id, matched, created) VALUES "
                                 "('r', :a, '[]', CURRENT_TIMESTAMP)"), {"a": before})  # fmt: skip
            story_id = session.execute(
                text("INSERT INTO stories (title, first_seen, last_seen, articles, outlets, languages, orgs, "
                     "events, amounts_usd, centroid) VALUES ('s', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, "
                     "'[]', '[]', '[]', '[]', '[]', :c) RETURNING id"), {"c": b"\0" * 4}
            ).scalar_one()  # fmt: skip
        upgrade(database)
        with database.read() as session:
            assert session.execute(select(Alert.article_id, Alert.story_id)).all() == [(before, None)]

        first, second = stored(database, 2), stored(database, 3)
        with database.write() as session:
            assert len(raise_alerts(session, first, [Match("r", ("mail",))], story_id=story_id)) == 1
            assert raise_alerts(session, second, [Match("r", ("mail",))], story_id=story_id) == []
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(Alert)) == 2

        migrate(database, "downgrade", "0007")
        with database.write() as session:  # without the guard, the story may alert again
            session.execute(text("INSERT INTO alerts (rule, article_id, matched, created) VALUES "
                                 "('r', :a, '[]', CURRENT_TIMESTAMP)"), {"a": second})  # fmt: skip
        upgrade(database)
        with database.read() as session:
            rows = session.execute(select(Alert.article_id, Alert.story_id).order_by(Alert.id)).all()
        assert rows == [(before, None), (first, None), (second, None)]
    finally:
        database.dispose()
