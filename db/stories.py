"""Stories as stored: the candidates a new article may join, their writes, and the listings.

Clustering itself is ``alerts.stories``; this module only reads and writes,
with Core statements (a story is touched for every new article). The writes
take the caller's session so that an article, its story and its alerts land
in one transaction. A story is found by its keys (``org:<name>``,
``event:<type>``) and its ``last_seen``, so candidates come from the
database and survive restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Alert, Article, Story, StoryKey

# Read without the ORM, with the other reads (db.queries); named here too, beside the stories.
from db.queries import story_articles as story_articles

# The hot path (every new article) runs on the tables, not the ORM entities: an ORM-enabled
# UPDATE or INSERT goes through the ORM's bulk-persistence layer for nothing.
_STORIES = cast(Table, Story.__table__)
_KEYS = cast(Table, StoryKey.__table__)
_ARTICLES = cast(Table, Article.__table__)


@dataclass(frozen=True)
class StoryRecord:
    """One story's state. ``id`` is 0 until it is stored."""

    id: int
    title: str
    first_seen: datetime
    last_seen: datetime
    articles: int
    outlets: tuple[str, ...]
    languages: tuple[str, ...]
    orgs: tuple[str, ...]
    events: tuple[str, ...]
    amount: dict[str, Any] | None  # the largest stated: {value, currency, usd, text}
    amounts_usd: tuple[float, ...]  # every amount stated by a member, in USD
    centroid: bytes  # float32 mean embedding

    @property
    def keys(self) -> frozenset[str]:
        return story_keys(self.orgs, self.events)


def story_keys(orgs: Iterable[str], events: Iterable[str]) -> frozenset[str]:
    """What a story is stored under."""
    return frozenset([*(f"org:{name}" for name in orgs), *(f"event:{kind}" for kind in events)])


def lookup_keys(orgs: Sequence[str], events: Sequence[str]) -> frozenset[str]:
    """What an article looks its candidates up by: its organisations, or its events when it names none.

    A story it could join shares one of its organisations anyway (the clusterer
    requires it when both name some), and an event type alone would make every
    investment of the last three days a candidate of every investment article.
    """
    return story_keys(orgs, ()) if orgs else story_keys((), events)


# Bounds the work per article when a key is shared by many stories (OpenAI on its busiest days).
MAX_CANDIDATES = 1000


