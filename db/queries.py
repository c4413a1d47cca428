"""Reads for the command line and the web: articles, a story's articles, sources, deliveries.

Without the ORM: each read is one SQL statement on a Core connection, its
columns typed with the schema's own types (``db.types``), so that times come
back as aware UTC datetimes and JSON decoded, on SQLite and PostgreSQL alike.
``newsmon search``, ``show``, ``alerts`` and ``sources`` start without
importing the ORM or the models (``db.models``): that import cost a reading
verb more than its whole work.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import Boolean, Row, bindparam, text
from sqlalchemy.types import TypeEngine

from db.engine import Database
from db.facts import ArticleFacts
from db.redact import SECRETS
from db.types import JSONType, UTCDateTime

EXPORT_BATCH = 500
Record: TypeAlias = Row[*tuple[Any, ...]]  # a row of any columns, as ``text()`` gives them


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class Headline:
    """What every listing of articles shows (search hits, stored articles)."""

    id: int
    title: str
    url: str
    source: str
    published: datetime | None
    language: str | None

    def headline_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": _iso(self.published),
            "language": self.language,
        }


@dataclass(frozen=True)
class StoredArticle(Headline):
    authors: tuple[str, ...]
    summary: str
    lead: str
    text: str
    fetched: datetime
    text_from: str = "page"  # "feed": stored from the feed's own content, without its page
    facts: ArticleFacts = field(default_factory=ArticleFacts)
    story_id: int | None = None  # None: in no story (an article without facts)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.headline_dict(),
            "authors": list(self.authors),
            "summary": self.summary,
            "text": self.text,
            "text_from": self.text_from,
            "fetched": _iso(self.fetched),
            "orgs": list(self.facts.orgs),
            "events": [dict(event) for event in self.facts.events],
            "amounts": [dict(amount) for amount in self.facts.amounts],
            "story_id": self.story_id,
        }


@dataclass(frozen=True)
class SourceState:
    name: str
    type: str
    url: str
    status: str
    last_fetch: datetime | None
    last_success: datetime | None
    failures: int
    last_error: str | None
    next_run: datetime | None
    articles: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "url": self.url,
            "status": self.status,
            "last_fetch": _iso(self.last_fetch),
            "last_success": _iso(self.last_success),
            "failures": self.failures,
            "last_error": self.last_error,
            "next_run": _iso(self.next_run),
            "articles": self.articles,
        }


@dataclass(frozen=True)
class DeliveryRow:
    """One row of ``newsmon alerts``: a delivery of an alert to one channel."""

    id: int
    rule: str
    article_id: int
    title: str
    url: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    created: datetime
    sent: datetime | None
    story_id: int | None  # last: CSV columns keep the positions they had before stories
    # When a pending delivery goes out: its next attempt, or its digest's. None once sent or failed.
    due: datetime | None = None
    held: bool = False  # held by its rule's policy for a digest
    digest_id: int | None = None  # the digest it goes out in, once that digest is made

    def as_dict(self) -> dict[str, Any]:
        return {
            key: value.isoformat(timespec="seconds") if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
        }


# The columns' types, by the names the statements below give them: what the driver returns
# (text on SQLite) becomes what the models would have given.
_TIME = UTCDateTime()
COLUMN_TYPES: Mapping[str, TypeEngine[Any]] = {
    "published": _TIME,
    "fetched": _TIME,
    "created": _TIME,
    "sent": _TIME,
    "due": _TIME,
    "last_fetch": _TIME,
    "last_success": _TIME,
    "next_run": _TIME,
    "authors": JSONType,
    "events": JSONType,
    "event_types": JSONType,
    "orgs": JSONType,
    "amounts": JSONType,
    "held": Boolean(),
}

HEADLINE = "a.id, a.title, a.url, s.name AS source, a.published, a.language"
ARTICLE = (
    f"{HEADLINE}, a.authors, a.summary, a.lead, a.text, a.fetched, a.text_from,"
    " a.events, a.event_types, a.orgs, a.amounts, a.amount_usd, a.story_id"
    " FROM articles a JOIN sources s ON s.id = a.source_id"
)
DELIVERY = """d.id, al.rule, al.article_id, a.title, a.url, d.channel, d.status, d.attempts,
    d.last_error, d.created, d.sent, a.story_id,
    CASE WHEN d.status = 'pending' THEN COALESCE(g.next_attempt, d.next_attempt) END AS due,
    d.hold_until IS NOT NULL AS held, d.digest_id
    FROM deliveries d JOIN alerts al ON al.id = d.alert_id JOIN articles a ON a.id = al.article_id
    LEFT JOIN digests g ON g.id = d.digest_id"""
# An article's time for --since: published, else fetched.
ARTICLE_TIME = "COALESCE(a.published, a.fetched)"


def read(database: Database, sql: str, **params: Any) -> Sequence[Record]:
    """The rows of one ``SELECT``, its columns named in :data:`COLUMN_TYPES` typed as stored.

    A parameter that is a datetime is bound as the schema stores times, so a
    comparison with a stored time is exact on SQLite too.
    """
    statement = text(f"SELECT {sql}").bindparams(
        *(bindparam(name, type_=_TIME) for name, value in params.items() if isinstance(value, datetime))
    )
    with database.engine.connect() as connection:
        return connection.execute(statement.columns(**COLUMN_TYPES), params).all()


def _stored(row: Record) -> StoredArticle:
    values = row._mapping
    return StoredArticle(
        id=values["id"],
        title=values["title"],
        url=values["url"],
        source=values["source"],
        published=values["published"],
        language=values["language"],
        authors=tuple(values["authors"] or ()),
        summary=values["summary"],
        lead=values["lead"],
        text=values["text"],
        fetched=values["fetched"],
        text_from=values["text_from"],
        facts=ArticleFacts.of(dict(values)),
        story_id=values["story_id"],
    )


def get_article(database: Database, article_id: int) -> StoredArticle | None:
    rows = read(database, f"{ARTICLE} WHERE a.id = :id", id=article_id)
    return _stored(rows[0]) if rows else None


def iter_articles(
    database: Database, since: datetime | None = None, source: str | None = None
) -> Iterator[StoredArticle]:
    """Every matching article, oldest first, fetched in keyset-paginated batches.

    Batches keep memory flat at any size (an export of 100k articles) without
    holding a read transaction open for the whole stream.
    """
    conditions = ["a.id > :last_id"]
    params: dict[str, Any] = {"limit": EXPORT_BATCH}
    if since is not None:
        conditions.append(f"{ARTICLE_TIME} >= :since")
        params["since"] = since
    if source is not None:
        conditions.append("s.name = :source")
        params["source"] = source
    sql = f"{ARTICLE} WHERE {' AND '.join(conditions)} ORDER BY a.id LIMIT :limit"
    last_id = 0
    while True:
        batch = [_stored(row) for row in read(database, sql, last_id=last_id, **params)]
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def story_articles(database: Database, story_id: int) -> list[Headline]:
    """The story's articles, first published first (for ``newsmon show`` and the article page)."""
    sql = f"""{HEADLINE} FROM articles a JOIN sources s ON s.id = a.source_id
        WHERE a.story_id = :story_id ORDER BY {ARTICLE_TIME}, a.id"""
    return [Headline(*row) for row in read(database, sql, story_id=story_id)]


