"""Full-text search over stored articles, behind one small interface.

The query language is parsed once into the neutral tree of ``db.query`` and
compiled here per backend: FTS5 ``MATCH`` on SQLite (ranked by bm25, with a
highlighted snippet), ``tsquery`` on PostgreSQL (``db.search_pg``). Compiling
the tree, rather than passing user text to ``MATCH``, is what keeps an
unbalanced quote from becoming an SQLite error.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from db import query as q
from db.engine import Database
from db.errors import QueryError
from db.fts import FTS_COLUMNS, SCORE
from db.hit_counts import ALL_FIT, HitCounts
from db.money import to_usd
from db.queries import Headline

if TYPE_CHECKING:
    from db import search_pg

# A term without a field searches the article's words only, never its source name or language code.
BODY_COLUMNS = ("title", "summary", "text")
FIELD_COLUMNS = {
    "title": ("title",),
    "lead": ("title", "lead"),
    "source": ("source",),
    "lang": ("lang",),
    "event": ("events",),
    "org": ("orgs",),
}
SNIPPET_START, SNIPPET_END = "<mark>", "</mark>"
Ranked = tuple[int, float]  # an article's id and its score
HIT_COUNTS = HitCounts()
# FTS5's score and snippets cost grows with the square of a query's phrases on the rows that hold
# them all (250 phrases on 200 such articles: 7.7 s): a URL's worth of ORs must not stall a search.
# The bundled @ai topic searches for 262.
MAX_SEARCH_PHRASES = 300
# Distinct phrases that all fill the same rows still cost that square (100 frequent ones: seconds):
# a search that outlasts this is stopped, checked every this many SQLite steps, so that one hostile
# query cannot hold a web worker or the held connection.
SEARCH_SECONDS = 10.0
_PROGRESS_STEPS = 10_000


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


_new = object.__new__
_set = object.__setattr__


def _hit(
    row_id: int,
    title: str,
    url: str,
    source: str,
    published: datetime | None,
    language: str | None,
    snippet: str,
    score: float,
) -> SearchHit:
    """``SearchHit(...)`` at a quarter of the cost, for a page of hits: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``; here one dict is the whole state."""
    hit = _new(SearchHit)
    _set(
        hit,
        "__dict__",
        {
            "id": row_id,
            "title": title,
            "url": url,
            "source": source,
            "published": published,
            "language": language,
            "snippet": snippet,
            "score": score,
        },
    )
    return hit


def search(
    database: Database,
    query: str,
    filters: SearchFilters,
    topics: Mapping[str, str] | None = None,
    org_aliases: Callable[[], Mapping[tuple[str, ...], tuple[str, ...]]] | None = None,
) -> list[SearchHit]:
    """The best ``filters.limit`` hits; ``org_aliases`` is called only for a query that says ``org:``
    (building the organisations' aliases costs more than most searches)."""
    parts = _prepared(query, tuple(topics.items()) if topics else ())
    if org_aliases is not None and parts.names_org:
        parts = _parts(q.canonical_orgs(parts.tree, org_aliases()))
    if parts.phrases > MAX_SEARCH_PHRASES:
        raise QueryError(f"searches for {parts.phrases} terms; a search takes at most {MAX_SEARCH_PHRASES}")
    words = parts.words
    conditions, params = _conditions(parts.amounts, filters, database.is_sqlite)
    if not database.is_sqlite:
        return _hits(*_search_postgresql(database, words, conditions, params))
    # Straight to sqlite3: the ORM's session and statement layers cost more than a rare term's search.
    with database.read_raw() as connection:
        deadline = time.monotonic() + SEARCH_SECONDS
        connection.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_STEPS)
        try:
            return _search_sqlite(connection, database.url, words, conditions, params)
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            raise QueryError(
                f"the search took more than {SEARCH_SECONDS:g} s and was stopped: ask for fewer, rarer terms"
            ) from exc
        finally:
            connection.set_progress_handler(None, 0)


def _search_sqlite(
    connection: sqlite3.Connection,
    database_name: str,
    words: q.Node | None,
    conditions: list[str],
    params: dict[str, Any],
) -> list[SearchHit]:
    if words is None:
        ranked = _newest(connection, conditions, params)
        return _hits(ranked, _page(connection, [row_id for row_id, _ in ranked], None, "-1"))
    fts = _fts(words)
    if not conditions:
        return _best_page(connection, database_name, fts, params["limit"])
    params["match"] = fts.match
    ranked = _best(connection, conditions, params)
    # Not the per-row column choice: bm25 in a cursor of its own counts each phrase's hits again.
    page = _page(connection, [row_id for row_id, _ in ranked], fts.match, str(fts.column))
    return _hits(ranked, page)


