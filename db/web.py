"""Reads (and the one write, "retry now") that only the web interface needs.

Listings shared with the command line stay where they are (``db.queries``,
``db.search``, ``db.outbox``); this module adds what a page shows beside
them: an article's facts and alerts, counts per day for the charts, the
stories, and the numbers ``/metrics`` exposes.

Stories come from the ``stories`` table and ``articles.story_id`` that story
clustering adds; until that migration has run they are simply absent, so
these functions read them with plain SQL after checking that they exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import JSON, ColumnElement, Date, Select, cast, func, inspect, select, text, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Alert, Article, Delivery, FetchLog, Source, UTCDateTime, utcnow
from db.outbox import FAILED, PENDING, DeliveryRow, delivery_rows
from db.queries import Headline
from db.search import SearchFilters, sqlite_time

_HAS_STORIES: WeakKeyDictionary[Database, bool] = WeakKeyDictionary()
STORY_COLUMNS = "id, title, first_seen, last_seen, articles, outlets, languages, orgs, events, amount"


@dataclass(frozen=True)
class ArticleFacts:
    """What event detection (and story clustering, when present) recorded about one article."""

    events: list[dict[str, Any]] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)
    story_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"story_id": self.story_id, "orgs": self.orgs, "events": self.events, "amounts": self.amounts}


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class MetricsSnapshot:
    articles: int
    crawls: dict[tuple[str, str], int]  # (source, outcome) -> fetches in the fetch log
    deliveries: dict[tuple[str, str], int]  # (channel, status) -> deliveries
    outbox_depth: int
    last_crawl: dict[str, datetime]  # source -> end of its last fetch


def has_stories(database: Database) -> bool:
    """Whether story clustering's tables are in this database (checked once per Database)."""
    cached = _HAS_STORIES.get(database)
    if cached is None:
        tables = inspect(database.engine)
        cached = tables.has_table("stories") and any(
            c["name"] == "story_id" for c in tables.get_columns("articles")
        )
        _HAS_STORIES[database] = cached
    return cached


# ------------------------------------------------------------------ articles


def article_facts(database: Database, article_id: int) -> ArticleFacts:
    with database.read() as session:
        row = session.execute(
            select(Article.events, Article.orgs, Article.amounts).where(Article.id == article_id)
        ).one_or_none()
        story_id = _story_of(session, article_id) if has_stories(database) else None
    if row is None:
        return ArticleFacts()
    return ArticleFacts(list(row.events or []), list(row.orgs or []), list(row.amounts or []), story_id)


def _story_of(session: Session, article_id: int) -> int | None:
    value = session.execute(text("SELECT story_id FROM articles WHERE id = :id"), {"id": article_id}).scalar()
    return int(value) if value is not None else None


def latest_articles(database: Database, filters: SearchFilters) -> list[Headline]:
    """The last articles stored under the filters: what the search page shows before a query is typed.

    Ordered by id, the order of arrival: walking the primary key back from
    its end stops at the limit, where ordering by publication time (no index
    covers "published, else fetched") sorted every article: 6 s at 100k.
    """
    statement = (
        select(Article.id, Article.title, Article.url, Source.name, Article.published, Article.language)
        .join(Source, Source.id == Article.source_id)
        .order_by(Article.id.desc())
        .limit(filters.limit)
    )
    if filters.since is not None:
        statement = statement.where(func.coalesce(Article.published, Article.fetched) >= filters.since)
    if filters.source:
        statement = statement.where(Source.name == filters.source)
    if filters.language:
        statement = statement.where(Article.language == filters.language.lower())
    with database.read() as session:
        return [Headline(*row) for row in session.execute(statement)]


# ------------------------------------------------------------------- alerts


def _delivery_select() -> Any:
    return delivery_rows()


def article_deliveries(database: Database, article_id: int) -> list[DeliveryRow]:
    """The alerts an article raised, one row per channel, in the shape of ``newsmon alerts``."""
    statement = _delivery_select().where(Alert.article_id == article_id).order_by(Delivery.id)
    with database.read() as session:
        return [DeliveryRow(*row) for row in session.execute(statement)]


def recent_deliveries(
    database: Database, limit: int, rule: str | None = None, status: str | None = None
) -> list[DeliveryRow]:
    """The newest deliveries first, at most ``limit``: what the alerts page lists."""
    statement = _delivery_select().order_by(Delivery.id.desc()).limit(limit)
    if rule is not None:
        statement = statement.where(Alert.rule == rule)
    if status is not None:
        statement = statement.where(Delivery.status == status)
    with database.read() as session:
        return [DeliveryRow(*row) for row in session.execute(statement)]


def retry_now(database: Database, delivery_id: int, now: datetime | None = None) -> bool:
    """Make a pending or failed delivery due now; the daemon's delivery loop then sends it.

    A failed delivery becomes pending again with its attempts and last
    error kept, so the alerts page still shows why it failed until the
    next attempt. A sent delivery is left alone (False).
    """
    with database.write() as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status.in_([PENDING, FAILED]))
            .values(status=PENDING, next_attempt=now or utcnow())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def delivery_exists(database: Database, delivery_id: int) -> bool:
    with database.read() as session:
        return session.get(Delivery, delivery_id) is not None


# ------------------------------------------------------------------- charts


def _day(database: Database, column: Any) -> ColumnElement[Any]:
    return func.date(column) if database.is_sqlite else cast(column, Date)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _per_day(database: Database, key: Any, moment: Any, days: int, now: datetime | None) -> Select[Any]:
    """``(key, day, count)`` over the last ``days``; the caller adds the tables (FROM and joins)."""
    day = _day(database, moment).label("day")
    start = (now or utcnow()) - timedelta(days=days)
    return select(key, day, func.count()).where(moment >= start).group_by(key, day).order_by(key, day)


