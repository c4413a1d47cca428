"""Search's fast paths return exactly what the plain FTS5 statement returns.

The reference is the obvious statement: the whole index joined to the articles,
``ORDER BY rank``, ``snippet()`` over every column (-1). ``db.search`` ranks,
limits and highlights differently to go faster (every hit in one pass and sorted in
Python when they fit on the page, SQLite's sort from the last page's floor, FTS5's
sort otherwise; a snippet from the one column a row can match); here both answer many
queries — words, accents, phrases, prefixes, NEAR, NOT, OR and every field — at
several limits, hit for hit: id, headline, snippet and score. Several sentences an
article, so a snippet's window moves to a sentence start, and the words repeat across
title, summary, lead and text, so a hit may sit in one column or several.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import query as q
from db.engine import Database
from db.hit_counts import ALL_FIT
from db.migrate import upgrade
from db.search import HIT_COUNTS, SNIPPET_END, SNIPPET_START, SearchFilters, search, to_fts5
from db.store import NewArticle, SourceSpec, store_article, sync_sources

WORDS = (
    "OpenAI Anthropic Mistral investit investment investissement milliards billion comète Comete",
    "COMÈTE énergie Energie straße données Daten market data cloud chip modèle model partenariat",
    "partnership acquisition rachète Übernahme inversión the of la le der die el de des und y",
    "Straße STRASSE strasse große grosse Œuvre oeuvre cœur Ørsted orsted",
)
VOCABULARY = " ".join(WORDS).split()
QUERIES = (
    "openai",
    "comete",
    "comète",
    "COMETE",
    "energie",
    "donnees",
    "invest*",
    "inv*",
    '"milliards de"',
    '"market data"',
    "openai anthropic",
    "openai OR mistral",
    "openai -anthropic",
    "openai NEAR/3 investit",
    "title:comete",
    "title:(openai OR mistral)",
    "lead:partenariat",
    "title:openai OR lead:rachète",
    "source:wire",
    "source:wire AND chip",
    "lang:fr",
    "lang:de daten",
    "event:investment",
    "org:openai",
    "event:acquisition OR org:mistral",
    "(comete OR energie) -openai",
    # Letters spelt out in the index (ß, œ, ø): either spelling finds both, highlighted as written.
    "strasse",
    "straße",
    "stras*",
    "straß*",
    '"große straße"',
    "title:straße",
    "lead:œuvre",
    "cœur OR ørsted",
    "orsted NEAR/5 oeuvre",
)
LIMITS = (1, 3, 20)
Row = tuple[object, ...]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choices(VOCABULARY, k=rng.randint(4, 14))).capitalize() + rng.choice(
        (".", ":", ",", "")
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("identical") / "newsmon.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    sync_sources(db, [SourceSpec(name, "feed", f"http://{name}/feed") for name in ("wire", "arsfr", "heise")])
    rng = random.Random(20261203)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(150):
        store_article(
            db,
            NewArticle(
                source=rng.choice(("wire", "arsfr", "heise")),
                url=f"https://example.org/{n}",
                title=" ".join(rng.choices(VOCABULARY, k=rng.randint(3, 9))),
                keys=(),
                language=rng.choice(("en", "fr", "de", "es")),
                summary=_sentence(rng),
                lead=_sentence(rng),
                text=" ".join(_sentence(rng) for _ in range(rng.randint(1, 12))),
                published=now - timedelta(minutes=n) if n % 7 else None,
            ),
        )
    with sqlite3.connect(path) as raw:
        for n in range(0, 150, 3):
            raw.execute(
                "UPDATE articles SET event_types = ?, orgs = ? WHERE url = ?",
                (
                    json.dumps(rng.sample(["investment", "acquisition", "partnership"], k=rng.randint(1, 2))),
                    json.dumps(rng.sample(["OpenAI", "Mistral", "Anthropic"], k=rng.randint(1, 2))),
                    f"https://example.org/{n}",
                ),
            )
    yield db
    db.dispose()


def _utc(stored: str) -> str:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat()


def reference(path: str, query: str, limit: int, source: str = "", language: str = "") -> list[Row]:
    sql = f"""
        SELECT f.rowid, a.title, a.url, s.name, a.published, a.language,
               snippet(articles_fts, -1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 24), f.rank
        FROM articles_fts f JOIN articles a ON a.id = f.rowid JOIN sources s ON s.id = a.source_id
        WHERE articles_fts MATCH :match AND (:source = '' OR s.name = :source)
          AND (:language = '' OR a.language = :language)
        ORDER BY f.rank LIMIT :limit"""
    params = {"match": to_fts5(q.parse(query)), "limit": limit, "source": source, "language": language}
    with sqlite3.connect(path) as raw:
        rows = raw.execute(sql, params).fetchall()
    return [
        (id_, title, url, source, published and _utc(published), lang, snippet, -rank)
        for id_, title, url, source, published, lang, snippet, rank in rows
    ]


def found(database: Database, query: str, filters: SearchFilters) -> list[Row]:
    return [
        (
            h.id,
            h.title,
            h.url,
            h.source,
            h.published and h.published.isoformat(),
            h.language,
            h.snippet,
            h.score,
        )
        for h in search(database, query, filters)
    ]


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("query", QUERIES)
def test_search_returns_what_the_plain_statement_returns(database: Database, query: str, limit: int) -> None:
    """Asked three times: the first time, every hit in one pass if they fit on the page (counted in
    the same statement), else ranked inside the index; then every hit again without the count, or
    ranked by SQLite with snippets from the last page's floor; then on a page of one, whose floor
    the larger page set."""
    path = database.engine.url.database or ""
    expected = reference(path, query, limit)
    HIT_COUNTS.clear()
    assert found(database, query, SearchFilters(limit=limit)) == expected
    assert found(database, query, SearchFilters(limit=limit)) == expected
    assert found(database, query, SearchFilters(limit=1)) == reference(path, query, 1)
    assert expected, f"{query!r} finds nothing: the comparison would prove nothing"


def test_both_rankings_run(database: Database) -> None:
    """Some queries fit on a page of 20 and some do not, so the test above compares both rankings,
    and the second with and without a floor."""
    for query in QUERIES:
        found(database, query, SearchFilters(limit=20))
    floors = [HIT_COUNTS.floor(database.url, to_fts5(q.parse(query)), 20) for query in QUERIES]
    assert None not in floors
    assert ALL_FIT in floors and any(floor != ALL_FIT for floor in floors), floors


def test_a_stale_floor_costs_speed_only(tmp_path: Path) -> None:
    """New articles move every score: the page is the plain statement's whether they fall below the
    floor the last page left (rows left without a snippet get it by a look-up) or rise above it."""
    db = Database(f"sqlite:///{tmp_path / 'stale.db'}")
    upgrade(db)
    sync_sources(db, [SourceSpec("wire", "feed", "http://wire/feed")])
    path = db.engine.url.database or ""
    try:
        _store_texts(db, [f"Mistral {'signs a deal. ' * (n % 4)}Mistral" for n in range(12)])
        assert found(db, "mistral", SearchFilters(limit=5)) == reference(path, "mistral", 5)
        floor = HIT_COUNTS.floor(db.url, to_fts5(q.parse("mistral")), 5)
        _store_texts(db, ["Mistral again", "Mistral once more"], first=12)  # fewer articles lack the word
        expected = reference(path, "mistral", 5)
        assert floor is not None and expected[-1][-1] < floor  # the last page's floor is now too high
        assert found(db, "mistral", SearchFilters(limit=5)) == expected
        _store_texts(db, [f"Nothing to see {n}" for n in range(30)], first=14)  # more lack it
        expected = reference(path, "mistral", 5)
        assert expected[0][-1] > expected[-1][-1]  # the scores differ, so the floor sorts rows out
        assert found(db, "mistral", SearchFilters(limit=5)) == expected
    finally:
        db.dispose()


def test_a_page_that_no_longer_holds_every_hit_costs_speed_only(tmp_path: Path) -> None:
    """A query whose hits all fitted is read again in one pass, without counting them; new articles
    that pass the page are noticed, and the page is the plain statement's."""
    db = Database(f"sqlite:///{tmp_path / 'grown.db'}")
    upgrade(db)
    sync_sources(db, [SourceSpec("wire", "feed", "http://wire/feed")])
    path = db.engine.url.database or ""
    try:
        _store_texts(db, [f"Mistral {'signs a deal. ' * n}Mistral" for n in range(3)])
        assert found(db, "mistral", SearchFilters(limit=5)) == reference(path, "mistral", 5)
        assert HIT_COUNTS.fits(db.url, to_fts5(q.parse("mistral")), 5)
        _store_texts(db, [f"Mistral again {n}" for n in range(4)], first=3)  # seven hits: two pages
        expected = reference(path, "mistral", 5)
        assert len(expected) == 5
        assert found(db, "mistral", SearchFilters(limit=5)) == expected
        assert not HIT_COUNTS.fits(db.url, to_fts5(q.parse("mistral")), 5)
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("query", "statements", "sorted_in_index"),
    [("zyxomatic", 1, False), ("comete", 2, True), ("nowhere", 2, True)],
)
def test_a_query_asked_the_first_time_is_read_in_one_statement_when_its_hits_fit(
    tmp_path: Path, query: str, statements: int, sorted_in_index: bool
) -> None:
    """Speed, not results: two hits on a page of five are read, scored and highlighted by one statement
    with no sort inside the index (FTS5 prepares one for ``ORDER BY rank`` on every query, and counts
    each phrase again for the scores read beside it); seven hits are ranked inside the index after the
    count said they do not fit, and so is a query that finds nothing (no row read cannot tell it from
    too many), at a raw query's cost."""
    db = Database(f"sqlite:///{tmp_path / 'first.db'}")
    upgrade(db)
    sync_sources(db, [SourceSpec("wire", "feed", "http://wire/feed")])
    _store_texts(db, [f"Zyxomatic {n}" for n in range(2)] + [f"Comète {n}" for n in range(7)])
    run: list[str] = []
    try:
        with db.read_raw() as connection:
            connection.set_trace_callback(run.append)
        HIT_COUNTS.clear()
        hits = found(db, query, SearchFilters(limit=5))
        assert hits == reference(db.engine.url.database or "", query, 5)
        # SQLite traces the statements FTS5 runs inside one as "-- …": its sort is one of them.
        assert len([statement for statement in run if not statement.startswith("--")]) == statements
        assert any(statement.startswith("-- SELECT rowid, rank FROM") for statement in run) == sorted_in_index
    finally:
        with db.read_raw() as connection:
            connection.set_trace_callback(None)
        db.dispose()