def _conditions(
    amounts: Sequence[tuple[q.AmountAtLeast, bool]], filters: SearchFilters, is_sqlite: bool
) -> tuple[list[str], dict[str, Any]]:
    """The conditions beside the full-text match, on the article ``a``, and their parameters."""
    conditions: list[str] = []
    params: dict[str, Any] = {"limit": filters.limit}
    for number, (amount, negated) in enumerate(amounts):
        condition = f"a.amount_usd >= :amount{number}"
        conditions.append(f"NOT COALESCE({condition}, false)" if negated else condition)
        params[f"amount{number}"] = to_usd(amount.value, amount.currency)
    if filters.since is not None:
        conditions.append("COALESCE(a.published, a.fetched) >= :since")
        params["since"] = sqlite_time(filters.since) if is_sqlite else filters.since
    if filters.source:
        conditions.append("a.source_id = (SELECT id FROM sources WHERE name = :source)")
        params["source"] = filters.source
    if filters.language:
        conditions.append("a.language = :language")
        params["language"] = filters.language.lower()
    return conditions, params


def _search_postgresql(
    database: Database, words: q.Node | None, conditions: list[str], params: dict[str, Any]
) -> tuple[list[Ranked], dict[int, search_pg.PageRow]]:
    from db import search_pg  # loaded on PostgreSQL only

    with database.engine.connect() as connection:
        if words is None:
            ranked, rank = search_pg.newest(connection, conditions, params), None
        else:
            compiled = search_pg.compile_query(words)
            ranked, rank = search_pg.best(connection, compiled, conditions, params), compiled.rank
        return ranked, search_pg.page(connection, [row_id for row_id, _ in ranked], rank)


def _hits(ranked: list[Ranked], page: Mapping[int, search_pg.PageRow]) -> list[SearchHit]:
    # A page row is a hit's fields in order, but for the score.
    return [_hit(*page[row_id], score) for row_id, score in ranked if row_id in page]


def _best_page(connection: sqlite3.Connection, database_name: str, fts: _Fts, limit: int) -> list[SearchHit]:
    """The best matches with their headlines and snippets.

    A query whose hits all fit on the page is read in one pass of the
    index, each hit with its score and snippet, and sorted here: no sort
    inside the index, whose statement FTS5 prepares anew on every query,
    and no second count of each phrase for the scores read beside it. The
    first time, the same statement first counts the query's hits up to
    ``limit + 1`` (a count that stops there and reads no score), and reads
    none if they do not fit; then, and whenever the last run of the query
    left more hits than its page (``db.hit_counts``), the query is ranked
    inside the index, the snippets made by the same cursor for the rows the
    limit lets through (a look-up per row would evaluate the MATCH again for
    each). Asked again with a full page, SQLite ranks it, and a row gets its
    snippet when it scores at or above the last page's floor; a row of the
    page left without one (new articles lowered the scores) gets it by a
    look-up. The page joins the articles and sources.
    """
    match, column = fts.match, fts.column_sql
    floor = HIT_COUNTS.floor(database_name, match, limit)
    if floor is None or floor == ALL_FIT:
        rows = _all_hits(connection, column, match, limit, counted=floor == ALL_FIT)
        if rows is None:
            rows = connection.execute(_ranked_in_index_sql(column), (match, limit)).fetchall()
    else:
        rows = connection.execute(_ranked_by_sqlite_sql(column), (match, limit, floor)).fetchall()
        if unlit := [row[0] for row in rows if row[6] is None]:
            snippets = _snippets(connection, unlit, match, str(fts.column))
            rows = [row if row[6] is not None else (*row[:6], snippets[row[0]], row[7]) for row in rows]
    # Ties in score stay in rowid order, the index's, as FTS5's sort leaves them: the sort is stable.
    rows.sort(key=itemgetter(7), reverse=True)
    HIT_COUNTS.record(database_name, match, limit, len(rows), rows[-1][7] if rows else ALL_FIT)
    return [
        _hit(row_id, title, url, source, _stored_time(published), language, snippet or "", score)
        for row_id, title, url, source, published, language, snippet, score in rows
    ]