def source_states(database: Database) -> dict[str, SourceState]:
    # With the scheduler role, a source's due time is in its crawl_jobs row (db/jobs.py).
    sql = """s.name, s.type, s.url, s.status, s.last_fetch, s.last_success, s.failures, s.last_error,
        COALESCE(j.next_poll_at, s.next_run) AS next_run, COALESCE(n.articles, 0) AS articles
        FROM sources s
        LEFT JOIN (SELECT source_id, count(*) AS articles FROM articles GROUP BY source_id) n
            ON n.source_id = s.id
        LEFT JOIN crawl_jobs j ON j.source_id = s.id
        ORDER BY s.id"""
    states = (SourceState(*row) for row in read(database, sql))
    return {state.name: _without_secrets(state) for state in states}


def _without_secrets(state: SourceState) -> SourceState:
    # Errors are stored hidden (db.store); one stored by an older version is hidden when read.
    if state.last_error is None:
        return state
    return replace(state, last_error=SECRETS.hide(state.last_error))


def list_deliveries(
    database: Database, since: datetime | None = None, rule: str | None = None
) -> list[DeliveryRow]:
    """Every delivery, oldest first; ``since`` filters on the article's published (else fetched) time."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if since is not None:
        conditions.append(f"{ARTICLE_TIME} >= :since")
        params["since"] = since
    if rule is not None:
        conditions.append("al.rule = :rule")
        params["rule"] = rule
    return deliveries(database, " AND ".join(conditions), **params)


def deliveries(
    database: Database,
    where: str = "",
    *,
    newest_first: bool = False,
    limit: int | None = None,
    **params: Any,
) -> list[DeliveryRow]:
    """Deliveries (``d``) with their alert (``al``), article (``a``) and digest (``g``), by id;
    ``where`` is a condition on those, ``params`` its values."""
    sql = f"{DELIVERY}{f' WHERE {where}' if where else ''} ORDER BY d.id{' DESC' if newest_first else ''}"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [DeliveryRow(*row) for row in read(database, sql, **params)]


def alert_rules(database: Database) -> list[str]:
    """The rules that have raised alerts (a rule removed from the config keeps its alerts)."""
    # Sorted here, as Python sorts: a PostgreSQL collation would order them otherwise.
    return sorted(row.rule for row in read(database, "DISTINCT rule FROM alerts"))
