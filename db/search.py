"""Full-text search over stored articles, behind one small interface.

The query language is parsed once into the neutral tree of ``db.query`` and
compiled here per backend: FTS5 ``MATCH`` on SQLite (ranked by bm25, with a
highlighted snippet). Compiling the tree, rather than passing user text to
``MATCH``, is what keeps an unbalanced quote from becoming an SQLite error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from db import query as q
from db.engine import Database
from db.errors import DatabaseError, QueryError
from db.models import UTCDateTime
from db.queries import Headline

# Column weights for bm25, in db.fts.FTS_COLUMNS order: title, summary, text, lead, source, lang.
BM25_WEIGHTS = "10.0, 3.0, 1.0, 2.0, 0.0, 0.0"
FIELD_COLUMNS = {"title": "title", "lead": "{title lead}", "source": "source", "lang": "lang"}
SNIPPET_START, SNIPPET_END = "<mark>", "</mark>"


@dataclass(frozen=True)
class SearchFilters:
    since: datetime | None = None
    source: str | None = None
    language: str | None = None
    limit: int = 20


@dataclass(frozen=True)
class SearchHit(Headline):
    snippet: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {**self.headline_dict(), "snippet": self.snippet, "score": round(self.score, 4)}


def search(
    database: Database, query: str, filters: SearchFilters, topics: Mapping[str, str] | None = None
) -> list[SearchHit]:
    tree = q.resolve_topics(q.parse(query), dict(topics or {}))
    if not database.is_sqlite:
        raise DatabaseError("full-text search is implemented for SQLite only so far")
    match = to_fts5(tree)
    conditions = ["articles_fts MATCH :match"]
    params: dict[str, Any] = {"match": match, "limit": filters.limit}
    if filters.since is not None:
        conditions.append("COALESCE(a.published, a.fetched) >= :since")
        params["since"] = sqlite_time(filters.since)
    if filters.source:
        conditions.append("s.name = :source")
        params["source"] = filters.source
    if filters.language:
        conditions.append("a.language = :language")
        params["language"] = filters.language.lower()
    sql = f"""
        SELECT a.id, a.title, a.url, s.name AS source, a.published, a.language,
               snippet(articles_fts, -1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 24) AS snippet,
               -bm25(articles_fts, {BM25_WEIGHTS}) AS score
        FROM articles_fts
        JOIN articles a ON a.id = articles_fts.rowid
        JOIN sources s ON s.id = a.source_id
        WHERE {" AND ".join(conditions)}
        ORDER BY bm25(articles_fts, {BM25_WEIGHTS})
        LIMIT :limit"""
    statement = text(sql).columns(published=UTCDateTime())
    with database.read() as session:
        rows = session.execute(statement, params).all()
    return [
        SearchHit(
            id=row.id,
            title=row.title,
            url=row.url,
            source=row.source,
            published=row.published,
            language=row.language,
            snippet=row.snippet or "",
            score=float(row.score),
        )
        for row in rows
    ]


def sqlite_time(moment: datetime) -> str:
    """The text form SQLAlchemy stores datetimes in on SQLite, so comparisons are exact."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def to_fts5(node: q.Node) -> str:
    """Compile a resolved query tree to an FTS5 MATCH expression."""
    if isinstance(node, q.Words):
        return _phrase(node)
    if isinstance(node, q.Near):
        return f"NEAR({' '.join(_phrase(w) for w in node.children)}, {node.distance})"
    if isinstance(node, q.Field):
        column = FIELD_COLUMNS.get(node.name)
        if column is None:
            raise QueryError(f"unknown field '{node.name}:'")
        return f"{column} : ({to_fts5(node.child)})"
    if isinstance(node, q.Or):
        if any(isinstance(child, q.Not) for child in node.children):
            raise QueryError("NOT cannot stand alone inside OR in a search; write 'a NOT b'")
        return "(" + " OR ".join(to_fts5(child) for child in node.children) + ")"
    if isinstance(node, q.And):
        positive = [to_fts5(c) for c in node.children if not isinstance(c, q.Not)]
        negative = [to_fts5(c.child) for c in node.children if isinstance(c, q.Not)]
        if not positive:
            raise QueryError("a search needs at least one term that is not negated")
        expression = "(" + " AND ".join(positive) + ")"
        return expression + "".join(f" NOT ({n})" for n in negative)
    if isinstance(node, q.Not):
        raise QueryError("a search needs at least one term that is not negated")
    raise QueryError(f"cannot search for {node!r}")


def _phrase(words: q.Words) -> str:
    quoted = '"' + " ".join(w.replace('"', '""') for w in words.words) + '"'
    return quoted + ("*" if words.prefix else "")
