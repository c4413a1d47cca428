"""Search: the query language compiled to FTS5 or tsquery, ranked, highlighted and filtered, on a real
SQLite file and a real PostgreSQL server: every test here runs on both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy

from db import query as q
from db.engine import Database
from db.errors import QueryError
from db.migrate import upgrade
from db.search import SearchFilters, SearchHit, _hit, search, snippet_column, to_fts5
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from tests.db.conftest import needs_postgres

NOW = datetime.now(UTC)
ARTICLES = [
    (
        "arsfr",
        "fr",
        "Microsoft investit des milliards dans OpenAI",
        "Le partenariat s'étend.",
        NOW - timedelta(days=1),
    ),
    (
        "arsfr",
        "fr",
        "Les astronomes observent une comète",
        "Une comète visible à l'œil nu.",
        NOW - timedelta(days=30),
    ),
    ("wire", "en", "Anthropic raises $450 million", "Series C led by Spark Capital; OpenAI rival.", NOW),
    (
        "wire",
        "en",
        "GPT-4 tops the benchmark",
        "OpenAI's GPT-4 model beats rivals.",
        NOW - timedelta(hours=2),
    ),
    ("wire", "en", "Energy prices: ÉNERGIE", "Investment advice for energy stocks.", NOW - timedelta(days=3)),
]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("search")
        db = Database(f"sqlite:///{path}/newsmon.db")
    else:
        db = Database(request.getfixturevalue("postgres_url"))
    upgrade(db)
    sync_sources(
        db, [SourceSpec("arsfr", "feed", "http://a/feed"), SourceSpec("wire", "feed", "http://b/feed")]
    )
    for i, (source, lang, title, text, published) in enumerate(ARTICLES):
        store_article(
            db,
            NewArticle(
                source=source,
                url=f"https://example.org/{i}",
                title=title,
                keys=(),
                language=lang,
                text=text,
                lead=text,
                published=published,
            ),
        )
    yield db
    db.dispose()


def titles(database: Database, query: str, **filters: object) -> list[str]:
    return [hit.title for hit in search(database, query, SearchFilters(**filters))]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("comète", ["Les astronomes observent une comète"]),
        ("comete", ["Les astronomes observent une comète"]),
        ("energie", ["Energy prices: ÉNERGIE"]),
        ('"series c"', ["Anthropic raises $450 million"]),
        ("GPT-4", ["GPT-4 tops the benchmark"]),
        ("invest*", ["Microsoft investit des milliards dans OpenAI", "Energy prices: ÉNERGIE"]),
        ("title:openai", ["Microsoft investit des milliards dans OpenAI"]),
        ("openai -microsoft NOT gpt", ["Anthropic raises $450 million"]),
        ("(anthropic OR comete) lang:fr", ["Les astronomes observent une comète"]),
        ("source:wire AND rivals", ["GPT-4 tops the benchmark"]),
        ("openai NEAR/2 rival", ["Anthropic raises $450 million"]),
    ],
)
def test_query_language(database: Database, query: str, expected: list[str]) -> None:
    assert sorted(titles(database, query)) == sorted(expected)


def test_ranked_with_title_matches_first_and_highlighted(database: Database) -> None:
    hits = search(database, "openai", SearchFilters())
    assert hits[0].title == "Microsoft investit des milliards dans OpenAI"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "<mark>OpenAI</mark>" in hits[0].snippet
    assert hits[0].as_dict()["published"].endswith("+00:00")


def test_filters(database: Database) -> None:
    recent = titles(database, "openai", source="wire", since=NOW - timedelta(hours=3))
    assert sorted(recent) == ["Anthropic raises $450 million", "GPT-4 tops the benchmark"]
    assert titles(database, "openai", language="fr") == ["Microsoft investit des milliards dans OpenAI"]
    assert len(titles(database, "openai", limit=1)) == 1


def test_topics_expand_in_search(database: Database) -> None:
    hits = search(database, "@ai", SearchFilters(), topics={"ai": "Anthropic OR comete"})
    assert len(hits) == 2


@pytest.mark.parametrize("query", ['"unbalanced', "(openai", "NOT openai", "openai OR"])
def test_malformed_queries_are_query_errors_not_sqlite_errors(database: Database, query: str) -> None:
    with pytest.raises(QueryError):
        search(database, query, SearchFilters())


@pytest.mark.parametrize("query", ["wire", "arsfr", "fr", "en", "lang", "source"])
def test_a_source_name_or_language_code_is_not_a_word_of_the_article(database: Database, query: str) -> None:
    assert titles(database, query) == []


def test_source_and_lang_fields_find_their_articles(database: Database) -> None:
    assert len(titles(database, "source:wire")) == 3
    assert len(titles(database, "lang:fr")) == 2


@pytest.fixture(scope="module")
def with_facts(database: Database) -> Database:
    """The articles as event detection would have described them (the index follows the columns)."""
    facts = {
        "Microsoft investit des milliards dans OpenAI": (
            ["investment", "partnership"],
            ["Microsoft", "OpenAI"],
            1e10,
        ),
        "Anthropic raises $450 million": (["investment"], ["Anthropic", "Spark Capital"], 4.5e8),
    }
    with database.write() as session:
        for title, (events, orgs, amount) in facts.items():
            session.execute(
                sqlalchemy.text(
                    "UPDATE articles SET event_types = :events, orgs = :orgs, amount_usd = :amount"
                    " WHERE title = :title"
                ),
                {"events": json.dumps(events), "orgs": json.dumps(orgs), "amount": amount, "title": title},
            )
    return database


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "event:investment",
            ["Anthropic raises $450 million", "Microsoft investit des milliards dans OpenAI"],
        ),
        ("event:partnership", ["Microsoft investit des milliards dans OpenAI"]),
        ("event:acquisition", []),
        ("org:openai", ["Microsoft investit des milliards dans OpenAI"]),
        ('org:"spark capital"', ["Anthropic raises $450 million"]),
        ("openai AND amount>=1B", ["Microsoft investit des milliards dans OpenAI"]),
        ("openai -amount>=1B", ["Anthropic raises $450 million", "GPT-4 tops the benchmark"]),
        ("amount>=400M", ["Anthropic raises $450 million", "Microsoft investit des milliards dans OpenAI"]),
        (
            "amount>=380M:EUR",
            ["Anthropic raises $450 million", "Microsoft investit des milliards dans OpenAI"],
        ),
        ("amount>=500M:EUR", ["Microsoft investit des milliards dans OpenAI"]),
        # 'investment' the event is not the word: only this article says it.
        ("investment", ["Energy prices: ÉNERGIE"]),
    ],
)
def test_facts_are_searchable(with_facts: Database, query: str, expected: list[str]) -> None:
    assert sorted(titles(with_facts, query)) == sorted(expected)


def test_an_amount_inside_an_or_is_a_clear_error(with_facts: Database) -> None:
    with pytest.raises(QueryError, match="joined to the rest of the query by AND"):
        search(with_facts, "openai OR amount>=1B", SearchFilters())


def test_user_text_never_reaches_match_unquoted() -> None:
    assert to_fts5(q.parse('title:"a b" OR c*')) == '(title : "a b" OR {title summary text} : "c"*)'


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("title:openai", 0),
        ("title:openai -gpt", 0),
        ("title:(openai OR anthropic)", 0),
        ("openai", -1),
        ("title:openai OR lead:rival", -1),
        ("source:wire AND title:openai", -1),
    ],
)
def test_a_snippet_reads_the_one_column_a_query_can_match(query: str, column: int) -> None:
    assert snippet_column(q.parse(query)) == column


def test_a_title_query_highlights_the_title(database: Database) -> None:
    [hit] = search(database, "title:anthropic", SearchFilters())
    assert "<mark>Anthropic</mark>" in hit.snippet


def test_a_hit_made_from_a_row_is_the_one_the_dataclass_makes() -> None:
    values = (7, "Title", "https://example.org/7", "wire", NOW, "en", "<mark>a</mark>", 1.5)
    fast, plain = _hit(*values), SearchHit(*values)
    assert (fast, vars(fast), hash(fast), repr(fast), fast.as_dict()) == (
        plain,
        vars(plain),
        hash(plain),
        repr(plain),
        plain.as_dict(),
    )
