"""ß, œ, æ, ø… are one word with their spelt-out forms in search, either way round, on SQLite and
PostgreSQL: terms, phrases, prefixes and fields; snippets show the article's own letters; the SQLite
index stays in step with the articles whoever writes them, and migration 0011 folds an older index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from db import fts
from db.engine import Database
from db.models import utcnow
from db.retention import prune
from db.search import SearchFilters, search
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from db.textfold import fold
from tests.databases import Databases
from tests.db.test_migration_0007 import migrate

# title, text
CORPUS = (
    ("Die Straße der KI", "Eine große Straße in Berlin."),
    ("Auf der Strasse", "Eine grosse STRASSE, zu Fuß."),
    ("L’Œuvre d’une vie", "Une œuvre majeure, un cœur."),
    ("Oeuvre complète", "Les oeuvres et le coeur."),
    ("Ørsted bygger vindmøller", "Ørsted på Ærø."),
    ("Orsted builds wind farms", "Offshore near Aero."),
    ("Wałęsa w Łodzi", "Đoković, Þór, Aðalsteinn, Kılıç."),
    ("Walesa in Lodz", "Dokovic, Thor, Adalsteinn, Kilic."),
)
STRASSE = ["Die Straße der KI", "Auf der Strasse"]
OEUVRE = ["L’Œuvre d’une vie", "Oeuvre complète"]
ORSTED = ["Ørsted bygger vindmøller", "Orsted builds wind farms"]


def fill(database: Database) -> Database:
    sync_sources(database, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    for n, (title, body) in enumerate(CORPUS):
        article = NewArticle(source="wire", url=f"https://news.example/{n}", title=title, keys=(), text=body)
        assert store_article(database, article) is not None
    return database


@pytest.fixture
def database(databases: Databases) -> Database:
    """On SQLite, then on PostgreSQL."""
    return fill(databases.open())


def titles(database: Database, query: str) -> list[str]:
    return sorted(hit.title for hit in search(database, query, SearchFilters(limit=50)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("strasse", STRASSE),
        ("straße", STRASSE),
        ("STRASSE", STRASSE),
        ("STRAẞE", STRASSE),
        ('"große straße"', STRASSE),
        ('"grosse strasse"', STRASSE),
        ("stras*", STRASSE),
        ("straß*", STRASSE),
        ('"eine große stra*"', STRASSE),
        ("title:straße", STRASSE),
        ("title:strasse", STRASSE),
        ("lead:strasse", STRASSE),  # the lead field reads the title too
        ("fuss", ["Auf der Strasse"]),
        ("œuvre", OEUVRE),
        ("oeuvre", OEUVRE),
        ("ŒUVRE", OEUVRE),
        ("title:œuvre", OEUVRE),
        ("cœur", ["L’Œuvre d’une vie", "Oeuvre complète"]),
        ("ørsted", ORSTED),
        ("orsted", ORSTED),
        ("title:Ørsted", ORSTED),
        ("ærø", ["Ørsted bygger vindmøller", "Orsted builds wind farms"]),
        ("aero", ["Ørsted bygger vindmøller", "Orsted builds wind farms"]),
        ("łodzi OR lodz", ["Wałęsa w Łodzi", "Walesa in Lodz"]),
        ("walesa", ["Wałęsa w Łodzi", "Walesa in Lodz"]),
        ("đoković", ["Wałęsa w Łodzi", "Walesa in Lodz"]),
        ("thor", ["Wałęsa w Łodzi", "Walesa in Lodz"]),
        ("aðalsteinn", ["Wałęsa w Łodzi", "Walesa in Lodz"]),
        ("kilic", ["Wałęsa w Łodzi", "Walesa in Lodz"]),
        ("strasse -title:straße", []),
    ],
)
def test_folded_letters_find_their_spelt_out_forms_and_back(
    database: Database, query: str, expected: list[str]
) -> None:
    assert titles(database, query) == sorted(expected)


def test_snippets_show_the_articles_own_letters(database: Database) -> None:
    snippets = {hit.title: hit.snippet for hit in search(database, "strasse", SearchFilters())}
    assert "<mark>Straße</mark>" in snippets["Die Straße der KI"]
    assert "<mark>Strasse</mark>" in snippets["Auf der Strasse"]
    [hit] = [h for h in search(database, '"une oeuvre"', SearchFilters()) if h.title.startswith("L’")]
    assert "œuvre</mark>" in hit.snippet and "oeuvre" not in hit.snippet


def test_the_index_follows_updates_and_deletes(database: Database) -> None:
    with database.write() as session:
        session.execute(
            text("UPDATE articles SET text = 'Fußball am Abend.' WHERE title = 'Oeuvre complète'")
        )
    assert titles(database, "fussball") == ["Oeuvre complète"]
    assert titles(database, "coeur") == ["L’Œuvre d’une vie"]
    with database.write() as session:
        session.execute(text("DELETE FROM articles WHERE title = 'Oeuvre complète'"))
    assert titles(database, "fußball") == []


# --- SQLite: the index itself ------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    from db.migrate import upgrade

    db = Database(f"sqlite:///{tmp_path / 'newsmon.db'}")
    upgrade(db)
    yield fill(db)
    db.dispose()


def path_of(database: Database) -> str:
    return database.engine.url.database or ""


def indexed_words(path: str) -> list[tuple[object, ...]]:
    """Every (word, article, column, position) the index holds."""
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, articles_fts, instance)")
        return sorted(raw.execute("SELECT term, doc, col, offset FROM temp.words"))


def assert_as_if_rebuilt(database: Database, tmp_path: Path, folded: str = fts.FOLDED_LETTERS) -> None:
    """The index holds exactly what indexing every article afresh gives: nothing stale, nothing missing."""
    copy = str(tmp_path / "rebuilt.db")
    with closing(sqlite3.connect(path_of(database))) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
        with target:
            for statement in fts.rebuild_statements(folded=folded):
                target.execute(statement)
    assert indexed_words(path_of(database)) == indexed_words(copy)
    with closing(sqlite3.connect(path_of(database))) as raw, raw:
        raw.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 0)")


def test_the_index_holds_the_spelt_out_words(sqlite_db: Database, tmp_path: Path) -> None:
    words = {word for word, *_ in indexed_words(path_of(sqlite_db))}
    assert {"strasse", "grosse", "oeuvre", "coeur", "orsted", "aero", "lodzi", "thor", "kilic"} <= words
    assert not {word for word in words if set(word) & set(fts.FOLDED_LETTERS.lower())}
    assert_as_if_rebuilt(sqlite_db, tmp_path)


def test_any_sqlite_client_keeps_the_index_in_step(sqlite_db: Database, tmp_path: Path) -> None:
    """A bare connection, with no function of newsmon's registered, writes through the triggers."""
    with closing(sqlite3.connect(path_of(sqlite_db))) as raw, raw:
        raw.execute(
            "INSERT INTO articles (source_id, url, title, summary, lead, text, fetched, authors, events,"
            " event_types, orgs, amounts) VALUES (1, 'https://news.example/x', 'Fußball', '', '', 'Kæmpe',"
            " '2026-01-01 00:00:00.000000', '[]', '[]', '[]', '[]', '[]')"
        )
        raw.execute("UPDATE articles SET title = 'Ærø', text = '' WHERE title = 'Die Straße der KI'")
        raw.execute("DELETE FROM articles WHERE title = 'Auf der Strasse'")
    assert titles(sqlite_db, "fussball kaempe") == ["Fußball"]
    assert titles(sqlite_db, "strasse") == []
    assert titles(sqlite_db, "title:aero") == ["Ærø"]
    assert_as_if_rebuilt(sqlite_db, tmp_path)


