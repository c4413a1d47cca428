"""Forgetting what is old: articles (with their keys, alerts and deliveries) and the fetch log.

Deleting an article is one statement; its keys, alerts and their deliveries
go with it through ``ON DELETE CASCADE`` (SQLite enforces foreign keys
because every connection turns them on, see ``db.engine``), and the FTS
index follows through its delete trigger. The stories the deleted articles
were in are recounted from the articles left, or deleted when none is left
(``db.stories.refresh_stories``), in the same transaction. Work is done in batches, each its
own short write transaction, so a running daemon's writers never wait long.

A digest made before the articles' cutoff carried only alerts of articles
fetched before it (an article is fetched before its alert is raised, and the
alert before its digest is made): once those are gone, so is the digest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Alert, Article, ArticleKey, Delivery, Digest, FetchLog
from db.stories import count_refreshes, refresh_stories

BATCH = 500
# Nothing deleted is loaded in the session: there is nothing to synchronise.
_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class PruneReport:
    """What a prune removed (or, dry, would remove)."""

    articles: int = 0
    article_keys: int = 0
    alerts: int = 0
    deliveries: int = 0
    fetch_log: int = 0
    digests: int = 0
    stories: int = 0  # left without articles, deleted
    stories_updated: int = 0  # recounted from the articles left

    def __add__(self, other: PruneReport) -> PruneReport:
        return PruneReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        removed = (
            f"{self.articles} articles ({self.article_keys} keys, {self.alerts} alerts, "
            f"{self.deliveries} deliveries), {self.digests} digests, {self.fetch_log} fetch log entries"
        )
        if self.stories or self.stories_updated:
            removed += f"; stories: {self.stories} left empty and removed, {self.stories_updated} recounted"
        return removed


def prune(
    database: Database,
    *,
    articles_before: datetime | None,
    fetch_log_before: datetime | None,
    dry_run: bool = False,
    batch: int = BATCH,
    keep_going: Callable[[], bool] = lambda: True,
) -> PruneReport:
    """Delete articles fetched before ``articles_before`` and fetch log entries started before
    ``fetch_log_before`` (``None``: keep them all); with ``dry_run``, count only.

    ``keep_going`` is asked between batches: a daemon that is stopping ends the prune there
    (what is deleted stays deleted; the rest waits for the next prune).
    """
    report = PruneReport()
    if articles_before is not None:
        old = Article.fetched < articles_before
        if dry_run:
            report += _count_articles(database, old)
        else:
            report += _delete_articles(database, old, batch, keep_going)
        report += _prune_digests(database, articles_before, dry_run, batch, keep_going)
    if fetch_log_before is not None:
        old_fetches = FetchLog.started < fetch_log_before
        if dry_run:
            report += PruneReport(fetch_log=_count(database, FetchLog.id, old_fetches))
        else:
            report += PruneReport(fetch_log=_delete_rows(database, FetchLog, old_fetches, batch, keep_going))
    return report


def _count(database: Database, column: Any, where: ColumnElement[bool]) -> int:
    with database.read() as session:
        return session.scalar(select(func.count(column)).where(where)) or 0


def _dependents(session: Session, article_ids: Any) -> PruneReport:
    """Counts of what goes with the articles ``article_ids`` (a subquery)."""
    alert_ids = select(Alert.id).where(Alert.article_id.in_(article_ids))
    emptied, recounted = count_refreshes(session, article_ids)
    return PruneReport(
        stories=emptied,
        stories_updated=recounted,
        article_keys=session.scalar(select(func.count()).where(ArticleKey.article_id.in_(article_ids))) or 0,
        alerts=session.scalar(select(func.count()).where(Alert.article_id.in_(article_ids))) or 0,
        deliveries=session.scalar(select(func.count()).where(Delivery.alert_id.in_(alert_ids))) or 0,
    )


def _count_articles(database: Database, old: ColumnElement[bool]) -> PruneReport:
    with database.read() as session:
        ids = select(Article.id).where(old)
        articles = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
        return PruneReport(articles=articles) + _dependents(session, ids)


def _delete_articles(
    database: Database, old: ColumnElement[bool], batch: int, keep_going: Callable[[], bool]
) -> PruneReport:
    report = PruneReport()
    emptied: set[int] = set()
    recounted: set[int] = set()  # a story may lose articles in several batches, then be emptied
    while keep_going():
        with database.write() as session:
            ids = list(session.scalars(select(Article.id).where(old).order_by(Article.id).limit(batch)))
            if not ids:
                break
            report += _dependents(session, select(Article.id).where(Article.id.in_(ids)))
            report += PruneReport(articles=len(ids))
            stories = session.scalars(select(Article.story_id).where(Article.id.in_(ids))).all()
            session.execute(delete(Article).where(Article.id.in_(ids)), execution_options=_NO_SYNC)
            gone, kept = refresh_stories(session, [story for story in stories if story is not None])
            emptied |= gone
            recounted |= kept
    return replace(report, stories=len(emptied), stories_updated=len(recounted - emptied))


def _delete_rows(
    database: Database,
    table: type[FetchLog] | type[Digest],
    old: ColumnElement[bool],
    batch: int,
    keep_going: Callable[[], bool],
) -> int:
    """Delete the rows of ``table`` matching ``old``, ``batch`` a transaction; how many."""
    removed = 0
    while keep_going():
        with database.write() as session:
            ids = list(session.scalars(select(table.id).where(old).order_by(table.id).limit(batch)))
            if not ids:
                return removed
            session.execute(delete(table).where(table.id.in_(ids)), execution_options=_NO_SYNC)
            removed += len(ids)
    return removed


def _prune_digests(
    database: Database, before: datetime, dry_run: bool, batch: int, keep_going: Callable[[], bool]
) -> PruneReport:
    # A member left (an article the prune has not reached yet: a dry run, a stopped prune) keeps it.
    old = (Digest.created < before) & ~exists().where(Delivery.digest_id == Digest.id)
    if dry_run:
        return PruneReport(digests=_count(database, Digest.id, Digest.created < before))
    return PruneReport(digests=_delete_rows(database, Digest, old, batch, keep_going))
