"""Stories as stored: the candidates a new article may join, their writes, and the listings.

Clustering itself is ``alerts.stories``; this module only reads and writes,
with Core statements (a story is touched for every new article). The writes
take the caller's session so that an article, its story and its alerts land
in one transaction. A story is found by its keys (``org:<name>``,
``event:<type>``, ``name:<folded word>``) and its ``last_seen``, so
candidates come from the database and survive restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, case, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.facts import ArticleFacts
from db.locks import lock_key
from db.models import Alert, Article, Source, Story, StoryKey

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
    # Names in its members' titles and leads (alerts.stories.names). Read from the database, only
    # those the article looked up shares: the rest are stored as keys but not read back.
    names: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        return story_keys(self.orgs, self.events, self.names)


def story_keys(orgs: Iterable[str], events: Iterable[str], names: Iterable[str] = ()) -> frozenset[str]:
    """What a story is stored under."""
    return frozenset(
        [
            *(f"org:{name}" for name in orgs),
            *(f"event:{kind}" for kind in events),
            *(f"{NAME}{name}" for name in names),
        ]
    )


NAME = "name:"


def lookup_keys(orgs: Sequence[str], events: Sequence[str], names: Sequence[str] = ()) -> frozenset[str]:
    """What an article looks its candidates up by: its organisations and names, or its events when it
    has neither.

    A story it could join shares one of its organisations, or of its names when
    detection found other organisations on each side, and an event type alone
    would make every investment of the last three days a candidate of every
    investment article.
    """
    return story_keys(orgs, (), names) if orgs or names else story_keys((), events)


# Bounds the work per article when a key is shared by many stories (OpenAI on its busiest days).
MAX_CANDIDATES = 1000


def candidate_stories(
    session: Session,
    since: datetime,
    keys: Iterable[str],
    near: Callable[[Sequence[bytes]], Sequence[bool]] | None = None,
    limit: int = MAX_CANDIDATES,
    names_needed: int = 1,
) -> list[StoryRecord]:
    """The stories seen since ``since`` that share a key, or ``names_needed`` name keys when they
    share nothing else, and whose centroid is ``near``.

    Those sharing the most keys first (the story of Microsoft and OpenAI before
    the other stories of Microsoft), then the most recently seen; ``limit``
    keeps the first. ``near`` tells, for all the candidates' centroids at
    once, which are close enough: only those rows are read whole, decoding a
    row costing a hundred times more than the closeness test. Each story
    comes with the names it shares (``StoryRecord.names``).
    """
    wanted = sorted(set(keys))
    if not wanted:
        return []
    params = {"keys": wanted, "since": since, "limit": limit, "names_needed": names_needed}
    # Core statements on the session's connection: the ORM's execute around them cost more than them.
    connection = session.connection()
    ranked = connection.execute(_RANKED, params).all()
    shared = {row.id: row.shared for row in ranked}
    ids = list(shared)
    if near is not None and ranked:
        close = near([row.centroid for row in ranked])
        ids = [row.id for row, keep in zip(ranked, close, strict=True) if keep]
    if not ids:
        return []
    names: dict[int, list[str]] = {}
    wanted_names = [key for key in wanted if key.startswith(NAME)]
    if wanted_names:
        for story_id, key in connection.execute(_SHARED_NAMES, {"ids": ids, "keys": wanted_names}):
            names.setdefault(story_id, []).append(key[len(NAME) :])
    records = [
        replace(_record(row), names=tuple(names.get(row.id, ())))
        for row in connection.execute(_STORIES_BY_ID, {"ids": ids})
    ]
    return sorted(records, key=lambda story: (shared[story.id], story.last_seen, story.id), reverse=True)


def _ranked() -> Select[Any]:
    shared = (
        select(
            _KEYS.c.story_id,
            func.count().label("shared"),
            func.sum(case((_KEYS.c.key.startswith(NAME), 1), else_=0)).label("named"),
        )
        .where(_KEYS.c.key.in_(bindparam("keys", expanding=True)))
        .group_by(_KEYS.c.story_id)
        .subquery()
    )
    return (
        select(_STORIES.c.id, shared.c.shared)
        .join(shared, shared.c.story_id == _STORIES.c.id)
        .where(
            _STORIES.c.last_seen >= bindparam("since"),
            or_(shared.c.shared > shared.c.named, shared.c.named >= bindparam("names_needed")),
        )
        .order_by(shared.c.shared.desc(), _STORIES.c.last_seen.desc(), _STORIES.c.id.desc())
        .limit(bindparam("limit"))
    )


# Built once: building a statement costs more than SQLite takes to run it. The candidates are
# ranked without their 2 KB centroids (sorting rows that carry them made it 2x slower), which are
# joined to the ranking's kept rows in the same statement: a second statement listing up to
# MAX_CANDIDATES ids is rendered again on every call, and cost more than the join.
_RANKING = _ranked().subquery()
_RANKED = select(_RANKING.c.id, _RANKING.c.shared, _STORIES.c.centroid).join(
    _STORIES, _STORIES.c.id == _RANKING.c.id
)
_SHARED_NAMES = select(_KEYS.c.story_id, _KEYS.c.key).where(
    _KEYS.c.story_id.in_(bindparam("ids", expanding=True)), _KEYS.c.key.in_(bindparam("keys", expanding=True))
)
_STORIES_BY_ID = select(_STORIES).where(_STORIES.c.id.in_(bindparam("ids", expanding=True)))


def take_turns_filing(session: Session) -> None:
    """Hold, until the transaction ends, the lock that filings take turns on (PostgreSQL).

    Without it two writers filing reports of one event at the same instant
    each look for its story before the other's is committed, and each starts
    one; two joining one story would each write the counts they read. On
    SQLite the writer's ``BEGIN IMMEDIATE`` already makes them take turns.
    One lock for all filings, not one per organisation or event type:
    a batch files several articles in one transaction, and locks taken
    article by article in different orders by two batches would deadlock;
    reports of one event may share no key anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_TAKE_TURNS, {"key": FILING_LOCK})