def candidate_stories(
    session: Session,
    since: datetime,
    keys: Iterable[str],
    near: Callable[[Sequence[bytes]], Sequence[bool]] | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[StoryRecord]:
    """The stories seen since ``since`` that share at least one key and whose centroid is ``near``.

    Those sharing the most keys first (the story of Microsoft and OpenAI before
    the other stories of Microsoft), then the most recently seen; ``limit``
    keeps the first. ``near`` tells, for all the candidates' centroids at
    once, which are close enough: only those rows are read whole, decoding a
    row costing a hundred times more than the closeness test.
    """
    wanted = sorted(set(keys))
    if not wanted:
        return []
    params = {"keys": wanted, "since": since, "limit": limit, "beyond": limit + 1}
    found = session.execute(_CANDIDATES, params).all()
    if len(found) > limit:  # only then does the order matter: rank them in the database
        found = session.execute(_RANKED_CANDIDATES, params).all()
    if near is not None and found:
        found = [
            row for row, keep in zip(found, near([centroid for _, centroid in found]), strict=True) if keep
        ]
    if not found:
        return []
    rows = session.execute(_STORIES_BY_ID, {"ids": [story_id for story_id, _ in found]})
    # The ranking of _RANKED_CANDIDATES, on the few rows read whole.
    chosen = frozenset(wanted)
    return sorted(
        (_record(row) for row in rows),
        key=lambda story: (len(story.keys & chosen), story.last_seen, story.id),
        reverse=True,
    )


def _ranked_ids() -> Select[tuple[int]]:
    shared = (
        select(_KEYS.c.story_id, func.count().label("shared"))
        .where(_KEYS.c.key.in_(bindparam("keys", expanding=True)))
        .group_by(_KEYS.c.story_id)
        .subquery()
    )
    return (
        select(_STORIES.c.id)
        .join(shared, shared.c.story_id == _STORIES.c.id)
        .where(_STORIES.c.last_seen >= bindparam("since"))
        .order_by(shared.c.shared.desc(), _STORIES.c.last_seen.desc(), _STORIES.c.id.desc())
        .limit(bindparam("limit"))
    )


# Built once: building a statement costs more than SQLite takes to run it. Most articles have
# fewer candidates than the limit: they are read unranked (no grouping, no sort), a third cheaper.
# Ranked, the centroids are read in a query around the ranking: sorting rows that carry 2 KB
# blobs made it 2x slower.
_CANDIDATES = (
    select(_STORIES.c.id, _STORIES.c.centroid)
    .where(
        _STORIES.c.id.in_(select(_KEYS.c.story_id).where(_KEYS.c.key.in_(bindparam("keys", expanding=True)))),
        _STORIES.c.last_seen >= bindparam("since"),
    )
    .limit(bindparam("beyond"))
)
_RANKED_CANDIDATES = select(_STORIES.c.id, _STORIES.c.centroid).where(
    _STORIES.c.id.in_(_ranked_ids().scalar_subquery())
)
_STORIES_BY_ID = select(_STORIES).where(_STORIES.c.id.in_(bindparam("ids", expanding=True)))


# The writes' statements, built once for the same reason; the columns set are the parameters'.
_INSERT_STORY = insert(_STORIES).returning(_STORIES.c.id)
_UPDATE_STORY = update(_STORIES).where(_STORIES.c.id == bindparam("story"))
_ATTACH = update(_ARTICLES).where(_ARTICLES.c.id == bindparam("article"))


def insert_story(session: Session, story: StoryRecord, article_id: int) -> int:
    """Store a new story started by ``article_id``; return its id."""
    story_id = session.execute(_INSERT_STORY, _values(story)).scalar_one()
    _add_keys(session, story_id, story.keys)
    _attach(session, story_id, article_id)
    return int(story_id)


def update_story(
    session: Session, story: StoryRecord, article_id: int, previous_keys: frozenset[str]
) -> None:
    """Save ``story`` (stored already) after ``article_id`` joined it."""
    session.execute(_UPDATE_STORY, {**_values(story), "story": story.id})
    _add_keys(session, story.id, story.keys - previous_keys)
    _attach(session, story.id, article_id)


def story_id_of(session: Session, article_id: int) -> int | None:
    return session.execute(select(Article.story_id).where(Article.id == article_id)).scalar_one_or_none()


def list_stories(
    database: Database, since: datetime | None = None, rule: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Stories, newest first, in the shape of ``newsmon stories`` (CONTRACT.md).

    ``rule``: only stories with an article that rule alerted on.
    """
    statement = select(*_STORY_COLUMNS).order_by(Story.last_seen.desc(), Story.id.desc())
    if since is not None:
        statement = statement.where(Story.last_seen >= since)
    if rule is not None:
        alerted = select(Article.story_id).join(Alert, Alert.article_id == Article.id)
        statement = statement.where(Story.id.in_(alerted.where(Alert.rule == rule)))
    if limit is not None:
        statement = statement.limit(limit)
    with database.read() as session:
        records = [_record(row) for row in session.execute(statement)]
        members = _member_ids(session, [record.id for record in records])
    return [story_dict(record, members.get(record.id, [])) for record in records]


def get_story(database: Database, story_id: int) -> dict[str, Any] | None:
    with database.read() as session:
        row = session.execute(select(*_STORY_COLUMNS).where(Story.id == story_id)).one_or_none()
        if row is None:
            return None
        return story_dict(_record(row), _member_ids(session, [story_id]).get(story_id, []))


def story_dict(record: StoryRecord, article_ids: Sequence[int]) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "first_seen": record.first_seen.isoformat(),
        "last_seen": record.last_seen.isoformat(),
        "articles": record.articles,
        "article_ids": list(article_ids),
        "outlets": list(record.outlets),
        "languages": list(record.languages),
        "orgs": list(record.orgs),
        "events": list(record.events),
        "amount": record.amount,
    }


_STORY_COLUMNS = (
    Story.id,
    Story.title,
    Story.first_seen,
    Story.last_seen,
    Story.articles,
    Story.outlets,
    Story.languages,
    Story.orgs,
    Story.events,
    Story.amount,
    Story.amounts_usd,
    Story.centroid,
)


def _record(row: Row[Any]) -> StoryRecord:
    return StoryRecord(
        id=row.id,
        title=row.title,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        articles=row.articles,
        outlets=tuple(row.outlets),
        languages=tuple(row.languages),
        orgs=tuple(row.orgs),
        events=tuple(row.events),
        amount=row.amount,
        amounts_usd=tuple(row.amounts_usd),
        centroid=bytes(row.centroid),
    )


def _values(story: StoryRecord) -> dict[str, Any]:
    return {
        "title": story.title,
        "first_seen": story.first_seen,
        "last_seen": story.last_seen,
        "articles": story.articles,
        "outlets": list(story.outlets),
        "languages": list(story.languages),
        "orgs": list(story.orgs),
        "events": list(story.events),
        "amount": story.amount,
        "amounts_usd": list(story.amounts_usd),
        "centroid": story.centroid,
    }


def _add_keys(session: Session, story_id: int, keys: Iterable[str]) -> None:
    rows = [{"key": key, "story_id": story_id} for key in sorted(keys)]
    if rows:
        session.execute(insert(_KEYS), rows)


def _attach(session: Session, story_id: int, article_id: int) -> None:
    session.execute(_ATTACH, {"story_id": story_id, "article": article_id})


def _member_ids(session: Session, story_ids: Sequence[int]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    if not story_ids:
        return members
    rows = session.execute(
        select(Article.story_id, Article.id)
        .where(Article.story_id.in_(story_ids))
        .order_by(func.coalesce(Article.published, Article.fetched), Article.id)
    )
    for story_id, article_id in rows:
        if story_id is not None:
            members.setdefault(story_id, []).append(article_id)
    return members
