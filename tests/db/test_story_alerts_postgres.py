"""One alert per (rule, story) between two writers at once on PostgreSQL: neither sees the other's alert
before committing, the unique index still lets one through."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from db.engine import Database
from db.migrate import upgrade
from db.models import Alert
from db.outbox import raise_alerts
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from tests.alerts.outbox_helpers import Match
from tests.db.conftest import needs_postgres
from tests.postgres import wait_for_a_lock_wait

pytestmark = needs_postgres
DEAL = Match("ai-deals", ("mail",))


def test_two_writers_raising_for_one_story_raise_one_alert(postgres_url: str) -> None:
    first_writer, second_writer = Database(postgres_url), Database(postgres_url)
    try:
        upgrade(first_writer)
        sync_sources(first_writer, [SourceSpec("s", "feed", "https://news.example/feed.xml")])
        ids = [
            store_article(
                first_writer, NewArticle(source="s", url=f"https://news.example/{n}", title="t", keys=())
            )
            for n in (1, 2)
        ]
        with first_writer.write() as session:
            story_id = session.execute(
                text("INSERT INTO stories (title, first_seen, last_seen, articles, outlets, languages, orgs, "
                     "events, amounts_usd, centroid) VALUES ('s', now(), now(), 2, '[]', '[]', '[]', '[]', "
                     "'[]', :c) RETURNING id"), {"c": b"\0" * 4}
            ).scalar_one()  # fmt: skip
        raised: dict[str, list[int]] = {}
        first_raised, first_may_commit = threading.Event(), threading.Event()

        def first() -> None:
            with first_writer.write() as session:
                raised["first"] = raise_alerts(session, ids[0], [DEAL], story_id=story_id)
                first_raised.set()
                first_may_commit.wait(30)

        def second() -> None:
            with second_writer.write() as session:
                raised["second"] = raise_alerts(session, ids[1], [DEAL], story_id=story_id)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        threads[0].start()
        assert first_raised.wait(30)
        threads[1].start()
        wait_for_a_lock_wait(first_writer)
        first_may_commit.set()
        for thread in threads:
            thread.join(30)
        assert len(raised["first"]) == 1 and raised["second"] == []
        with first_writer.read() as session:
            assert session.scalar(select(func.count()).select_from(Alert)) == 1
    finally:
        first_writer.dispose()
        second_writer.dispose()