def _store_texts(db: Database, texts: list[str], first: int = 0) -> None:
    for n, text in enumerate(texts, start=first):
        store_article(
            db,
            NewArticle(
                source="wire",
                url=f"https://example.org/{n}",
                title="Alike",
                keys=(),
                language="en",
                summary="",
                lead="",
                text=text,
                published=None,
            ),
        )


def test_ties_in_score_come_in_the_same_order(tmp_path: Path) -> None:
    """Articles alike word for word score alike: both rankings order them as the plain statement."""
    db = Database(f"sqlite:///{tmp_path / 'ties.db'}")
    upgrade(db)
    sync_sources(db, [SourceSpec("wire", "feed", "http://wire/feed")])
    _store_texts(
        db,
        [
            "Mistral signs a deal. " + ("The deal is large." if n % 3 else "Mistral again, Mistral.")
            for n in range(12)
        ],
    )
    try:
        for limit in (5, 20):
            expected = reference(db.engine.url.database or "", "mistral", limit)
            assert len({score for *_, score in expected}) < len(expected)  # ties there are
            assert found(db, "mistral", SearchFilters(limit=limit)) == expected
            assert found(db, "mistral", SearchFilters(limit=limit)) == expected
    finally:
        db.dispose()


@pytest.mark.parametrize(("source", "language"), [("wire", ""), ("", "fr"), ("heise", "de")])
@pytest.mark.parametrize(
    "query",
    ["openai", "comete", "invest*", "title:comete", '"market data"', "source:heise OR chip", "straße"],
)
def test_with_filters_too(database: Database, query: str, source: str, language: str) -> None:
    """Filters take another path: ranked with the articles joined, then a snippet per hit of the page."""
    expected = reference(database.engine.url.database or "", query, 5, source, language)
    filters = SearchFilters(limit=5, source=source or None, language=language or None)
    assert found(database, query, filters) == expected
    assert expected, f"{query!r} with {filters} finds nothing: the comparison would prove nothing"


def test_the_corpus_has_hits_in_one_column_and_in_several(database: Database) -> None:
    """Both snippet paths run: rows with a hit in the text only, rows with hits in several columns."""

    def count(match: str) -> int:
        with sqlite3.connect(database.engine.url.database or "") as raw:
            found: int = raw.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)
            ).fetchone()[0]
        return found

    assert count("text : openai NOT {title summary} : openai") > 0
    assert count("title : openai AND text : openai") > 0
