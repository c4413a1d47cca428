"""Writes of the crawl: sources, articles with their identity keys, pages to retry, the fetch log.

An article is stored with every key it is known by (canonical URL, URL
variants, feed GUID) and the facts event detection found in it, in one
``BEGIN IMMEDIATE`` transaction, together with its story (joined or started),
the alerts of the rules it matched (the outbox) and whatever the
``on_stored`` hook writes: either all of it lands or none of it does.
Detection, matching and the story's embedding run before, outside the
transaction, so that it stays short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.facts import ArticleFacts
from db.health import fetch_verdict
from db.models import Article, ArticleKey, FetchLog, PendingPage, Source, utcnow
from db.outbox import AlertMatch, raise_alerts


@dataclass(frozen=True)
class SourceSpec:
    name: str
    type: str
    url: str


@dataclass(frozen=True)
class NewArticle:
    source: str
    url: str
    title: str
    keys: tuple[str, ...]
    guid: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    language: str | None = None
    summary: str = ""
    lead: str = ""
    text: str = ""
    text_from: str = "page"  # or "feed": stored from the feed's own content, without its page
    facts: ArticleFacts = field(default_factory=ArticleFacts)


@dataclass(frozen=True)
class FetchResult:
    outcome: str  # ok | not_modified | unchanged | error
    http_status: int | None = None
    entries: int = 0
    new_articles: int = 0
    pages_extracted: int = 0
    extraction_failures: int = 0
    pages_requested: int = 0  # article pages asked for (new and retried)
    page_failures: int = 0  # of those, pages that could not be fetched
    page_error: str | None = None  # why the first of them failed
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    started: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None
    body_hash: str | None


@dataclass(frozen=True)
class FailedPage:
    """An article page that could not be fetched: ``entry`` is its feed entry as JSON."""

    source: str
    url: str
    keys: tuple[str, ...]
    entry: dict[str, Any]


@dataclass(frozen=True)
class RetryPage(FailedPage):
    """A page waiting for its retry (``db.models.PendingPage``)."""

    first_failed: datetime
    attempts: int
    next_attempt: datetime


OnStored = Callable[[Session, int, NewArticle], None]


class StoryFiling(Protocol):
    """A new article's filing into its story, prepared (embedded) before the store's transaction."""

    def file(self, session: Session, article_id: int) -> int:
        """Join the article, stored as ``article_id``, to its story or start one; return the story's id."""
        ...


@dataclass(frozen=True)
class Assessment:
    """What a new article is found to be before it is stored: its facts, the rules it matches and,
    when it has facts (an organisation or an event), its story's filing."""

    facts: ArticleFacts
    matches: tuple[AlertMatch, ...] = ()
    story: StoryFiling | None = None


Assess = Callable[[NewArticle], Assessment]


def url_key(url: str) -> str:
    return f"url:{url}"


def guid_key(source: str, guid: str) -> str:
    return f"guid:{source}:{guid}"


def sync_sources(database: Database, specs: Iterable[SourceSpec]) -> None:
    """Make the sources table know every configured source; type and URL follow the config.

    Every command calls this on start: when nothing changed it only reads, so
    a `newsmon search` never queues behind the daemon's writes.
    """
    wanted = {spec.name: (spec.type, spec.url) for spec in specs}
    with database.read() as session:
        current = {
            name: (type_, url)
            for name, type_, url in session.execute(select(Source.name, Source.type, Source.url))
        }
    if all(current.get(name) == value for name, value in wanted.items()):
        return
    specs = [SourceSpec(name, type_, url) for name, (type_, url) in wanted.items()]
    with database.write() as session:
        existing = {s.name: s for s in session.scalars(select(Source))}
        for spec in specs:
            row = existing.get(spec.name)
            if row is None:
                session.add(Source(name=spec.name, type=spec.type, url=spec.url))
            elif (row.type, row.url) != (spec.type, spec.url):
                row.type, row.url = spec.type, spec.url
                row.etag = row.last_modified = row.body_hash = None


