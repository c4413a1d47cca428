"""Search on PostgreSQL: accents, phrases, prefixes, NEAR and fields as on SQLite, the same articles
found for the same queries on the same data, and an index the trigger keeps in sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db import query as q
from db.engine import Database
from db.errors import QueryError
from db.fts import include_name
from db.migrate import upgrade
from db.models import Base
from db.search import SearchFilters, search
from db.search_pg import compile_query, lexeme
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from tests.db.conftest import needs_postgres

pytestmark = needs_postgres

# source, language, title, lead, summary, text
CORPUS = [
    ("wire", "en", "OpenAI raises money", "", "", "The round values OpenAI at a record."),
    ("wire", "en", "Markets today", "", "A quiet day.", "Analysts said OpenAI was not part of it."),
    ("wire", "en", "Robots at work", "OpenAI builds robots.", "", "Factories hire fewer people."),
    ("wire", "en", "Series C for Anthropic", "", "", "Anthropic closed a series C round led by Spark."),
    ("wire", "en", "A C series of events", "", "", "Events in series: the C-suite reacts."),
    ("wire", "en", "Investors reinvest", "", "", "They reinvest in investment funds and investors."),
    ("arsfr", "fr", "L’Œuvre d’une comète", "", "", "Une ŒUVRE étonnante, l’intelligence artificielle."),
    ("arsfr", "de", "Die Straße der KI", "", "", "Auf der STRASSE: Künstliche Intelligenz in Brüssel."),
    (
        "arsfr",
        "es",
        "Inversión en IA",
        "",
        "",
        "Microsoft anunció una gran inversión en la empresa española.",
    ),
    (
        "wire",
        "en",
        "Microsoft and OpenAI",
        "",
        "",
        "Microsoft said far away from here, in a long sentence, OpenAI.",
    ),
]


def _fill(database: Database) -> None:
    upgrade(database)
    sync_sources(
        database, [SourceSpec("arsfr", "feed", "http://a/feed"), SourceSpec("wire", "feed", "http://b/feed")]
    )
    for i, (source, language, title, lead, summary, text) in enumerate(CORPUS):
        article = NewArticle(
            source=source,
            url=f"https://example.org/{i}",
            title=title,
            keys=(),
            language=language,
            lead=lead,
            summary=summary,
            text=text,
        )
        store_article(database, article)


@pytest.fixture(scope="module")
def both(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Database]]:
    folder: Path = tmp_path_factory.mktemp("parity")
    sqlite, postgresql = Database(f"sqlite:///{folder}/newsmon.db"), Database(postgres_url)
    _fill(sqlite)
    _fill(postgresql)
    yield sqlite, postgresql
    sqlite.dispose()
    postgresql.dispose()


@pytest.fixture
def pg(both: tuple[Database, Database]) -> Database:
    return both[1]


def titles(database: Database, query: str) -> list[str]:
    return [hit.title for hit in search(database, query, SearchFilters(limit=50))]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Accents and folded letters, either way round (unaccent on the article, db.textfold on the query).
        ("oeuvre", ["L’Œuvre d’une comète"]),
        ("Œuvre", ["L’Œuvre d’une comète"]),
        ("comete", ["L’Œuvre d’une comète"]),
        ("strasse", ["Die Straße der KI"]),
        ("Straße", ["Die Straße der KI"]),
        ("brussel", ["Die Straße der KI"]),
        ("inversion", ["Inversión en IA"]),
        ("española", ["Inversión en IA"]),
        # Apostrophes split words, as on SQLite: "l’intelligence" holds the word "intelligence".
        ('"intelligence artificielle"', ["L’Œuvre d’une comète"]),
        ("d'une", ["L’Œuvre d’une comète"]),
        # Phrases keep their order; a hyphenated word is its parts in sequence.
        ('"series c"', ["Series C for Anthropic"]),
        ('"c series"', ["A C series of events"]),
        ("C-suite", ["A C series of events"]),
        # A prefix matches the start of a word only.
        ("invest*", ["Investors reinvest"]),
        ("reinvest", ["Investors reinvest"]),
        # NEAR: at most n words between, in either order.
        ("openai NEAR/3 record", ["OpenAI raises money"]),
        ("record NEAR/3 openai", ["OpenAI raises money"]),
        ("microsoft NEAR/3 openai", ["Microsoft and OpenAI"]),
        ("microsoft NEAR/12 openai", ["Microsoft and OpenAI"]),
        ("values NEAR/3 openai NEAR/3 record", ["OpenAI raises money"]),
        # Neither a phrase nor a NEAR runs from the title into the text, as FTS5 keeps columns apart.
        ('"money the"', []),
        ("money NEAR/2 round", []),
        # Fields: the title; the lead is the title and the opening; a bare term never the lead alone.
        ("title:openai", ["OpenAI raises money", "Microsoft and OpenAI"]),
        ("lead:robots", ["Robots at work"]),
        ("lead:builds", ["Robots at work"]),
        ("builds", []),
        ("lead:(openai OR markets) -microsoft", ["Robots at work", "OpenAI raises money", "Markets today"]),
        # source:/lang: only as fields.
        ("lang:de OR lang:es", ["Die Straße der KI", "Inversión en IA"]),
        ("source:arsfr microsoft", ["Inversión en IA"]),
        ("arsfr", []),
        ("es", []),
    ],
)
def test_query_language_on_postgresql(pg: Database, query: str, expected: list[str]) -> None:
    assert sorted(titles(pg, query)) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    [
        "openai",
        "openai OR anthropic",
        '"series c" OR invest*',
        "openai NEAR/5 record",
        "values NEAR/3 openai NEAR/3 record",
        '"round values" OR "money the"',
        "title:openai OR lead:robots",
        "source:wire -openai",
        "lang:fr OR (lang:de KI)",
        "microsoft NOT lang:es",
        "intelligence",
    ],
)
def test_same_articles_as_sqlite(both: tuple[Database, Database], query: str) -> None:
    sqlite, postgresql = ([hit.url for hit in search(db, query, SearchFilters(limit=50))] for db in both)
    assert sorted(sqlite) == sorted(postgresql) and sqlite


def test_ranking_agrees_where_one_article_is_clearly_better(both: tuple[Database, Database]) -> None:
    for database in both:
        hits = search(database, "openai", SearchFilters())
        # In the title and the text, before the text alone; the lead alone is not the text.
        assert {h.title for h in hits[:2]} == {"OpenAI raises money", "Microsoft and OpenAI"}
        assert [h.title for h in hits[2:]] == ["Markets today"]
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert hits[2].score < hits[1].score


@pytest.mark.parametrize("query", ["openai", "microsoft", "series c"])
def test_same_order_as_sqlite_for_plain_terms(both: tuple[Database, Database], query: str) -> None:
    sqlite, postgresql = (titles(database, query) for database in both)
    assert sqlite == postgresql


def test_near_too_far_for_postgresql_is_a_clear_error(pg: Database) -> None:
    with pytest.raises(QueryError, match="NEAR/n takes n up to 100"):
        search(pg, "openai NEAR/101 record", SearchFilters())


def test_snippets_highlight_the_words_found(pg: Database) -> None:
    hit = search(pg, "comete", SearchFilters())[0]
    assert "<mark>comète</mark>" in hit.snippet
    assert search(pg, "lang:fr", SearchFilters())[0].snippet == ""


def test_the_trigger_keeps_the_vectors_in_step_with_the_article(pg: Database) -> None:
    with pg.write() as session:
        session.execute(
            sqlalchemy.text("UPDATE articles SET text = 'Zeppelins return.' WHERE title = 'Markets today'")
        )
    assert titles(pg, "zeppelins") == ["Markets today"]
    with pg.write() as session:
        session.execute(sqlalchemy.text("UPDATE articles SET text = '' WHERE title = 'Markets today'"))
    assert titles(pg, "zeppelins") == []


def test_a_huge_text_is_stored_and_its_start_indexed(pg: Database) -> None:
    # Some 300,000 distinct words: a vector of all of them would pass PostgreSQL's 1 MB limit.
    text = "Zeppelinology opens. " + " ".join(f"w{n:x}" for n in range(300_000)) + " Farewords."
    huge = NewArticle(source="wire", url="https://example.org/huge", title="Huge", keys=(), text=text)
    assert store_article(pg, huge) is not None
    [hit] = search(pg, "zeppelinology", SearchFilters())
    assert hit.title == "Huge" and "<mark>Zeppelinology</mark>" in hit.snippet
    assert titles(pg, "farewords") == []


def test_autogenerate_leaves_the_search_objects_alone(pg: Database) -> None:
    with pg.engine.connect() as connection:
        unfiltered = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        filtered = compare_metadata(context, Base.metadata)
    assert [change for change in unfiltered if "fts" in repr(change)]
    assert [change for change in filtered if "fts" in repr(change)] == []


def test_user_text_never_reaches_tsquery_unquoted() -> None:
    compiled = compile_query(q.parse('title:"a b" OR c* NEAR/1 d'))
    assert list(compiled.params.values()) == [
        "'a':A <-> 'b':A",
        "(('c':*ACD) <1> ('d':ACD) | ('d':ACD) <1> ('c':*ACD)"
        " | ('c':*ACD) <2> ('d':ACD) | ('d':ACD) <2> ('c':*ACD))",
    ]
    assert lexeme("it's\\", "A") == "'it''s\\\\':A"