def _all_hits(
    connection: sqlite3.Connection, column: str, match: str, limit: int, counted: bool
) -> list[Any] | None:
    """Every hit of the query, in the index's order, if they fit on a page of ``limit``; else None.

    ``counted``: the last run found that they fit, so they are not counted
    again, but read one past the page in case new articles added some.
    Uncounted, no rows may also mean no hit at all: ranking inside the
    index then finds none, at the cost of a raw query.
    """
    if counted:
        rows = connection.execute(_every_hit_sql(column, "?2 + 1"), (match, limit)).fetchall()
        return rows if len(rows) <= limit else None
    return connection.execute(_every_hit_sql(column, _IF_THEY_FIT), (match, limit)).fetchall() or None


# SQLite evaluates a LIMIT once, before the scan, and a LIMIT of 0 skips the scan: every hit when the
# count of the first limit + 1 stops short, else none.
_IF_THEY_FIT = """(SELECT CASE WHEN count(*) <= ?2 THEN ?2 ELSE 0 END
                   FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?1 LIMIT ?2 + 1))"""


@lru_cache(maxsize=64)
def _every_hit_sql(column: str, bound: str) -> str:
    return f"""
        SELECT f.rowid, a.title, a.url, s.name, a.published, a.language, {_snippet(column)}, -{SCORE}
        FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid CROSS JOIN sources s ON s.id = a.source_id
        WHERE f.articles_fts MATCH ?1 LIMIT {bound}"""


_PAGE_OF = """
        SELECT h.rowid, a.title, a.url, s.name, a.published, a.language, h.snippet, h.score
        FROM ({ranked}) h
        CROSS JOIN articles a ON a.id = h.rowid CROSS JOIN sources s ON s.id = a.source_id"""


@lru_cache(maxsize=64)
def _ranked_in_index_sql(column: str) -> str:
    # Ties in score come in rowid order both ways: FTS5's sort keeps the index's order.
    return _PAGE_OF.format(
        ranked=f"""SELECT rowid, -{SCORE} AS score, {_snippet(column)} AS snippet FROM articles_fts
                   WHERE articles_fts MATCH ?1 ORDER BY rank LIMIT ?2"""
    )


@lru_cache(maxsize=64)
def _ranked_by_sqlite_sql(column: str) -> str:
    # SQLite evaluates a row's other columns only when it enters the top n (the score, its sort key,
    # for every hit). NULL here says "below the floor" only: an empty snippet is ''.
    return _PAGE_OF.format(
        ranked=f"""SELECT rowid, -{SCORE} AS score,
                          CASE WHEN -{SCORE} >= ?3 THEN coalesce({_snippet(column)}, '') END AS snippet
                   FROM articles_fts WHERE articles_fts MATCH ?1 ORDER BY score DESC, rowid LIMIT ?2"""
    )


def _best(connection: sqlite3.Connection, conditions: list[str], params: dict[str, Any]) -> list[Ranked]:
    """Ids and scores of the best matches that pass the filters: ranked inside the index, and
    limited before any snippet is made (a join keeps FTS5 from making them only for the page)."""
    sql = f"""
        SELECT f.rowid, -{SCORE} FROM articles_fts f JOIN articles a ON a.id = f.rowid
        WHERE f.articles_fts MATCH :match AND {" AND ".join(conditions)}
        ORDER BY f.rank LIMIT :limit"""
    return connection.execute(sql, params).fetchall()


def _newest(connection: sqlite3.Connection, conditions: list[str], params: dict[str, Any]) -> list[Ranked]:
    # Only amounts: nothing to rank by relevance, so the newest first.
    sql = f"""
        SELECT a.id, 0.0 FROM articles a WHERE {" AND ".join(conditions)}
        ORDER BY COALESCE(a.published, a.fetched) DESC, a.id DESC LIMIT :limit"""
    return [(row_id, score) for row_id, score in connection.execute(sql, params)]


def _page(
    connection: sqlite3.Connection, ids: list[int], match: str | None, column: str
) -> dict[int, search_pg.PageRow]:
    """The hits of the page returned, with their snippets.

    A snippet costs about 0.5 ms over a long text, so only the page gets
    them; each is made by its own look-up of one row in the index (rowid and
    MATCH), which is what lets FTS5 skip every other hit of the query.
    """
    if not ids:
        return {}
    snippet, params = ("''", {}) if match is None else (_looked_up_snippet(column), {"match": match})
    sql = f"""
        WITH page(id) AS (VALUES {_values(ids)})
        SELECT a.id, a.title, a.url, s.name AS source, a.published, a.language, {snippet} AS snippet
        FROM page JOIN articles a ON a.id = page.id JOIN sources s ON s.id = a.source_id"""
    return {
        row_id: (row_id, title, url, source, _stored_time(published), language, snippet or "")
        for row_id, title, url, source, published, language, snippet in connection.execute(sql, params)
    }