def articles_per_day(
    database: Database, days: int = 30, now: datetime | None = None
) -> dict[str, list[DayCount]]:
    """Articles fetched per source and day over the last ``days`` (days without any are absent)."""
    statement = _per_day(database, Source.name, Article.fetched, days, now)
    return _grouped(database, statement.select_from(Article).join(Source, Source.id == Article.source_id))


def alerts_per_day(
    database: Database, days: int = 30, now: datetime | None = None
) -> dict[str, list[DayCount]]:
    """Alerts raised per rule and day over the last ``days`` (days without any are absent)."""
    return _grouped(database, _per_day(database, Alert.rule, Alert.created, days, now).select_from(Alert))


def _grouped(database: Database, statement: Select[Any]) -> dict[str, list[DayCount]]:
    result: dict[str, list[DayCount]] = {}
    with database.read() as session:
        for name, day, count in session.execute(statement):
            result.setdefault(name, []).append(DayCount(_as_date(day), int(count)))
    return result


def alert_totals(database: Database) -> dict[str, int]:
    """Alerts raised per rule, all time."""
    with database.read() as session:
        return {
            rule: int(n) for rule, n in session.execute(select(Alert.rule, func.count()).group_by(Alert.rule))
        }


# ------------------------------------------------------------------ stories


def list_stories(database: Database, since: datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Stories, newest first, in the shape of ``newsmon stories``; none before clustering exists."""
    if not has_stories(database):
        return []
    where, params = "", {"limit": limit}
    if since is not None:
        where, params["since"] = "WHERE last_seen >= :since", _bind_time(database, since)
    sql = f"SELECT {STORY_COLUMNS} FROM stories {where} ORDER BY last_seen DESC, id DESC LIMIT :limit"
    with database.read() as session:
        rows = session.execute(_story_statement(sql), params).all()
        members = _story_members(session, [row.id for row in rows])
    return [_story_dict(row, members.get(row.id, [])) for row in rows]


def get_story(database: Database, story_id: int) -> dict[str, Any] | None:
    if not has_stories(database):
        return None
    sql = f"SELECT {STORY_COLUMNS} FROM stories WHERE id = :id"
    with database.read() as session:
        row = session.execute(_story_statement(sql), {"id": story_id}).one_or_none()
        if row is None:
            return None
        return _story_dict(row, _story_members(session, [story_id]).get(story_id, []))


def story_articles(database: Database, story_id: int) -> list[Headline]:
    """The story's articles, first published first: its timeline."""
    if not has_stories(database):
        return []
    sql = """
        SELECT a.id, a.title, a.url, s.name, a.published, a.language
        FROM articles a JOIN sources s ON s.id = a.source_id
        WHERE a.story_id = :id ORDER BY COALESCE(a.published, a.fetched), a.id"""
    with database.read() as session:
        rows = session.execute(text(sql).columns(published=UTCDateTime()), {"id": story_id})
        return [Headline(*row) for row in rows]


def _story_statement(sql: str) -> Any:
    return text(sql).columns(
        first_seen=UTCDateTime(),
        last_seen=UTCDateTime(),
        outlets=JSON(),
        languages=JSON(),
        orgs=JSON(),
        events=JSON(),
        amount=JSON(),
    )


def _story_members(session: Session, story_ids: list[int]) -> dict[int, list[int]]:
    if not story_ids:
        return {}
    ids = ", ".join(str(int(i)) for i in story_ids)
    members: dict[int, list[int]] = {}
    for story_id, article_id in session.execute(
        text(f"SELECT story_id, id FROM articles WHERE story_id IN ({ids}) ORDER BY id")
    ):
        members.setdefault(int(story_id), []).append(int(article_id))
    return members


def _story_dict(row: Any, article_ids: list[int]) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "first_seen": row.first_seen.isoformat() if row.first_seen else None,
        "last_seen": row.last_seen.isoformat() if row.last_seen else None,
        "articles": row.articles,
        "article_ids": article_ids,
        "outlets": list(row.outlets or []),
        "languages": list(row.languages or []),
        "orgs": list(row.orgs or []),
        "events": list(row.events or []),
        "amount": row.amount,
    }


def _bind_time(database: Database, moment: datetime) -> Any:
    return sqlite_time(moment) if database.is_sqlite else moment


# ------------------------------------------------------------------ metrics


def metrics_snapshot(database: Database) -> MetricsSnapshot:
    with database.read() as session:
        articles = session.scalar(select(func.count()).select_from(Article)) or 0
        crawls = session.execute(
            select(Source.name, FetchLog.outcome, func.count())
            .join(Source, Source.id == FetchLog.source_id)
            .group_by(Source.name, FetchLog.outcome)
        ).all()
        deliveries = session.execute(
            select(Delivery.channel, Delivery.status, func.count()).group_by(
                Delivery.channel, Delivery.status
            )
        ).all()
        last = session.execute(select(Source.name, Source.last_fetch).where(Source.last_fetch.is_not(None)))
        last_crawl = {name: moment for name, moment in last if moment is not None}
    by_status = {(channel, status): int(n) for channel, status, n in deliveries}
    return MetricsSnapshot(
        articles=int(articles),
        crawls={(name, outcome): int(n) for name, outcome, n in crawls},
        deliveries=by_status,
        outbox_depth=sum(n for (_, status), n in by_status.items() if status == PENDING),
        last_crawl=last_crawl,
    )


def database_answers(database: Database) -> bool:
    with database.read() as session:
        return session.execute(text("SELECT 1")).scalar() == 1
