"""The SQLite FTS5 index over articles, kept in sync by triggers.

The index reads its content from a view so that the source's name, the
language, the event types an article reports and its organisations are
searchable columns (``source:``, ``lang:``, ``event:``, ``org:``) without
being copied into ``articles``. Diacritics are removed by the tokenizer on
both sides, so "comete" finds "comète" and the other way round.

The letters ``unicode61`` keeps whole but ``db.textfold`` spells out (ß, œ,
æ, ø, ł…: :data:`FOLDED_LETTERS`) reach the index spelt out: the triggers
wrap each value in SQLite's own ``replace()``, so any SQLite client keeps the
index in step, and "Straße", "STRASSE" and "strasse" are one word as they are
to the query, the rules and PostgreSQL's ``unaccent``. The view, which
``snippet()`` reads, keeps the article's own text: a letter spelt out stays
inside its word, so the index's word positions hold in the original text and
the snippet shows "Straße". Hence two rules:

- FTS5's ``'rebuild'`` would index the view's text as it stands: re-index
  with :func:`rebuild_statements` instead.
- ``'integrity-check'`` with rank 1 compares the index with that text and
  reports the spelt-out letters as corruption: check with rank 0 (the
  index's own structure).

Only a change to an indexed column re-indexes the article: setting its story
or another bookkeeping column must not rewrite 5 KB of index.
"""

from __future__ import annotations

from collections.abc import Sequence

from db.textfold import fold

FTS_COLUMNS = ("title", "summary", "text", "lead", "source", "lang", "events", "orgs")
FIRST_COLUMNS = FTS_COLUMNS[:6]
"""The columns of the index revision 0001 created."""

# bm25 weight of each column: a word in the title says most about an article,
# then the lead (standfirst), the summary, the body; facts are filters, not relevance.
WEIGHTS = {"title": 10.0, "summary": 3.0, "text": 1.0, "lead": 2.0}

FOLDED_LETTERS = "ßẞœŒæÆøØłŁđĐðÐþÞı"
"""The letters the index gets as ``db.textfold.fold`` spells them (ß → ss).

Those of the four languages and of the names in their news that
``unicode61 remove_diacritics 2`` keeps as they are. Each one is a
``replace()`` around every indexed value, so it costs a pass over every
stored text, and the nesting is bounded: SQLite 3.40's parser, whose stack
is fixed, refused 26 levels inside a trigger, and a schema a client cannot
parse is a database it cannot open (17 leave a margin). Left out for want
of levels: typographic ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ) and ĳ, which PostgreSQL
and ``db.textfold`` fold.

Changing this set, or how ``fold`` spells one of them, needs a migration
that recreates the triggers and re-indexes (as 0011 does): a ``'delete'``
with other values than those indexed corrupts an external-content index.
"""

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


def create_statements(columns: Sequence[str] = FTS_COLUMNS, folded: str = FOLDED_LETTERS) -> tuple[str, ...]:
    """The view, the index, its triggers and its rank; ``folded`` the letters spelt out (revisions
    before 0011 spelt none)."""
    listed = ", ".join(columns)

    def values(row: str) -> str:
        return _indexed_values(row, columns, folded)

    watched = ", ".join(_VALUES[c][1] for c in columns)
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
        f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25({_weights(columns)})')",
    )


def _weights(columns: Sequence[str]) -> str:
    return ", ".join(str(WEIGHTS.get(c, 0.0)) for c in columns)


SCORE = f"bm25(articles_fts, {_weights(FTS_COLUMNS)})"
"""The value ``ORDER BY rank`` sorts by, as a column of a statement on the index.

Reading ``rank`` itself computes the same value, but FTS5 first prepares a
statement to evaluate the rank's arguments, for every query that reads it.
"""

DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_content",
)


def rebuild_statements(columns: Sequence[str] = FTS_COLUMNS, folded: str = FOLDED_LETTERS) -> tuple[str, ...]:
    """Re-index every article as the triggers of :func:`create_statements` index it."""
    listed = ", ".join(columns)
    return (
        "INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')",
        f"INSERT INTO articles_fts(rowid, {listed}) SELECT {_indexed_values('a', columns, folded)} "
        "FROM articles a",
    )


def _indexed_values(row: str, columns: Sequence[str], folded: str) -> str:
    """The rowid and the indexed value of each column for the articles row ``row``."""
    return ", ".join([f"{row}.id", *(_spelled(_VALUES[c][0].format(row=row), folded) for c in columns)])


def _spelled(value: str, letters: str) -> str:
    for letter in letters:
        value = f"replace({value}, '{letter}', '{fold(letter)}')"
    return value


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: what autogenerate compares (everything but the index)."""
    return not (type_ in {"table", "column", "index"} and is_fts_object(name))


def is_fts_object(name: str | None) -> bool:
    """Alembic autogenerate must not propose dropping the index: FTS5's table and shadow tables on
    SQLite, the vector columns and their GIN indexes on PostgreSQL (db.pgfts)."""
    return bool(name) and str(name).startswith(("articles_fts", "fts_"))