def _snippets(connection: sqlite3.Connection, ids: list[int], match: str, column: str) -> dict[int, str]:
    """The snippets of these hits, each by its own look-up (see :func:`_page`)."""
    sql = f"WITH page(id) AS (VALUES {_values(ids)}) SELECT page.id, {_looked_up_snippet(column)} FROM page"
    return {row_id: snippet or "" for row_id, snippet in connection.execute(sql, {"match": match})}


def _looked_up_snippet(column: str) -> str:
    return f"""(SELECT {_snippet(column)}
               FROM articles_fts WHERE articles_fts.rowid = page.id AND articles_fts MATCH :match)"""


def _values(ids: list[int]) -> str:
    return ", ".join(f"({int(row_id)})" for row_id in ids)


def _snippet(column: str) -> str:
    return f"snippet(articles_fts, {column}, '{SNIPPET_START}', '{SNIPPET_END}', '…', 24)"


def snippet_column(words: q.Node) -> int:
    """The index column a snippet is taken from: the one column the query can match in, if it is one
    (``title:``), so that no other column is read and tokenised for nothing; else -1, the best one."""
    columns = _match_columns(words, BODY_COLUMNS)
    return FTS_COLUMNS.index(columns.pop()) if len(columns) == 1 else -1


def _snippet_column_sql(words: q.Node) -> str:
    """The column argument of ``snippet()``, an SQL expression evaluated for each row.

    ``snippet(-1)`` tokenises every column of the row to find the best
    window, and a column without a hit never wins it: for a row whose hits
    all sit in one column, the snippet of that column alone is the same text
    at a fraction of the cost. Which columns hold a row's hits is told by
    ``bm25`` weighted on one column only, below zero exactly when some
    phrase of the query occurs there. Rows with hits in several columns keep -1.
    """
    column = snippet_column(words)
    if column >= 0:
        return str(column)
    indexes = sorted(FTS_COLUMNS.index(name) for name in _match_columns(words, BODY_COLUMNS))
    if len(indexes) < 2:
        return "-1"
    mask = " + ".join(f"{1 << bit} * ({_bm25_on(index)} < 0)" for bit, index in enumerate(indexes))
    single = " ".join(f"WHEN {1 << bit} THEN {index}" for bit, index in enumerate(indexes))
    return f"CASE {mask} {single} ELSE -1 END"


def _bm25_on(column: int) -> str:
    # Every column's weight is given: bm25 weighs a column left out as 1.
    weights = ", ".join("1" if index == column else "0" for index in range(len(FTS_COLUMNS)))
    return f"bm25(articles_fts, {weights})"


def _match_columns(node: q.Node, columns: tuple[str, ...]) -> set[str]:
    """The columns a positive term of ``node`` may match in (a negated one makes no hit)."""
    if isinstance(node, q.Field):
        return _match_columns(node.child, FIELD_COLUMNS.get(node.name, columns))
    if isinstance(node, q.And | q.Or):
        return set().union(*(_match_columns(child, columns) for child in node.children))
    if isinstance(node, q.Not):
        return set()
    return set(columns)


def _stored_time(value: str | None) -> datetime | None:
    """A time as :func:`sqlite_time` stored it (UTC, no offset), back as an aware datetime."""
    return datetime.fromisoformat(value + "+00:00") if value else None