FILING_LOCK = lock_key("story filing")
_TAKE_TURNS = text("SELECT pg_advisory_xact_lock(:key)")


# The writes' statements, built once for the same reason; the columns set are the parameters'.
_INSERT_STORY = insert(_STORIES).returning(_STORIES.c.id)
_UPDATE_STORY = update(_STORIES).where(_STORIES.c.id == bindparam("story"))
_ATTACH = update(_ARTICLES).where(_ARTICLES.c.id == bindparam("article"))


def insert_story(session: Session, story: StoryRecord, article_id: int) -> int:
    """Store a new story started by ``article_id``; return its id."""
    story_id = session.connection().execute(_INSERT_STORY, _values(story)).scalar_one()
    _add_keys(session, story_id, story.keys)
    _attach(session, story_id, article_id)
    return int(story_id)


def update_story(
    session: Session, story: StoryRecord, article_id: int, previous_keys: frozenset[str]
) -> None:
    """Save ``story`` (stored already) after ``article_id`` joined it."""
    session.connection().execute(_UPDATE_STORY, {**_values(story), "story": story.id})
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
        session.connection().execute(insert(_KEYS), rows)


def _attach(session: Session, story_id: int, article_id: int) -> None:
    session.connection().execute(_ATTACH, {"story_id": story_id, "article": article_id})


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


