"""Several articles to a transaction (``db.store.store_articles``), on a real SQLite file and a real
PostgreSQL server: identity across the batch, alerts and hooks per article, conflicts per article."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.errors import UnknownSourceError
from db.migrate import upgrade
from db.models import Article
from db.outbox import list_deliveries
from db.queries import iter_articles
from db.store import (
    NewArticle,
    SourceSpec,
    ToStore,
    guid_key,
    known_keys,
    store_article,
    store_articles,
    store_each,
    sync_sources,
    url_key,
)
from tests.db.conftest import needs_postgres


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/newsmon.db"
    else:
        server: str = request.getfixturevalue("postgres_url")
        name = f"t{uuid.uuid4().hex[:16]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = f"{server.rsplit('/', 1)[0]}/{name}"
    db = Database(url)
    upgrade(db)
    sync_sources(db, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    yield db
    db.dispose()


def article(n: int, *keys: str, **extra: object) -> NewArticle:
    return NewArticle(
        source="wire",
        url=f"https://example.org/{n}",
        title=f"Story {n}",
        keys=keys or (guid_key("wire", f"g{n}"),),
        text="A harbour council approved a tram line. " * 100,
        **extra,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Match:
    rule: str
    channels: tuple[str, ...] = ("mail",)
    terms: tuple[str, ...] = ()


def test_a_batch_is_one_transaction_and_each_article_gets_its_id_in_order(database: Database) -> None:
    commits: list[int] = []
    event.listen(database.engine, "commit", lambda _connection: commits.append(1))
    ids = store_articles(database, [ToStore(article(n)) for n in range(5)])
    assert len(commits) == 1
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 5
    stored = {a.id: a.url for a in iter_articles(database)}
    assert [stored[i] for i in ids if i is not None] == [f"https://example.org/{n}" for n in range(5)]
    assert known_keys(database, [url_key("https://example.org/3"), guid_key("wire", "g3")]) == {
        url_key("https://example.org/3"),
        guid_key("wire", "g3"),
    }


def test_articles_of_one_batch_sharing_a_key_are_one_article_with_every_key(database: Database) -> None:
    amp = NewArticle(
        source="wire", url="https://example.org/1?amp", title="Story 1", keys=(guid_key("wire", "g1"),)
    )
    ids = store_articles(
        database,
        [ToStore(article(1)), ToStore(article(2)), ToStore(amp, (Match("again"),))],
    )
    assert ids[0] is not None and ids[1] is not None and ids[2] is None
    assert len(list(iter_articles(database))) == 2
    assert url_key("https://example.org/1?amp") in known_keys(
        database, [url_key("https://example.org/1?amp")]
    )
    with database.read() as session:
        owners = dict(session.execute(text("SELECT key, article_id FROM article_keys")).all())
    assert owners[url_key("https://example.org/1?amp")] == ids[0]
    assert list_deliveries(database) == []  # the duplicate's alert is not raised


def test_an_article_known_already_gains_the_keys_of_its_batch_twins(database: Database) -> None:
    first = store_article(database, article(1))
    # The second is the first under a new GUID; the third knows only that new GUID and a new URL.
    twin = article(9, guid_key("wire", "g1"), guid_key("wire", "other"))
    third = NewArticle(
        source="wire", url="https://example.org/3", title="x", keys=(guid_key("wire", "other"),)
    )
    assert store_articles(database, [ToStore(twin), ToStore(third)]) == [None, None]
    with database.read() as session:
        owners = dict(session.execute(text("SELECT key, article_id FROM article_keys")).all())
    assert {owners[guid_key("wire", "other")], owners[url_key("https://example.org/3")]} == {first}
    assert [a.id for a in iter_articles(database)] == [first]


def test_alerts_and_the_hook_are_written_per_article_inside_the_transaction(database: Database) -> None:
    seen: list[tuple[int, str, int]] = []

    def on_stored(session: Session, article_id: int, new: NewArticle) -> None:
        # The row is there, in the same transaction, with its id.
        url = session.scalar(select(Article.url).where(Article.id == article_id))
        assert url == new.url
        seen.append((article_id, new.url, len(seen)))

    batch = [
        ToStore(article(n), (Match("ai-investment", ("mail", "slack")),) if n % 2 else ()) for n in range(4)
    ]
    ids = store_articles(database, batch, on_stored)
    assert [(i, url) for i, url, _ in seen] == [(i, f"https://example.org/{n}") for n, i in enumerate(ids)]
    deliveries = sorted((d.article_id, d.rule, d.channel) for d in list_deliveries(database))
    assert deliveries == sorted(
        (ids[n], "ai-investment", channel) for n in (1, 3) for channel in ("mail", "slack")
    )


def test_a_failing_hook_rolls_the_whole_batch_back(database: Database) -> None:
    def explode(_session: Session, _id: int, new: NewArticle) -> None:
        if new.url.endswith("/2"):
            raise RuntimeError("hook failed")

    with pytest.raises(RuntimeError, match="hook failed"):
        store_articles(database, [ToStore(article(n), (Match("r"),)) for n in range(3)], explode)
    assert list(iter_articles(database)) == [] and list_deliveries(database) == []


def test_an_unknown_source_is_an_error_naming_it_and_the_url(database: Database) -> None:
    stray = NewArticle(source="nowhere", url="https://example.org/stray", title="x", keys=())
    with pytest.raises(UnknownSourceError, match=r"https://example.org/stray.*'nowhere'"):
        store_articles(database, [ToStore(article(1)), ToStore(stray)])
    assert list(iter_articles(database)) == []


def test_an_article_the_database_refuses_fails_the_batch_and_costs_only_itself_one_by_one(
    database: Database,
) -> None:
    refused = NewArticle(source="wire", url="https://example.org/bad", title=None, keys=())  # type: ignore[arg-type]
    batch = [ToStore(article(1), (Match("r"),)), ToStore(refused), ToStore(article(3))]
    with pytest.raises(IntegrityError):
        store_articles(database, batch)
    assert list(iter_articles(database)) == [] and list_deliveries(database) == []
    ids = store_each(database, batch)
    assert ids[1] is None and isinstance(ids[0], int) and isinstance(ids[2], int)
    assert sorted(a.url for a in iter_articles(database)) == [
        "https://example.org/1",
        "https://example.org/3",
    ]
    assert [d.article_id for d in list_deliveries(database)] == [ids[0]]


def test_store_each_returns_a_failing_hook_in_its_article_place(database: Database) -> None:
    def explode(_session: Session, _id: int, new: NewArticle) -> None:
        if new.url.endswith("/2"):
            raise RuntimeError("hook failed")

    results = store_each(database, [ToStore(article(n)) for n in range(1, 4)], explode)
    assert (
        isinstance(results[1], RuntimeError) and isinstance(results[0], int) and isinstance(results[2], int)
    )
    assert sorted(a.url for a in iter_articles(database)) == [
        "https://example.org/1",
        "https://example.org/3",
    ]


@pytest.mark.parametrize("database", [pytest.param("postgresql", marks=needs_postgres)], indirect=True)
def test_a_concurrent_writer_storing_one_article_of_the_batch_costs_only_that_one(
    database: Database,
) -> None:
    """PostgreSQL: another writer stores article 2 after our look-up; our insert of its key waits on
    that writer's lock and then conflicts: the batch writes nothing, and one by one only article 2
    is found known. (SQLite's BEGIN IMMEDIATE lets no writer in between.)"""
    other = database.engine.connect()
    rival = other.begin()
    rival_id = other.execute(
        text(
            "INSERT INTO articles (source_id, url, title, authors, fetched, summary, lead, text)"
            " SELECT id, 'https://example.org/rival', 'r', '[]', now(), '', '', '' FROM sources"
            " RETURNING id"
        )
    ).scalar_one()
    other.execute(
        text("INSERT INTO article_keys (key, article_id) VALUES (:k, :a)"),
        {"k": guid_key("wire", "g2"), "a": rival_id},
    )
    failures: list[BaseException] = []
    batch = [ToStore(article(n)) for n in range(1, 4)]

    def write() -> None:
        try:
            store_articles(database, batch)
        except IntegrityError as exc:
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    deadline = time.monotonic() + 20
    while not _waits_on_a_lock(database) and time.monotonic() < deadline:
        time.sleep(0.02)
    rival.commit()
    other.close()
    writer.join(timeout=20)
    assert len(failures) == 1, "the batch's insert of the rival's key conflicts"
    assert [a.url for a in iter_articles(database)] == ["https://example.org/rival"]  # all or nothing
    ids = store_each(database, batch)
    assert isinstance(ids[0], int) and ids[1] is None and isinstance(ids[2], int)
    urls = sorted(a.url for a in iter_articles(database))
    assert urls == ["https://example.org/1", "https://example.org/3", "https://example.org/rival"]
    assert url_key("https://example.org/2") in known_keys(database, [url_key("https://example.org/2")])


def _waits_on_a_lock(database: Database) -> bool:
    with database.read() as session:
        waiting = session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))
    return bool(waiting)