def sqlite_time(moment: datetime) -> str:
    """The text form SQLAlchemy stores datetimes in on SQLite, so comparisons are exact."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def split_amounts(node: q.Node) -> tuple[q.Node | None, list[tuple[q.AmountAtLeast, bool]]]:
    """The query without its ``amount>=`` conditions, and those conditions (negated or not).

    An amount is a column of ``articles``, not a word of the index, so it
    is a condition beside MATCH: it may stand at the top of the query or be
    joined to it by AND, not sit inside an OR, a NOT or a field.
    """
    parts = node.children if isinstance(node, q.And) else (node,)
    amounts: list[tuple[q.AmountAtLeast, bool]] = []
    rest: list[q.Node] = []
    for part in parts:
        if isinstance(part, q.AmountAtLeast):
            amounts.append((part, False))
        elif isinstance(part, q.Not) and isinstance(part.child, q.AmountAtLeast):
            amounts.append((part.child, True))
        else:
            rest.append(part)
    if not rest:
        return None, amounts
    return (rest[0] if len(rest) == 1 else q.And(tuple(rest))), amounts


class _Parts(NamedTuple):
    """A resolved query: what the index searches, the amounts beside it, and what is checked first."""

    tree: q.Node
    words: q.Node | None
    amounts: tuple[tuple[q.AmountAtLeast, bool], ...]
    phrases: int  # distinct phrases sent to the index
    names_org: bool


class _Fts(NamedTuple):
    """What ``words`` send to SQLite: the MATCH expression and the snippet's column, as an SQL
    expression per row and as the one column the query can match (-1: none alone)."""

    match: str
    column_sql: str
    column: int


# Trees are frozen values: a query asked again (the web's next page, a refresh) is parsed,
# resolved, split and compiled once, and found by its text (a tree's hash walks the tree).
@lru_cache(maxsize=1024)
def _prepared(query: str, topics: tuple[tuple[str, str], ...]) -> _Parts:
    return _parts(q.resolve_topics(q.parse(query), dict(topics)))


@lru_cache(maxsize=1024)
def _parts(tree: q.Node) -> _Parts:
    words, amounts = split_amounts(tree)
    phrases = 0 if words is None else _phrase_count(words)
    return _Parts(tree, words, tuple(amounts), phrases, q.names_field(tree, "org"))


@lru_cache(maxsize=1024)
def _fts(words: q.Node) -> _Fts:
    return _Fts(to_fts5(words), _snippet_column_sql(words), snippet_column(words))


def _phrase_count(words: q.Node) -> int:
    """The distinct phrases ``words`` sends to the full-text index, negated ones and a NEAR's included."""
    seen: set[q.Words] = set()

    def walk(node: q.Node) -> None:
        if isinstance(node, q.Words):
            seen.add(node)
        elif isinstance(node, q.And | q.Or | q.Near):
            for child in node.children:
                walk(child)
        elif isinstance(node, q.Field | q.Not):
            walk(node.child)

    walk(words)
    return len(seen)


def to_fts5(node: q.Node, columns: tuple[str, ...] = BODY_COLUMNS) -> str:
    """Compile a resolved query tree to an FTS5 MATCH expression; ``columns`` is the fields in force."""
    if isinstance(node, q.Words):
        return f"{_column_filter(columns)} : {_phrase(node)}"
    if isinstance(node, q.Near):
        phrases = " ".join(_phrase(w) for w in node.children)
        return f"{_column_filter(columns)} : NEAR({phrases}, {node.distance})"
    if isinstance(node, q.Field):
        column = FIELD_COLUMNS.get(node.name)
        if column is None:
            raise QueryError(f"unknown field '{node.name}:'")
        return to_fts5(node.child, column)
    if isinstance(node, q.AmountAtLeast):
        raise QueryError("in a search, amount>= must be joined to the rest of the query by AND", node.column)
    if isinstance(node, q.Or):
        if any(isinstance(child, q.Not) for child in node.children):
            raise QueryError("NOT cannot stand alone inside OR in a search; write 'a NOT b'")
        # A phrase asked twice only costs FTS5 twice ("openai OR openai OR …" was quadratic).
        alternatives = dict.fromkeys(to_fts5(child, columns) for child in node.children)
        return "(" + " OR ".join(alternatives) + ")"
    if isinstance(node, q.And):
        positive = [to_fts5(c, columns) for c in node.children if not isinstance(c, q.Not)]
        negative = [to_fts5(c.child, columns) for c in node.children if isinstance(c, q.Not)]
        if not positive:
            raise QueryError("a search needs at least one term that is not negated")
        expression = "(" + " AND ".join(positive) + ")"
        return expression + "".join(f" NOT ({n})" for n in negative)
    if isinstance(node, q.Not):
        raise QueryError("a search needs at least one term that is not negated")
    raise QueryError(f"cannot search for {node!r}")


def _column_filter(columns: tuple[str, ...]) -> str:
    return columns[0] if len(columns) == 1 else "{" + " ".join(columns) + "}"


def _phrase(words: q.Words) -> str:
    quoted = '"' + " ".join(w.replace('"', '""') for w in words.words) + '"'
    return quoted + ("*" if words.prefix else "")
