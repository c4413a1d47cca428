"""The SQLite FTS5 index over articles, kept in sync by triggers.

The index reads its content from a view so that the source's name and the
language are searchable columns (``source:``, ``lang:``) without being
copied into ``articles``. Diacritics are removed by the tokenizer on both
sides, so "comete" finds "comète" and the other way round.
"""

from __future__ import annotations

FTS_COLUMNS = ("title", "summary", "text", "lead", "source", "lang")

_FTS_VALUES_NEW = (
    "new.id, new.title, new.summary, new.text, new.lead, "
    "(SELECT name FROM sources WHERE id = new.source_id), new.language"
)
_FTS_VALUES_OLD = (
    "old.id, old.title, old.summary, old.text, old.lead, "
    "(SELECT name FROM sources WHERE id = old.source_id), old.language"
)
_COLUMN_LIST = ", ".join(FTS_COLUMNS)

CREATE_STATEMENTS = (
    """CREATE VIEW IF NOT EXISTS articles_fts_content AS
       SELECT a.id AS id, a.title AS title, a.summary AS summary, a.text AS text, a.lead AS lead,
              s.name AS source, a.language AS lang
       FROM articles a JOIN sources s ON s.id = a.source_id""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
       {_COLUMN_LIST}, content='articles_fts_content', content_rowid='id',
       tokenize="unicode61 remove_diacritics 2")""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
       INSERT INTO articles_fts(rowid, {_COLUMN_LIST}) VALUES ({_FTS_VALUES_NEW}); END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
       INSERT INTO articles_fts(articles_fts, rowid, {_COLUMN_LIST})
       VALUES ('delete', {_FTS_VALUES_OLD}); END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE ON articles BEGIN
       INSERT INTO articles_fts(articles_fts, rowid, {_COLUMN_LIST}) VALUES ('delete', {_FTS_VALUES_OLD});
       INSERT INTO articles_fts(rowid, {_COLUMN_LIST}) VALUES ({_FTS_VALUES_NEW}); END""",
)

DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_content",
)

REBUILD = "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"


def is_fts_object(name: str | None) -> bool:
    """Alembic autogenerate must not propose dropping the index or its shadow tables."""
    return bool(name) and str(name).startswith("articles_fts")