def known_keys(database: Database, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    with database.read() as session:
        return set(session.scalars(select(ArticleKey.key).where(ArticleKey.key.in_(keys))))


def store_article(
    database: Database,
    article: NewArticle,
    on_stored: OnStored | None = None,
    matches: Sequence[AlertMatch] = (),
    story: StoryFiling | None = None,
) -> int | None:
    """Store a new article with its facts, its ``story`` and the alerts of ``matches``; return its
    id, or None when one of its keys was already known.

    A known article gains the keys it was not yet known by, so the next
    variant is recognised before its page is fetched.
    """
    keys = list(dict.fromkeys((url_key(article.url), *article.keys)))
    try:
        with database.write() as session:
            found = session.execute(
                select(ArticleKey.key, ArticleKey.article_id).where(ArticleKey.key.in_(keys))
            ).all()
            if found:
                _add_keys(session, found[0].article_id, set(keys) - {row.key for row in found})
                return None
            article_id = session.execute(
                insert(Article)
                .values(
                    source_id=select(Source.id).where(Source.name == article.source).scalar_subquery(),
                    url=article.url,
                    guid=article.guid,
                    title=article.title,
                    authors=list(article.authors),
                    published=article.published,
                    fetched=utcnow(),
                    language=article.language,
                    summary=article.summary,
                    lead=article.lead,
                    text=article.text,
                    text_from=article.text_from,
                    **article.facts.columns(),
                )
                .returning(Article.id)
            ).scalar_one()
            _add_keys(session, article_id, set(keys))
            file_and_alert(session, article_id, matches, story)
            if on_stored is not None:
                on_stored(session, article_id, article)
            return article_id
    except IntegrityError:
        # Another writer stored the same article between our check and insert.
        return None


def file_and_alert(
    session: Session, article_id: int, matches: Sequence[AlertMatch], story: StoryFiling | None
) -> int | None:
    """File the stored article into its story, then raise the alerts of ``matches`` that neither
    the article nor its story has raised yet; return the story's id (None: in no story)."""
    story_id = story.file(session, article_id) if story is not None else None
    if matches:
        raise_alerts(session, article_id, matches, story_id=story_id)
    return story_id


def _add_keys(session: Session, article_id: int, keys: set[str]) -> None:
    if keys:
        session.execute(insert(ArticleKey), [{"key": k, "article_id": article_id} for k in sorted(keys)])


def pending_pages(database: Database, sources: Iterable[str]) -> list[RetryPage]:
    """The pages of ``sources`` waiting for a retry, due or not, oldest failure first."""
    with database.read() as session:
        rows = session.execute(
            select(PendingPage, Source.name)
            .join(Source, Source.id == PendingPage.source_id)
            .where(Source.name.in_(list(sources)))
            .order_by(PendingPage.first_failed, PendingPage.id)
        ).all()
    return [_retry_page(page, name) for page, name in rows]


def record_page_failure(
    database: Database,
    page: FailedPage,
    error: str,
    backoff: Callable[[int], timedelta],
    now: datetime | None = None,
) -> RetryPage | None:
    """Count one more failure of ``page``; return it as kept (None for an unknown source).

    ``backoff(attempts)`` is the wait before the next attempt.
    """
    now = now or utcnow()
    with database.write() as session:
        source_id = session.scalar(select(Source.id).where(Source.name == page.source))
        if source_id is None:
            return None
        row = session.scalar(
            select(PendingPage).where(PendingPage.source_id == source_id, PendingPage.url == page.url)
        )
        if row is None:
            row = PendingPage(
                source_id=source_id,
                url=page.url,
                keys=list(page.keys),
                entry=page.entry,
                first_failed=now,
                attempts=0,
            )
            session.add(row)
        row.attempts += 1
        row.next_attempt = now + backoff(row.attempts)
        row.last_error = error
        session.flush()
        return _retry_page(row, page.source)


def forget_page(database: Database, source: str, url: str) -> None:
    """The page was fetched, stored from the feed, or is gone for good: no more retries."""
    with database.write() as session:
        source_id = select(Source.id).where(Source.name == source).scalar_subquery()
        session.execute(delete(PendingPage).where(PendingPage.source_id == source_id, PendingPage.url == url))


def _retry_page(row: PendingPage, source: str) -> RetryPage:
    return RetryPage(
        source=source,
        url=row.url,
        keys=tuple(row.keys),
        entry=dict(row.entry),
        first_failed=row.first_failed,
        attempts=row.attempts,
        next_attempt=row.next_attempt,
    )


def validators(database: Database, source: str) -> Validators:
    with database.read() as session:
        row = session.execute(
            select(Source.etag, Source.last_modified, Source.body_hash).where(Source.name == source)
        ).one_or_none()
    return Validators(*row) if row else Validators(None, None, None)


def record_fetch(database: Database, source: str, result: FetchResult) -> None:
    """Log one fetch of a source and update its state (validators, failures, status)."""
    record_fetches(database, [(source, result)])


def record_fetches(database: Database, fetches: Sequence[tuple[str, FetchResult]]) -> None:
    """Log fetches of sources, in order, and update their state, in one transaction.

    A crawl ends by recording every source it fetched: one transaction with
    bulk statements costs 0.03 ms a source where one transaction per source
    cost 0.6 ms, a fifth of the CPU a 304 costs. Unknown sources are skipped.
    """
    if not fetches:
        return
    now = utcnow()
    with database.write() as session:
        names = {source for source, _ in fetches}
        rows = session.execute(select(Source.name, Source.id).where(Source.name.in_(names)))
        ids: dict[str, int] = {name: source_id for name, source_id in rows}
        logs: list[dict[str, object]] = []
        succeeded: list[dict[str, object]] = []
        for source, result in fetches:
            source_id = ids.get(source)
            if source_id is None:
                continue
            logs.append(
                {
                    "source_id": source_id,
                    "started": result.started,
                    "finished": now,
                    "outcome": result.outcome,
                    "http_status": result.http_status,
                    "entries": result.entries,
                    "new_articles": result.new_articles,
                    "error": result.error,
                }
            )
            if result.outcome != "error":
                succeeded.append(_success(source_id, result, now))
                continue
            _update_by_id(session, succeeded)  # the fetches' order decides a source's final state
            session.execute(
                update(Source)
                .where(Source.id == source_id)
                .values(
                    last_fetch=now,
                    status="failing",
                    failures=Source.failures + 1,
                    last_error=result.error or "unknown error",
                )
            )
        _update_by_id(session, succeeded)
        if logs:
            session.execute(insert(FetchLog), logs)


def _success(source_id: int, result: FetchResult, now: datetime) -> dict[str, object]:
    values: dict[str, object] = {
        "id": source_id,
        "last_fetch": now,
        "status": "ok",
        "failures": 0,
        "last_success": now,
        "last_error": None,
    }
    if result.new_articles:
        values["last_new_entry"] = now
    if (verdict := fetch_verdict(result)) is not None:
        values["status"] = "stale"
        values["last_error"] = verdict
    if result.outcome == "ok":
        values.update(etag=result.etag, last_modified=result.last_modified, body_hash=result.body_hash)
    return values


def _update_by_id(session: Session, rows: list[dict[str, object]]) -> None:
    """One bulk UPDATE by primary key for the queued rows, then forget them."""
    if rows:
        session.execute(update(Source), rows)
        rows.clear()


def set_next_run(database: Database, source: str, when: datetime | None) -> None:
    with database.write() as session:
        session.execute(update(Source).where(Source.name == source).values(next_run=when))