def refresh_stories(session: Session, story_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """Bring the stories ``story_ids``, some of whose articles were deleted, in line with the articles
    left: delete those left with none, recount the others; return the ids (deleted, updated).

    Counts, outlets, languages, title (the first article's), times and amounts
    are those of the remaining members. The organisations, events, keys and
    centroid stay: no member's embedding is stored to recompute the centroid,
    and a story whose articles are old enough to prune is long past the window
    in which new articles join it.
    """
    wanted = sorted(set(story_ids))
    if not wanted:
        return set(), set()
    members: dict[int, list[Row[Any]]] = {}
    for row in session.execute(_MEMBERS, {"ids": wanted}):
        members.setdefault(row.story_id, []).append(row)
    empty = [story_id for story_id in wanted if story_id not in members]
    if empty:
        session.execute(delete(_STORIES).where(_STORIES.c.id.in_(empty)))
    for story_id, rows in members.items():
        session.execute(_REFRESH_STORY, {"story": story_id, **_recount(rows)})
    return set(empty), set(members)


def count_refreshes(session: Session, deleted: Select[tuple[int]]) -> tuple[int, int]:
    """What ``refresh_stories`` would do after the articles ``deleted`` (ids) go: (deleted, updated)."""
    touched = (
        select(Article.story_id).where(Article.id.in_(deleted), Article.story_id.is_not(None)).distinct()
    )
    kept = select(Article.story_id).where(Article.id.not_in(deleted), Article.story_id.is_not(None))
    total = session.scalar(select(func.count()).select_from(touched.subquery())) or 0
    emptied = session.scalar(
        select(func.count()).select_from(touched.where(Article.story_id.not_in(kept)).subquery())
    )
    return emptied or 0, total - (emptied or 0)


# When an article was seen, as the filing dates it: published, never later than fetched (a feed's date
# in the future would keep its story open), or fetched when undated.
_seen = case((_ARTICLES.c.published < _ARTICLES.c.fetched, _ARTICLES.c.published), else_=_ARTICLES.c.fetched)
_MEMBERS = (
    select(
        _ARTICLES.c.story_id,
        _ARTICLES.c.title,
        _ARTICLES.c.language,
        _ARTICLES.c.events,
        _ARTICLES.c.amounts,
        _seen.label("seen"),
        Source.name.label("source"),
    )
    .join(Source, Source.id == _ARTICLES.c.source_id)
    .where(_ARTICLES.c.story_id.in_(bindparam("ids", expanding=True)))
    .order_by(_seen, _ARTICLES.c.id)
)
_REFRESH_STORY = update(_STORIES).where(_STORIES.c.id == bindparam("story"))


def _recount(rows: Sequence[Row[Any]]) -> dict[str, Any]:
    """A story's columns from its members (first seen first), as alerts.stories builds them: the
    largest precise amount pricing an event, and every precise amount stated."""
    priced = [event["amount"] for row in rows for event in row.events or () if _precise(event.get("amount"))]
    stated = [*priced, *(amount for row in rows for amount in row.amounts or () if _precise(amount))]
    largest = max(priced, key=lambda amount: amount["usd"], default=None)
    return {
        "title": rows[0].title,
        "first_seen": rows[0].seen,
        "last_seen": max(row.seen for row in rows),
        "articles": len(rows),
        "outlets": list(dict.fromkeys(row.source for row in rows)),
        "languages": list(dict.fromkeys(row.language for row in rows if row.language)),
        "amount": None
        if largest is None
        else {key: largest.get(key) for key in ("value", "currency", "usd", "text")},
        "amounts_usd": sorted({amount["usd"] for amount in stated}),
    }


def _precise(amount: Any) -> bool:
    return isinstance(amount, dict) and amount.get("usd") is not None and not amount.get("lower_bound")


@dataclass(frozen=True)
class Unfiled:
    """A stored article in no story, as filing it needs it."""

    id: int
    title: str
    lead: str  # the extractor's lead, or the text's beginning, or the summary
    source: str
    language: str | None
    seen: datetime  # published, or fetched when undated
    facts: ArticleFacts


def unfiled_ids(database: Database, since: datetime | None = None) -> list[int]:
    """The articles in no story that have facts to file them by (an organisation or an event), first
    seen first: those stored before stories existed, or filed by a process without the model."""
    statement = select(_ARTICLES.c.id, _ARTICLES.c.orgs, _ARTICLES.c.event_types).where(
        _ARTICLES.c.story_id.is_(None)
    )
    if since is not None:
        statement = statement.where(_seen >= since)
    with database.read() as session:
        rows = session.execute(statement.order_by(_seen, _ARTICLES.c.id))
        # JSON lists compare in Python: PostgreSQL's json type has no equality.
        return [article_id for article_id, orgs, events in rows if orgs or events]


def unfiled(session: Session, ids: Sequence[int]) -> list[Unfiled]:
    """The articles ``ids`` still in no story, in the order given."""
    found = {
        row.id: Unfiled(
            id=row.id,
            title=row.title,
            lead=row.lead or row.text or row.summary,
            source=row.source,
            language=row.language,
            seen=row.seen,
            facts=ArticleFacts(
                events=tuple(row.events or ()),
                event_types=tuple(row.event_types or ()),
                orgs=tuple(row.orgs or ()),
                amounts=tuple(row.amounts or ()),
                amount_usd=row.amount_usd,
            ),
        )
        for row in session.execute(_UNFILED, {"ids": list(ids)})
    }
    return [found[article_id] for article_id in ids if article_id in found]


_UNFILED = (
    select(
        _ARTICLES.c.id,
        _ARTICLES.c.title,
        _ARTICLES.c.lead,
        func.substr(_ARTICLES.c.text, 1, 2000).label("text"),
        _ARTICLES.c.summary,
        _ARTICLES.c.language,
        _ARTICLES.c.events,
        _ARTICLES.c.event_types,
        _ARTICLES.c.orgs,
        _ARTICLES.c.amounts,
        _ARTICLES.c.amount_usd,
        _seen.label("seen"),
        Source.name.label("source"),
    )
    .join(Source, Source.id == _ARTICLES.c.source_id)
    .where(_ARTICLES.c.id.in_(bindparam("ids", expanding=True)), _ARTICLES.c.story_id.is_(None))
)
