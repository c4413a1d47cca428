"""Reads (and the one write, "retry now") that only the web interface needs.

Listings shared with the command line stay where they are (``db.queries``,
``db.search``, ``db.outbox``, ``db.stories``); this module adds what a page
shows beside them: an article's alerts, counts per day for the charts, and
the numbers ``/metrics`` exposes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, cast, func, select, text, update

from db import digests
from db.claims import FAILED, PENDING
from db.engine import Database
from db.models import Alert, Article, Delivery, FetchLog, Source, utcnow
from db.queries import DeliveryRow, Headline, deliveries
from db.search import SearchFilters, sqlite_time


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


# ------------------------------------------------------------------ articles


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


def article_deliveries(database: Database, article_id: int) -> list[DeliveryRow]:
    """The alerts an article raised, one row per channel, in the shape of ``newsmon alerts``."""
    return deliveries(database, "al.article_id = :article_id", article_id=article_id)


def recent_deliveries(
    database: Database, limit: int, rule: str | None = None, status: str | None = None
) -> list[DeliveryRow]:
    """The newest deliveries first, at most ``limit``: what the alerts page lists."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if rule is not None:
        conditions.append("al.rule = :rule")
        params["rule"] = rule
    if status is not None:
        conditions.append("d.status = :status")
        params["status"] = status
    return deliveries(database, " AND ".join(conditions), newest_first=True, limit=limit, **params)


def retry_now(database: Database, delivery_id: int, now: datetime | None = None) -> bool:
    """Make a pending or failed delivery due now; the daemon's delivery loop then sends it.

    A failed delivery becomes pending again with its attempts and last
    error kept, so the alerts page still shows why it failed until the
    next attempt. A sent delivery is left alone (False). One held for a
    digest goes out in a digest now (db.digests.retry_held).
    """
    now = now or utcnow()
    with database.write() as session:
        if digests.retry_held(session, delivery_id, now):
            return True
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status.in_([PENDING, FAILED]))
            .values(status=PENDING, next_attempt=now)
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
# Stories are read where story clustering keeps them: db.stories (list_stories, get_story, story_articles).


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
