"""The SQLite FTS5 index over articles, kept in sync by triggers.

The index reads its content from a view so that the source's name, the
language, the event types an article reports and its organisations are
searchable columns (``source:``, ``lang:``, ``event:``, ``org:``) without
being copied into ``articles``. Diacritics are removed by the tokenizer on
both sides, so "comete" finds "comète" and the other way round.

Only a change to an indexed column re-indexes the article: setting its story
or another bookkeeping column must not rewrite 5 KB of index.
"""

from __future__ import annotations

from collections.abc import Sequence

FTS_COLUMNS = ("title", "summary", "text", "lead", "source", "lang", "events", "orgs")
FIRST_COLUMNS = FTS_COLUMNS[:6]
"""The columns of the index revision 0001 created."""

# bm25 weight of each column: a word in the title says most about an article,
# then the lead (standfirst), the summary, the body; facts are filters, not relevance.
WEIGHTS = {"title": 10.0, "summary": 3.0, "text": 1.0, "lead": 2.0}

# Each index column: its value for an articles row ("{row}" is new, old or a
# view alias) and the articles column(s) it is computed from.
_VALUES = {
    "title": ("{row}.title", "title"),
    "summary": ("{row}.summary", "summary"),
    "text": ("{row}.text", "text"),
    "lead": ("{row}.lead", "lead"),
    "source": ("(SELECT name FROM sources WHERE id = {row}.source_id)", "source_id"),
    "lang": ("{row}.language", "language"),
    # JSON lists of words: the tokenizer reads past the brackets and quotes.
    # (json_each() here would break FTS5's 'rebuild' and snippet(), which
    # read the view from inside the index.)
    "events": ("{row}.event_types", "event_types"),
    "orgs": ("{row}.orgs", "orgs"),
}


def create_statements(columns: Sequence[str] = FTS_COLUMNS) -> tuple[str, ...]:
    listed = ", ".join(columns)

    def values(row: str) -> str:
        return ", ".join([f"{row}.id", *(_VALUES[c][0].format(row=row) for c in columns)])

    watched = ", ".join(_VALUES[c][1] for c in columns)
    weights = ", ".join(str(WEIGHTS.get(c, 0.0)) for c in columns)
    view_columns = ", ".join(f"{_VALUES[c][0].format(row='a')} AS {c}" for c in columns)
    return (
        f"CREATE VIEW IF NOT EXISTS articles_fts_content AS SELECT a.id AS id, {view_columns} "
        "FROM articles a",
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
           {listed}, content='articles_fts_content', content_rowid='id',
           tokenize="unicode61 remove_diacritics 2")""",
        f"""CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
           INSERT INTO articles_fts(rowid, {listed}) VALUES ({values("new")}); END""",
        f"""CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
           INSERT INTO articles_fts(articles_fts, rowid, {listed}) VALUES ('delete', {values("old")}); END""",
        f"""CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF {watched} ON articles BEGIN
           INSERT INTO articles_fts(articles_fts, rowid, {listed}) VALUES ('delete', {values("old")});
           INSERT INTO articles_fts(rowid, {listed}) VALUES ({values("new")}); END""",
        # `ORDER BY rank` then ranks with these weights, inside the index.
        f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25({weights})')",
    )


DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_content",
)

REBUILD = "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: what autogenerate compares (everything but the index)."""
    return not (type_ in {"table", "column", "index"} and is_fts_object(name))


def is_fts_object(name: str | None) -> bool:
    """Alembic autogenerate must not propose dropping the index: FTS5's table and shadow tables on
    SQLite, the vector columns and their GIN indexes on PostgreSQL (db.pgfts)."""
    return bool(name) and str(name).startswith(("articles_fts", "fts_"))
