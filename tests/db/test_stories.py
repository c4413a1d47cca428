"""Stories on a real SQLite file: candidates by key and time, writes, the `newsmon stories` shape."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from alerts.stories.book import Filed, Report, StoryBook
from alerts.stories.cluster import Thresholds
from alerts.stories.fingerprint import Fingerprint
from db.engine import Database
from db.models import Alert
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from db.stories import (
    StoryRecord,
    candidate_stories,
    get_story,
    insert_story,
    list_stories,
    lookup_keys,
    story_articles,
    story_id_of,
    update_story,
)
from tests.databases import Databases
from tests.postgres import wait_for_a_lock_wait

T0 = datetime(2023, 1, 23, 14, 0, tzinfo=UTC)
CONTRACT_KEYS = {
    "id", "title", "first_seen", "last_seen", "articles", "article_ids",
    "outlets", "languages", "orgs", "events", "amount",
}  # fmt: skip


@pytest.fixture
def db(databases: Databases) -> Database:
    """On SQLite, then on PostgreSQL."""
    database = databases.open()
    sync_sources(
        database, [SourceSpec(name, "feed", f"http://127.0.0.1/{name}") for name in ("en", "fr", "de")]
    )
    return database


def stored(database: Database, source: str, n: int, published: datetime = T0) -> int:
    article = NewArticle(
        source=source, url=f"https://{source}.example/{n}", title=f"t{n}", keys=(), published=published
    )
    article_id = store_article(database, article)
    assert article_id is not None
    return article_id


def record(**changes: object) -> StoryRecord:
    base = StoryRecord(
        id=0,
        title="Microsoft invests $10bn in OpenAI",
        first_seen=T0,
        last_seen=T0,
        articles=1,
        outlets=("en",),
        languages=("en",),
        orgs=("Microsoft", "OpenAI"),
        events=("investment",),
        amount={"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10bn"},
        amounts_usd=(1e10,),
        centroid=b"\x00\x00\x80?" * 4,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_story_is_found_by_any_of_its_keys_while_recent(db: Database) -> None:
    article_id = stored(db, "en", 1)
    with db.write() as session:
        story_id = insert_story(session, record(), article_id)
    with db.read() as session:
        assert [s.id for s in candidate_stories(session, T0 - timedelta(hours=72), {"org:OpenAI"})] == [
            story_id
        ]
        assert [s.id for s in candidate_stories(session, T0, {"event:investment", "org:Nobody"})] == [
            story_id
        ]
        assert candidate_stories(session, T0, {"org:Google", "event:acquisition"}) == []
        assert candidate_stories(session, T0 + timedelta(seconds=1), {"org:OpenAI"}) == []
        assert candidate_stories(session, T0, set()) == []
        found = candidate_stories(session, T0, {"org:Microsoft"})[0]
        assert story_id_of(session, article_id) == story_id
    assert found == record(id=story_id)


def test_joining_updates_the_story_and_its_keys(db: Database) -> None:
    first, second = stored(db, "en", 1), stored(db, "de", 2, T0 + timedelta(hours=5))
    with db.write() as session:
        story = record(id=insert_story(session, record(), first))
    joined = replace(
        story,
        last_seen=T0 + timedelta(hours=5),
        articles=2,
        outlets=("en", "de"),
        languages=("en", "de"),
        orgs=("Microsoft", "OpenAI", "Bing"),
    )
    with db.write() as session:
        update_story(session, joined, second, previous_keys=story.keys)
    with db.read() as session:
        assert [s.id for s in candidate_stories(session, T0 + timedelta(hours=4), {"org:Bing"})] == [story.id]
        assert story_id_of(session, second) == story.id
    assert get_story(db, story.id) == {
        "id": story.id,
        "title": "Microsoft invests $10bn in OpenAI",
        "first_seen": "2023-01-23T14:00:00+00:00",
        "last_seen": "2023-01-23T19:00:00+00:00",
        "articles": 2,
        "article_ids": [first, second],
        "outlets": ["en", "de"],
        "languages": ["en", "de"],
        "orgs": ["Microsoft", "OpenAI", "Bing"],
        "events": ["investment"],
        "amount": {"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10bn"},
    }
    assert [h.source for h in story_articles(db, story.id)] == ["en", "de"]


def test_listing_is_newest_first_filtered_by_time_and_rule(db: Database) -> None:
    old, new = stored(db, "en", 1), stored(db, "fr", 2)
    with db.write() as session:
        old_id = insert_story(session, record(), old)
        new_id = insert_story(session, record(last_seen=T0 + timedelta(days=2), amount=None), new)
        session.execute(insert(Alert).values(rule="ai-deals", article_id=old, matched=[]))
    listed = list_stories(db)
    assert [s["id"] for s in listed] == [new_id, old_id]
    assert all(set(s) == CONTRACT_KEYS for s in listed)
    assert listed[0]["amount"] is None
    assert [s["id"] for s in list_stories(db, since=T0 + timedelta(days=1))] == [new_id]
    assert [s["id"] for s in list_stories(db, rule="ai-deals")] == [old_id]
    assert list_stories(db, rule="other") == []
    assert [s["id"] for s in list_stories(db, limit=1)] == [new_id]
    assert get_story(db, 999) is None


def test_stories_survive_a_restart(db: Database, databases: Databases) -> None:
    article_id = stored(db, "en", 1)
    with db.write() as session:
        story_id = insert_story(session, record(), article_id)
    db.dispose()
    reopened = Database(databases.url())
    with reopened.read() as session:
        assert [s.id for s in candidate_stories(session, T0, {"org:OpenAI"})] == [story_id]
    reopened.dispose()


def test_an_article_looks_up_by_its_organisations_or_else_its_events(db: Database) -> None:
    assert lookup_keys(["OpenAI"], ["investment"]) == {"org:OpenAI"}
    assert lookup_keys([], ["investment"]) == {"event:investment"}
    ids = [stored(db, "en", n) for n in range(3)]
    with db.write() as session:
        for hours, article_id in enumerate(ids):
            insert_story(session, record(last_seen=T0 + timedelta(hours=hours)), article_id)
    with db.read() as session:
        newest = candidate_stories(session, T0, {"org:OpenAI"}, limit=2)
    assert [story.last_seen for story in newest] == [T0 + timedelta(hours=2), T0 + timedelta(hours=1)]


def test_only_the_candidates_whose_centroid_is_near_are_read_whole(db: Database) -> None:
    ids = [stored(db, "en", n) for n in range(2)]
    with db.write() as session:
        far = insert_story(session, record(centroid=b"\x00\x00\x00\x00" * 4), ids[0])
        close = insert_story(session, record(), ids[1])
    seen: list[int] = []

    def near(centroids: Sequence[bytes]) -> list[bool]:
        seen.append(len(centroids))
        return [centroid != b"\x00\x00\x00\x00" * 4 for centroid in centroids]

    with db.read() as session:
        assert [s.id for s in candidate_stories(session, T0, {"org:OpenAI"}, near)] == [close]
        assert [s.id for s in candidate_stories(session, T0, {"org:OpenAI"})] == [close, far]
    assert seen == [2]


def test_beyond_the_limit_the_stories_sharing_most_keys_come_first(db: Database) -> None:
    ids = [stored(db, "en", n) for n in range(4)]
    with db.write() as session:
        both = insert_story(session, record(), ids[0])  # Microsoft and OpenAI, the oldest
        others = [
            insert_story(session, record(orgs=("Microsoft",), last_seen=T0 + timedelta(hours=n)), article_id)
            for n, article_id in enumerate(ids[1:], 1)
        ]
    keys = {"org:Microsoft", "org:OpenAI"}
    with db.read() as session:
        assert [s.id for s in candidate_stories(session, T0, keys, limit=2)] == [both, others[-1]]
        assert [s.id for s in candidate_stories(session, T0, keys, limit=4)] == [both, *reversed(others)]


def test_a_story_sharing_only_names_is_a_candidate_from_two_of_them(db: Database) -> None:
    ids = [stored(db, "en", n) for n in range(2)]
    with db.write() as session:
        named = insert_story(session, record(orgs=(), names=("lufthansa", "ita", "prozent")), ids[0])
    assert lookup_keys([], ["investment"], ["lufthansa"]) == {"name:lufthansa"}
    with db.read() as session:
        found = candidate_stories(session, T0, {"name:lufthansa", "name:ita", "name:rom"}, names_needed=2)
        assert [(s.id, set(s.names)) for s in found] == [(named, {"lufthansa", "ita"})]
        assert candidate_stories(session, T0, {"name:prozent", "org:Alitalia"}, names_needed=2) == []
    # Joining adds the names it did not share, without storing again those it did.
    joined = replace(found[0], articles=2, names=("lufthansa", "ita", "fiumicino"))
    with db.write() as session:
        update_story(session, joined, ids[1], previous_keys=found[0].keys)
    with db.read() as session:
        assert [
            s.id for s in candidate_stories(session, T0, {"name:fiumicino", "name:prozent"}, names_needed=2)
        ] == [named]


def test_two_writers_filing_one_event_at_the_same_instant_file_one_story(
    db: Database, databases: Databases
) -> None:
    """The second waits for the first to commit its new story, then joins it (PostgreSQL: the filing
    lock; SQLite: BEGIN IMMEDIATE)."""
    book = StoryBook(thresholds=Thresholds())
    vector = np.ones(8, dtype=np.float32) / np.sqrt(8)
    first_filed, first_may_commit = threading.Event(), threading.Event()
    filed: dict[str, Filed] = {}

    def writer(name: str, database: Database, hold: bool) -> None:
        def file(session: Session, article_id: int, _: NewArticle) -> None:
            report = Report(
                article_id, f"t{name}", "", name, "en", T0, Fingerprint(("OpenAI",)), vector=vector
            )
            filed[name] = book.file(session, report)
            if hold:
                first_filed.set()
                first_may_commit.wait(30)

        article = NewArticle(source=name, url=f"https://{name}.example/1", title=f"t{name}", keys=())
        store_article(database, article, file)

    second_writer = databases.open()
    first = threading.Thread(target=writer, args=("en", db, True))
    second = threading.Thread(target=writer, args=("fr", second_writer, False))
    first.start()
    assert first_filed.wait(30)
    second.start()
    if databases.dialect == "postgresql":
        wait_for_a_lock_wait(db)
    first_may_commit.set()
    for thread in (first, second):
        thread.join(30)
    assert not filed["en"].joined and filed["fr"].joined
    assert filed["fr"].story.id == filed["en"].story.id
    assert [s["articles"] for s in list_stories(db)] == [2]
