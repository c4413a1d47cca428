"""Source health: back-off after failures, recovery, staleness — with a driven clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from db.engine import Database
from db.health import backoff_delay, health, retry_not_before, update_staleness
from db.models import Article, Source
from db.store import FetchResult, NewArticle, SourceSpec, record_fetch, store_article, sync_sources
from tests.databases import Databases

HOUR = timedelta(hours=1)
CAP = timedelta(hours=6)


@pytest.fixture
def database(databases: Databases) -> Database:
    """On SQLite, then on PostgreSQL."""
    db = databases.open()
    sync_sources(db, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    return db


def set_last_fetch(database: Database, when: datetime) -> None:
    with database.write() as session:
        session.execute(update(Source).where(Source.name == "wire").values(last_fetch=when))


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(0, timedelta(0)), (1, timedelta(0)), (2, 2 * HOUR), (3, 4 * HOUR), (4, CAP), (40, CAP)],
)
def test_backoff_doubles_per_failure_and_is_capped(failures: int, expected: timedelta) -> None:
    assert backoff_delay(failures, HOUR, CAP) == expected


def test_a_source_failing_for_a_week_backs_off_then_recovers_by_itself(database: Database) -> None:
    clock = datetime(2026, 1, 5, tzinfo=UTC)
    end = clock + timedelta(days=7)
    fetches = 0
    while clock < end:
        until = retry_not_before(database, "wire", HOUR, CAP, now=clock)
        if until is None:
            record_fetch(database, "wire", FetchResult("error", 503, error="HTTP 503"))
            set_last_fetch(database, clock)
            fetches += 1
        clock += HOUR  # the scheduler's ticks
    state = health(database, "wire")
    assert state is not None and state.status == "failing"
    # Capped at 6 h: about 4 a day over a week, never given up.
    assert 25 <= fetches <= 35, fetches
    assert retry_not_before(database, "wire", HOUR, CAP, now=clock + CAP) is None
    record_fetch(database, "wire", FetchResult("ok", 200, entries=5))
    state = health(database, "wire")
    assert state is not None and (state.status, state.failures) == ("ok", 0)
    assert retry_not_before(database, "wire", HOUR, CAP) is None


def test_a_source_that_stops_producing_articles_turns_stale_and_back(database: Database) -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    for i in range(6):
        store_article(database, NewArticle(source="wire", url=f"https://example.org/{i}", title="t", keys=()))
    with database.write() as session:
        for i in range(6):
            session.execute(
                update(Article)
                .where(Article.url == f"https://example.org/{i}")
                .values(fetched=start + i * HOUR)
            )
        session.execute(update(Source).values(last_new_entry=start + 5 * HOUR))
    record_fetch(database, "wire", FetchResult("ok", 200, entries=6))
    update_staleness(database, "wire", factor=3, interval=timedelta(minutes=15), now=start + 7 * HOUR)
    assert health(database, "wire").status == "ok"  # type: ignore[union-attr]
    update_staleness(database, "wire", factor=3, interval=timedelta(minutes=15), now=start + 9.5 * HOUR)
    state = health(database, "wire")
    assert state is not None and state.status == "stale"
    # Durations in messages are written as in config.yaml (db/durations.py).
    assert state.last_error == "no new article for 4h30m (usually one every 1h)"
    record_fetch(database, "wire", FetchResult("ok", 200, entries=7, new_articles=1))  # articles again
    update_staleness(database, "wire", factor=3, interval=timedelta(minutes=15))
    assert health(database, "wire").status == "ok"  # type: ignore[union-attr]


def test_a_source_whose_pages_no_longer_yield_text_is_stale(database: Database) -> None:
    record_fetch(
        database, "wire", FetchResult("ok", 200, entries=5, pages_extracted=1, extraction_failures=1)
    )
    assert health(database, "wire").status == "ok"  # type: ignore[union-attr]  # one odd page is no verdict
    record_fetch(
        database, "wire", FetchResult("ok", 200, entries=5, pages_extracted=4, extraction_failures=4)
    )
    state = health(database, "wire")
    assert state is not None and state.status == "stale"
    assert "no article text could be extracted" in (state.last_error or "")
    record_fetch(
        database, "wire", FetchResult("ok", 200, entries=5, pages_extracted=3, extraction_failures=1)
    )
    assert health(database, "wire").status == "ok"  # type: ignore[union-attr]
