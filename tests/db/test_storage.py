"""The storage layer on a real SQLite file and a real PostgreSQL server: identity, transactions,
concurrency, times; and SQLite's own pragmas, migrations and FTS sync."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from db.engine import Database
from db.facts import ArticleFacts
from db.migrate import alembic_config, upgrade
from db.outbox import list_deliveries
from db.queries import get_article, iter_articles, source_states
from db.store import (
    FetchResult,
    NewArticle,
    SourceSpec,
    guid_key,
    known_keys,
    record_fetch,
    store_article,
    sync_sources,
    url_key,
    validators,
)
from tests.databases import Databases


@pytest.fixture
def database(databases: Databases) -> Database:
    """On SQLite, then on PostgreSQL."""
    db = databases.open()
    sync_sources(db, [SourceSpec("arsfr", "feed", "http://127.0.0.1/feed.xml")])
    return db


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """For what only SQLite has: pragmas, the FTS5 table, the file's write lock."""
    db = Database(f"sqlite:///{tmp_path}/newsmon.db")
    upgrade(db)
    sync_sources(db, [SourceSpec("arsfr", "feed", "http://127.0.0.1/feed.xml")])
    yield db
    db.dispose()


def article(url: str = "https://example.org/a", guid: str | None = "g1", **extra: object) -> NewArticle:
    keys = (guid_key("arsfr", guid),) if guid else ()
    fields: dict[str, object] = {"title": "La comète de Halley", "text": "Une comète passe.", **extra}
    return NewArticle(source="arsfr", url=url, guid=guid, keys=keys, **fields)  # type: ignore[arg-type]


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(sqlite_database: Database) -> None:
    database = sqlite_database
    with database.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_upgrade_is_idempotent_and_creates_the_index(sqlite_database: Database, tmp_path: Path) -> None:
    database = sqlite_database
    upgrade(database)
    with sqlite3.connect(tmp_path / "newsmon.db") as raw:
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        version = raw.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert {"articles", "articles_fts", "articles_fts_insert", "alembic_version"} <= names
    assert version == ScriptDirectory.from_config(alembic_config(database.url)).get_current_head()


def test_an_article_is_one_row_whatever_key_it_arrives_under(database: Database) -> None:
    first = store_article(database, article())
    assert first is not None
    # Same GUID under another URL: not stored again, and the new URL becomes a known key.
    assert store_article(database, article(url="https://example.org/a?amp=1")) is None
    assert known_keys(database, [url_key("https://example.org/a?amp=1")]) == {
        url_key("https://example.org/a?amp=1")
    }
    # Same URL under another GUID: not stored again either.
    assert store_article(database, article(guid="other")) is None
    assert [a.id for a in iter_articles(database)] == [first]


def test_on_stored_runs_in_the_same_transaction(database: Database) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("hook failed")

    with pytest.raises(RuntimeError):
        store_article(database, article(), explode)
    assert list(iter_articles(database)) == []
    assert store_article(database, article()) is not None


FACTS = ArticleFacts(
    events=({"type": "investment", "actors": ["Microsoft", "OpenAI"], "amount": None, "sentence": "x"},),
    event_types=("investment",),
    orgs=("Microsoft", "OpenAI"),
    amounts=({"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10bn"},),
    amount_usd=1e10,
)


@dataclass(frozen=True)
class Match:
    rule: str
    channels: tuple[str, ...] = ("mail",)
    terms: tuple[str, ...] = ()


def test_facts_and_alerts_are_stored_with_the_article(database: Database) -> None:
    article_id = store_article(database, article(facts=FACTS), matches=[Match("ai-investment")])
    assert article_id is not None
    stored = get_article(database, article_id)
    assert stored is not None and stored.facts == FACTS
    shown = stored.as_dict()
    assert shown["orgs"] == ["Microsoft", "OpenAI"] and shown["events"][0]["actors"] == [
        "Microsoft",
        "OpenAI",
    ]
    assert shown["amounts"] == [{"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10bn"}]
    assert [(d.rule, d.channel) for d in list_deliveries(database)] == [("ai-investment", "mail")]


