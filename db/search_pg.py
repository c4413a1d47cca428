"""Search on PostgreSQL: the query tree compiled to ``tsquery`` over the vectors of ``db.pgfts``.

A term or phrase becomes a phrase of lexemes (``'gpt' <-> '4'``, a prefix
``'invest':*``) restricted by weight to the fields in force; AND, OR and NOT
become SQL around one ``@@`` per leaf, because the fact fields (``source:``,
``lang:``, ``event:``, ``org:``) live in a vector of their own.

Where PostgreSQL differs from FTS5:

- ``a NEAR/n b`` is every exact distance ``<1>`` … ``<n+1>`` in both
  orders, which is FTS5's definition. With three or more children every
  pair must be near; FTS5 asks for one window holding all of them.
- ``NEAR/n`` takes n up to 100 (``db.pgfts.MAX_NEAR``): every distance is a
  term of the tsquery.
- Ranking is ``ts_rank_cd`` (cover density, divided by 1 + log of the
  length) with the weights of bm25 on SQLite: the same articles, in the
  same order where one is clearly better.
- ``ts_rank_cd`` has no inverse document frequency: a rare word does not
  outweigh a common one as under bm25.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from db import query as q
from db.errors import QueryError
from db.pgfts import (
    BODY_WEIGHTS,
    CONFIG,
    FACT_FIELDS,
    FACTS_COLUMN,
    FIELD_WEIGHTS,
    MAX_INDEXED_CHARS,
    MAX_NEAR,
    RANK_WEIGHTS,
    WORDS_COLUMN,
)

SNIPPET_OPTIONS = (
    'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=12, MaxFragments=1, FragmentDelimiter=" … "'
)
# 1 + log(length) divides the rank: a word in a short article counts for more, as with bm25.
RANK_NORMALIZATION = 1
PageRow = tuple[int, str, str, str, datetime | None, str | None, str]
"""id, title, url, source, published, language, snippet."""


@dataclass
class Compiled:
    """A query as SQL: ``where`` tests the article ``a``; ``params`` holds its tsquery texts."""

    where: str
    params: dict[str, str]
    rank: str | None
    """The positive word terms as one tsquery (OR), for ranking and snippets; None for facts only."""


def compile_query(node: q.Node) -> Compiled:
    compiler = _Compiler()
    where = compiler.node(node, None, negated=False)
    rank = " | ".join(f"({t})" for t in compiler.ranked) or None
    return Compiled(where, compiler.params, rank)


def best(
    connection: Connection, compiled: Compiled, conditions: list[str], params: dict[str, Any]
) -> list[tuple[int, float]]:
    """Ids and scores of the best matches, limited before anything is joined."""
    where = " AND ".join([compiled.where, *conditions])
    score = (
        f"ts_rank_cd('{RANK_WEIGHTS}', a.{WORDS_COLUMN}, to_tsquery('{CONFIG}', :rank), {RANK_NORMALIZATION})"
        if compiled.rank
        else "0.0"
    )
    order = "score DESC, a.id" if compiled.rank else "COALESCE(a.published, a.fetched) DESC, a.id DESC"
    sql = f"SELECT a.id, {score} AS score FROM articles a WHERE {where} ORDER BY {order} LIMIT :limit"
    rows = connection.execute(text(sql), {**params, **compiled.params, "rank": compiled.rank})
    return [(row_id, float(score)) for row_id, score in rows]


def newest(connection: Connection, conditions: list[str], params: dict[str, Any]) -> list[tuple[int, float]]:
    # Only amounts: nothing to rank by relevance, so the newest first.
    sql = f"""
        SELECT a.id, 0.0 FROM articles a WHERE {" AND ".join(conditions)}
        ORDER BY COALESCE(a.published, a.fetched) DESC, a.id DESC LIMIT :limit"""
    return [(row_id, float(score)) for row_id, score in connection.execute(text(sql), params)]


def page(connection: Connection, ids: list[int], rank: str | None) -> dict[int, PageRow]:
    """The page's articles with their snippets: ``ts_headline`` re-parses the text, so only for these,
    and only as much of it as is indexed."""
    if not ids:
        return {}
    snippet = (
        f"""ts_headline('{CONFIG}',
                        left(concat_ws(' ', a.title, NULLIF(a.summary, ''), a.text), {MAX_INDEXED_CHARS}),
                        to_tsquery('{CONFIG}', :rank), :options)"""
        if rank
        else "''"
    )
    sql = f"""
        SELECT a.id, a.title, a.url, s.name, a.published, a.language, {snippet}
        FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ANY(:ids)"""
    rows = connection.execute(text(sql), {"ids": ids, "rank": rank, "options": SNIPPET_OPTIONS})
    return {
        row_id: (row_id, title, url, source, _utc(published), language, snippet or "")
        for row_id, title, url, source, published, language, snippet in rows
    }


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


@dataclass
class _Compiler:
    params: dict[str, str] = field(default_factory=dict)
    ranked: list[str] = field(default_factory=list)

    def node(self, node: q.Node, field_name: str | None, negated: bool) -> str:
        if isinstance(node, q.Words | q.Near):
            return self._leaf(node, field_name, negated)
        if isinstance(node, q.Field):
            if node.name not in FIELD_WEIGHTS:
                raise QueryError(f"unknown field '{node.name}:'")
            return self.node(node.child, node.name, negated)
        if isinstance(node, q.AmountAtLeast):
            raise QueryError(
                "in a search, amount>= must be joined to the rest of the query by AND", node.column
            )
        if isinstance(node, q.Or):
            if any(isinstance(child, q.Not) for child in node.children):
                raise QueryError("NOT cannot stand alone inside OR in a search; write 'a NOT b'")
            return "(" + " OR ".join(self.node(c, field_name, negated) for c in node.children) + ")"
        if isinstance(node, q.And):
            positive = [self.node(c, field_name, negated) for c in node.children if not isinstance(c, q.Not)]
            negative = [
                self.node(c.child, field_name, not negated) for c in node.children if isinstance(c, q.Not)
            ]
            if not positive:
                raise QueryError("a search needs at least one term that is not negated")
            return "(" + " AND ".join(positive) + "".join(f" AND NOT {n}" for n in negative) + ")"
        if isinstance(node, q.Not):
            raise QueryError("a search needs at least one term that is not negated")
        raise QueryError(f"cannot search for {node!r}")

    def _leaf(self, node: q.Words | q.Near, field_name: str | None, negated: bool) -> str:
        weights = FIELD_WEIGHTS[field_name] if field_name else BODY_WEIGHTS
        query = to_tsquery_text(node, weights)
        name = f"q{len(self.params)}"
        self.params[name] = query
        vector = FACTS_COLUMN if field_name in FACT_FIELDS else WORDS_COLUMN
        if vector == WORDS_COLUMN and not negated:
            self.ranked.append(query)
        return f"a.{vector} @@ to_tsquery('{CONFIG}', :{name})"


def to_tsquery_text(node: q.Words | q.Near, weights: str) -> str:
    """The tsquery text of a term, phrase or NEAR group, its lexemes restricted to ``weights``."""
    if isinstance(node, q.Words):
        return _phrase(node, weights)
    if node.distance > MAX_NEAR:
        raise QueryError(f"on PostgreSQL, NEAR/n takes n up to {MAX_NEAR}", node.children[0].column)
    phrases = [_phrase(w, weights) for w in node.children]
    pairs = [
        "(" + " | ".join(_within(a, b, node.distance)) + ")"
        for i, a in enumerate(phrases)
        for b in phrases[i + 1 :]
    ]
    return " & ".join(pairs)


def _within(a: str, b: str, distance: int) -> list[str]:
    # <k> is an exact distance from the end of the left phrase to the start of the right one:
    # k - 1 words between them.
    return [f"({x}) <{k}> ({y})" for k in range(1, distance + 2) for x, y in ((a, b), (b, a))]


def _phrase(words: q.Words, weights: str) -> str:
    lexemes = [lexeme(word, weights) for word in words.words]
    if words.prefix:
        lexemes[-1] = lexeme(words.words[-1], "*" + weights)
    return " <-> ".join(lexemes)


def lexeme(word: str, label: str) -> str:
    """A quoted lexeme: no user text is ever read as a tsquery operator."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':" + label