def test_pruning_leaves_no_folded_word_behind(sqlite_db: Database, tmp_path: Path) -> None:
    report = prune(sqlite_db, articles_before=utcnow(), fetch_log_before=None)
    assert report.articles == len(CORPUS)
    assert indexed_words(path_of(sqlite_db)) == []
    assert_as_if_rebuilt(sqlite_db, tmp_path)


def test_migration_0011_folds_an_older_index_and_goes_down_and_up(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsmon.db'}")
    try:
        migrate(database, "upgrade", "0010")
        fill(database)
        assert titles(database, "strasse") == ["Auf der Strasse"]  # the old index keeps ß
        assert titles(database, "ørsted") == ["Orsted builds wind farms"]

        migrate(database, "upgrade", "0011")
        assert titles(database, "strasse") == titles(database, "straße") == sorted(STRASSE)
        assert titles(database, "ørsted") == sorted(ORSTED)
        snippets = {hit.title: hit.snippet for hit in search(database, "strasse", SearchFilters())}
        assert "<mark>Straße</mark>" in snippets["Die Straße der KI"]
        assert_as_if_rebuilt(database, tmp_path)

        migrate(database, "downgrade", "0010")
        assert_as_if_rebuilt(database, tmp_path, folded="")
        assert titles(database, "strasse") == ["Auf der Strasse"]
        migrate(database, "upgrade", "0011")
        assert_as_if_rebuilt(database, tmp_path)
        assert titles(database, "œuvre") == sorted(OEUVRE)
    finally:
        database.dispose()


def test_the_spelt_out_letters_are_those_migration_0011_indexed() -> None:
    """The triggers of an existing database keep 0011's spellings: changing one here, or in
    db.textfold, without a migration would make them delete other words than they indexed."""
    spelt = {letter: fold(letter) for letter in fts.FOLDED_LETTERS}
    assert spelt == {
        **{"ß": "ss", "ẞ": "ss", "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o"},
        **{"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i"},
    }