def test_the_facts_and_alerts_of_an_article_known_already_are_not_stored(database: Database) -> None:
    store_article(database, article())
    assert store_article(database, article(facts=FACTS), matches=[Match("ai-investment")]) is None
    [stored] = iter_articles(database)
    assert stored.facts == ArticleFacts() and list_deliveries(database) == []


def test_concurrent_writers_wait_instead_of_failing(database: Database) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(20):
                store_article(database, article(url=f"https://example.org/{n}/{i}", guid=f"{n}-{i}"))
        except BaseException as exc:  # noqa: BLE001 - the main thread asserts on it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(list(iter_articles(database))) == 80


def test_fts_index_follows_inserts_updates_and_deletes(sqlite_database: Database) -> None:
    database = sqlite_database
    article_id = store_article(database, article())

    def hits(match: str) -> list[int]:
        with database.read() as session:
            return list(
                session.execute(
                    text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :m"), {"m": match}
                ).scalars()
            )

    assert hits("comete") == [article_id]  # diacritics removed on both sides
    assert hits("source:arsfr") == [article_id]
    with database.write() as session:
        session.execute(
            text("UPDATE articles SET title = 'Autre sujet', text = 'rien' WHERE id = :id"),
            {"id": article_id},
        )
    assert hits("comete") == []
    assert hits("autre") == [article_id]
    with database.write() as session:
        session.execute(text("DELETE FROM articles WHERE id = :id"), {"id": article_id})
    assert hits("autre") == []


def test_times_round_trip_as_aware_utc(database: Database) -> None:
    published = datetime(2023, 1, 23, 20, 5, tzinfo=UTC) + timedelta()
    article_id = store_article(database, article(published=published))
    assert article_id is not None
    stored = get_article(database, article_id)
    assert stored is not None
    assert stored.published == published
    assert stored.as_dict()["published"] == "2023-01-23T20:05:00+00:00"


@pytest.mark.timeout(300)  # 1,203 articles stored one by one: slow on a loaded PostgreSQL
def test_export_streams_in_batches_and_filters(database: Database) -> None:
    old = datetime(2020, 1, 1, tzinfo=UTC)
    for i in range(1203):
        store_article(
            database, article(url=f"https://example.org/{i}", guid=str(i), published=old if i % 2 else None)
        )
    assert sum(1 for _ in iter_articles(database)) == 1203
    recent = list(iter_articles(database, since=datetime(2021, 1, 1, tzinfo=UTC)))
    assert len(recent) == 602  # unknown published dates fall back to the fetched time
    assert list(iter_articles(database, source="nope")) == []


def test_fetch_results_update_the_source_state(database: Database) -> None:
    record_fetch(
        database, "arsfr", FetchResult("ok", 200, entries=3, new_articles=2, etag='"v1"', body_hash="h")
    )
    assert validators(database, "arsfr").etag == '"v1"'
    state = source_states(database)["arsfr"]
    assert (state.status, state.failures, state.last_error) == ("ok", 0, None)
    record_fetch(
        database, "arsfr", FetchResult("error", 503, error="HTTP 503 from http://127.0.0.1/feed.xml")
    )
    record_fetch(database, "arsfr", FetchResult("error", None, error="timeout"))
    state = source_states(database)["arsfr"]
    assert (state.status, state.failures, state.last_error) == ("failing", 2, "timeout")
    assert validators(database, "arsfr").etag == '"v1"'  # a failure keeps the validators
    record_fetch(database, "arsfr", FetchResult("not_modified", 304))
    assert source_states(database)["arsfr"].status == "ok"


def test_unchanged_sources_are_synced_without_taking_the_write_lock(
    sqlite_database: Database, tmp_path: Path
) -> None:
    database = sqlite_database
    writer = sqlite3.connect(tmp_path / "newsmon.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the daemon in the middle of storing an article
    try:
        done = threading.Event()
        spec = [SourceSpec("arsfr", "feed", "http://127.0.0.1/feed.xml")]
        thread = threading.Thread(target=lambda: (sync_sources(database, spec), done.set()), daemon=True)
        thread.start()
        assert done.wait(timeout=5), "a command's start-up waited for the daemon's write"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
