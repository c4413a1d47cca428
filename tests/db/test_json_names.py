"""Organisations with letters outside ASCII are found by ``org:`` as written and spelt out, on SQLite
and PostgreSQL; migration 0012 gives back their letters to the names stored escaped before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import Database
from db.facts import ArticleFacts
from db.search import SearchFilters, search
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from tests.databases import Databases
from tests.db.test_migration_0007 import migrate

DEALS = (  # title, organisations
    ("Ørsted sells a stake in Hornsea 3", ("Ørsted", "Apollo")),
    ("Société Générale backs Mistral AI", ("Société Générale", "Mistral AI")),
    ("Équinor and Ørsted team up", ("Équinor", "Ørsted")),
    ("Apollo buys a wind farm", ("Apollo",)),
)


def fill(database: Database) -> Database:
    sync_sources(database, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    for n, (title, orgs) in enumerate(DEALS):
        article = NewArticle(
            "wire", f"https://news.example/{n}", title, (), text="…", facts=ArticleFacts(orgs=orgs)
        )
        assert store_article(database, article) is not None
    return database


def titles(database: Database, query: str) -> list[str]:
    return sorted(hit.title for hit in search(database, query, SearchFilters()))


ORSTED = ["Équinor and Ørsted team up", "Ørsted sells a stake in Hornsea 3"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("org:Ørsted", ORSTED),
        ("org:orsted", ORSTED),
        ('org:"Société Générale"', ["Société Générale backs Mistral AI"]),
        ('org:"societe generale"', ["Société Générale backs Mistral AI"]),
        ("org:équinor", ["Équinor and Ørsted team up"]),
        ("org:u00d8rsted", []),  # the escape is no word
    ],
)
def test_org_finds_names_written_outside_ascii(databases: Databases, query: str, expected: list[str]) -> None:
    assert titles(fill(databases.open()), query) == expected


def test_migration_0012_unescapes_the_names_stored_before(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsmon.db'}")
    try:
        migrate(database, "upgrade", "0011")
        fill(database)
        with database.write() as session:  # as the JSON columns were written before 0012
            session.execute(
                text("UPDATE articles SET orgs = replace(replace(orgs, 'Ø', '\\u00d8'), 'é', '\\u00e9')")
            )
        assert titles(database, "org:orsted") == []
        migrate(database, "upgrade", "0012")
        assert titles(database, "org:orsted") == ORSTED
        assert titles(database, 'org:"société générale"') == ["Société Générale backs Mistral AI"]
        with database.read() as session:
            assert session.scalar(text("SELECT count(*) FROM articles WHERE instr(orgs, '\\u') > 0")) == 0
    finally:
        database.dispose()
