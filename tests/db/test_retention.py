"""Pruning: old articles go with their keys, alerts and deliveries; the index follows; nothing orphaned."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from db import digests, outbox
from db.backup import backup
from db.engine import Database
from db.errors import BackupError
from db.facts import ArticleFacts
from db.migrate import upgrade
from db.models import utcnow
from db.policy import HOURLY, DeliveryPolicy
from db.retention import PruneReport, prune
from db.search import SearchFilters, search
from db.store import FetchResult, NewArticle, SourceSpec, record_fetch, store_article, sync_sources, url_key
from db.stories import StoryRecord, insert_story, list_stories, update_story
from tests.databases import Databases

NOW = utcnow()


@pytest.fixture
def database(databases: Databases) -> Database:
    """On SQLite, then on PostgreSQL."""
    db = databases.open()
    sync_sources(db, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    return db


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """Backups are SQLite's (`VACUUM INTO`); PostgreSQL has pg_dump."""
    db = Database(f"sqlite:///{tmp_path}/newsmon.db")
    upgrade(db)
    sync_sources(db, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    yield db
    db.dispose()


@dataclass(frozen=True)
class Match:
    rule: str
    channels: tuple[str, ...]
    terms: tuple[str, ...] = ()


def add(database: Database, name: str, age: timedelta, *, alert: bool = True) -> int:
    url = f"https://example.org/{name}"
    article = NewArticle(
        source="wire", url=url, title=f"{name} zeppelin", keys=(url_key(url), f"guid:wire:{name}"), text=name
    )

    def on_stored(session: object, article_id: int, _: NewArticle) -> None:
        if alert:
            outbox.raise_alerts(session, article_id, [Match("r", ("mail", "slack"))])  # type: ignore[arg-type]

    article_id = store_article(database, article, on_stored)
    assert article_id is not None
    with database.write() as session:
        session.execute(
            text("UPDATE articles SET fetched = :t WHERE id = :id"),
            {"t": (NOW - age).replace(tzinfo=None), "id": article_id},
        )
    return article_id


def rows(database: Database, sql: str) -> list[object]:
    with database.read() as session:
        return list(session.execute(text(sql)).scalars())


def test_prune_removes_old_articles_and_everything_that_hangs_on_them(database: Database) -> None:
    old = [add(database, f"old{i}", timedelta(days=400)) for i in range(3)]
    young = add(database, "young", timedelta(days=10))
    before = NOW - timedelta(days=365)

    dry = prune(database, articles_before=before, fetch_log_before=None, dry_run=True)
    assert dry == PruneReport(articles=3, article_keys=6, alerts=3, deliveries=6)
    assert len(rows(database, "SELECT id FROM articles")) == 4  # a dry run removes nothing

    done = prune(database, articles_before=before, fetch_log_before=None, batch=2)
    assert done == dry
    assert rows(database, "SELECT id FROM articles") == [young]
    assert rows(database, "SELECT DISTINCT article_id FROM article_keys") == [young]
    assert rows(database, "SELECT article_id FROM alerts") == [young]
    orphans = "SELECT count(*) FROM deliveries WHERE alert_id NOT IN (SELECT id FROM alerts)"
    assert rows(database, orphans) == [0]
    assert [hit.id for hit in search(database, "zeppelin", SearchFilters())] == [young]
    if database.is_sqlite:
        with database.write() as session:  # the external-content index agrees with its content
            session.execute(
                text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
            )
    assert not set(old) & set(rows(database, "SELECT id FROM articles"))
    assert prune(database, articles_before=before, fetch_log_before=None) == PruneReport()


HOURLY_DIGEST = DeliveryPolicy(digest=HOURLY)


@dataclass(frozen=True)
class HeldMatch(Match):
    policy: DeliveryPolicy = HOURLY_DIGEST


def digest_of(database: Database, name: str, age: timedelta) -> int:
    """An article fetched ``age`` ago whose alert went out, sent, in a digest made then."""
    article_id = add(database, name, age, alert=False)
    raised = NOW - age
    with database.write() as session:
        outbox.raise_alerts(session, article_id, [HeldMatch("r", ("mail",))], now=raised)  # type: ignore[list-item]
    assert digests.make_due_digests(database, raised + timedelta(hours=1), ["mail"]) == 1
    (job,) = digests.due_digests(database, raised + timedelta(hours=1), 10)
    assert digests.mark_sent(database, job.digest_id, raised + timedelta(hours=1))
    return job.digest_id


def test_prune_removes_the_digests_of_pruned_alerts(database: Database) -> None:
    digest_of(database, "old", timedelta(days=400))
    young = digest_of(database, "young", timedelta(days=10))
    before = NOW - timedelta(days=365)

    dry = prune(database, articles_before=before, fetch_log_before=None, dry_run=True)
    assert dry == PruneReport(articles=1, article_keys=2, alerts=1, deliveries=1, digests=1)
    assert prune(database, articles_before=before, fetch_log_before=None) == dry
    assert rows(database, "SELECT id FROM digests") == [young]
    assert prune(database, articles_before=before, fetch_log_before=None) == PruneReport()


def test_prune_trims_the_fetch_log_and_none_keeps_forever(database: Database) -> None:
    for days in (40, 35, 1):
        record_fetch(database, "wire", FetchResult(outcome="ok", started=NOW - timedelta(days=days)))
    add(database, "ancient", timedelta(days=4000))
    report = prune(database, articles_before=None, fetch_log_before=NOW - timedelta(days=30))
    assert report == PruneReport(fetch_log=2)
    assert len(rows(database, "SELECT id FROM fetch_log")) == 1
    assert len(rows(database, "SELECT id FROM articles")) == 1


def test_backup_is_a_consistent_copy_taken_while_writers_write(
    sqlite_database: Database, tmp_path: Path
) -> None:
    database = sqlite_database
    add(database, "first", timedelta(0))
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            add(database, f"w{n}", timedelta(0), alert=False)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        size = backup(database, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
    assert size == (tmp_path / "copy.db").stat().st_size > 0
    copy = Database(f"sqlite:///{tmp_path}/copy.db")
    with copy.read() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        titles = list(session.execute(text("SELECT title FROM articles ORDER BY id")).scalars())
    assert titles[0] == "first zeppelin"
    assert not list(tmp_path.glob(".copy.db.partial-*"))


def test_backup_never_overwrites(sqlite_database: Database, tmp_path: Path) -> None:
    database = sqlite_database
    target = tmp_path / "exists.db"
    target.write_bytes(b"precious")
    with pytest.raises(BackupError, match="exists"):
        backup(database, target)
    assert target.read_bytes() == b"precious"
    with pytest.raises(BackupError, match="not a directory"):
        backup(database, tmp_path / "no" / "such" / "dir.db")


def test_backup_of_postgresql_points_to_pg_dump() -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(BackupError, match="pg_dump"):
        backup(database, Path("/tmp/never-written.db"))


def test_a_stopping_daemon_ends_the_prune_between_batches(database: Database) -> None:
    for i in range(5):
        add(database, f"old{i}", timedelta(days=400), alert=False)
    answers = iter([True, True, False])
    report = prune(
        database,
        articles_before=NOW - timedelta(days=365),
        fetch_log_before=NOW,
        batch=2,
        keep_going=lambda: next(answers, False),
    )
    assert report.articles == 4 and report.fetch_log == 0
    assert len(rows(database, "SELECT id FROM articles")) == 1


def usd(value: float, text: str) -> dict[str, object]:
    return {"value": value, "currency": "USD", "usd": value, "text": text}


def reporting(
    database: Database, story: StoryRecord | None, name: str, age: timedelta, **more: Any
) -> StoryRecord:
    """Store an article (``more``: source, language, amount) and file it into ``story`` (None: a new one)."""
    sync_sources(database, [SourceSpec(more["source"], "feed", f"http://127.0.0.1/{more['source']}")])
    amount = more.get("amount")
    events = (
        ({"type": "investment", "actors": ["OpenAI"], "amount": amount, "sentence": name},) if amount else ()
    )
    article = NewArticle(
        source=more["source"],
        url=f"https://example.org/{name}",
        title=name,
        keys=(),
        published=NOW - age,
        language=more["language"],
        facts=ArticleFacts(events=events, event_types=("investment",), orgs=("OpenAI",)),
    )
    filed: list[StoryRecord] = []

    def file(session: Session, article_id: int, _: NewArticle) -> None:
        if story is None:
            new = StoryRecord(
                id=0, title=name, first_seen=NOW - age, last_seen=NOW - age, articles=1,
                outlets=(more["source"],), languages=(more["language"],), orgs=("OpenAI",),
                events=("investment",), amount=amount, amounts_usd=(amount["usd"],) if amount else (),
                centroid=b"\x00\x00\x80?",
            )  # fmt: skip
            filed.append(replace(new, id=insert_story(session, new, article_id)))
        else:
            grown = replace(
                story,
                articles=story.articles + 1,
                last_seen=NOW - age,
                outlets=(*story.outlets, more["source"]),
                languages=(*story.languages, more["language"]),
                amount=amount
                if amount and amount["usd"] > (story.amount or {"usd": 0})["usd"]
                else story.amount,
            )
            update_story(session, grown, article_id, previous_keys=story.keys)
            filed.append(grown)

    article_id = store_article(database, article, file)
    with database.write() as session:  # aged like add(): pruning counts from the fetch
        session.execute(
            text("UPDATE articles SET fetched = :t WHERE id = :id"),
            {"t": (NOW - age).replace(tzinfo=None), "id": article_id},
        )
    return filed[0]


def test_prune_recounts_the_stories_it_took_articles_from_and_removes_the_emptied(
    database: Database,
) -> None:
    old, young = timedelta(days=400), timedelta(days=10)
    deal = reporting(
        database, None, "reuters-old", old, source="reuters", language="en", amount=usd(1e10, "$10bn")
    )
    deal = reporting(
        database, deal, "lemonde-old", old, source="lemonde", language="fr", amount=usd(1.2e10, "$12bn")
    )
    deal = reporting(
        database, deal, "spiegel-young", young, source="spiegel", language="de", amount=usd(9e9, "$9bn")
    )
    gone = reporting(database, None, "gone", old, source="reuters", language="en")
    gone = reporting(database, gone, "gone-too", old, source="lemonde", language="fr")
    before = NOW - timedelta(days=365)

    dry = prune(database, articles_before=before, fetch_log_before=None, dry_run=True)
    assert (dry.articles, dry.stories, dry.stories_updated) == (4, 1, 1)
    assert len(list_stories(database)) == 2  # a dry run changes nothing
    done = prune(database, articles_before=before, fetch_log_before=None, batch=1)
    assert done == dry
    assert "stories: 1 left empty and removed, 1 recounted" in str(done)

    (left,) = list_stories(database)
    assert left["id"] == deal.id
    assert left["articles"] == 1 and len(left["article_ids"]) == 1
    assert left["title"] == "spiegel-young"
    assert left["outlets"] == ["spiegel"] and left["languages"] == ["de"]
    assert left["amount"] == usd(9e9, "$9bn")  # the $12bn of the pruned article is gone with it
    assert left["first_seen"] == left["last_seen"]
    assert rows(
        database, "SELECT count(*) FROM story_keys WHERE story_id NOT IN (SELECT id FROM stories)"
    ) == [0]
