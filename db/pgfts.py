"""The PostgreSQL full-text index over articles: two stored ``tsvector`` columns kept by triggers.

``fts_words`` holds the article's words with a weight per part — A title,
B lead, C summary, D text — so a field is a weight mask (``title:`` is
``:A``, ``lead:`` ``:AB``, a bare term ``:ACD``) and ``ts_rank_cd`` ranks a
title above a lead above a summary above the text. ``fts_facts`` holds what
is known about the article — A source name, B language, C event types,
D organisations — in a vector of its own, so a bare term can never find a
source name or a language code.

Both go through the text search configuration ``newsmon``: ``simple`` (no
stemming, like SQLite's unicode61) behind ``unaccent``, which folds Œuvre to
oeuvre and Straße to strasse as ``db.textfold`` does on the query side.
``unaccent()`` is not immutable, so a generated column cannot call it
(STACK-NOTES): triggers fill the columns. Before parsing, punctuation
becomes space, so "GPT-4", "A.I." and "d’OpenAI" are split into plain words
as unicode61 and ``db.textfold`` split them (PostgreSQL's parser would keep
"gpt-4" whole beside its parts, and shift every later position). Empty
positions between the fields keep a phrase or a NEAR inside one field.
"""

from __future__ import annotations

CONFIG = "newsmon"
WORDS_COLUMN, FACTS_COLUMN = "fts_words", "fts_facts"
# Weight masks of the words vector per field; a term without a field: title, summary and text.
BODY_WEIGHTS = "ACD"
FIELD_WEIGHTS = {"title": "A", "lead": "AB", "source": "A", "lang": "B", "event": "C", "org": "D"}
FACT_FIELDS = frozenset({"source", "lang", "event", "org"})
# NEAR/n is compiled to one exact distance per n (db.search_pg): beyond this, a query grows too big.
MAX_NEAR = 100
# Positions the words vector leaves empty between two fields, so that neither a phrase nor a NEAR
# runs from the end of one field into the next (FTS5 keeps columns apart). "-" is never a lexeme of
# an article's words, whose punctuation became space.
_GAP = f"'-:{2 * MAX_NEAR}'::tsvector"
# ts_rank_cd weights, in the order {D, C, B, A}: text 1, summary 3, lead 2, title 10 as bm25 on SQLite.
RANK_WEIGHTS = "{0.1, 0.3, 0.2, 1.0}"

# ASCII punctuation, Latin-1 punctuation (« » ¿ ·), general punctuation (’ “ — …), currency
# signs and CJK punctuation: explicit ranges, because [[:punct:]] is ASCII-only in the C locale.
_SEPARATORS = r"[[:punct:][:space:]\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f\u20a0-\u20cf\u3000-\u303f]+"
# A tsvector holds at most 1 MB and numbers positions up to 16,383: the first 100,000 characters of
# each field (some 15,000 words) are indexed, so that no page, however hostile, makes an article
# impossible to store.
MAX_INDEXED_CHARS = 100_000
_TOKEN_TYPES = (
    "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart"
)
_WORDS_WATCHED = "title, lead, summary, text"
_FACTS_WATCHED = "source_id, language, event_types, orgs"

CREATE_STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {_TOKEN_TYPES} WITH unaccent, simple",
    f"""CREATE FUNCTION newsmon_words(body text) RETURNS tsvector LANGUAGE sql STABLE AS $$
        SELECT to_tsvector('{CONFIG}',
            regexp_replace(left(coalesce(body, ''), {MAX_INDEXED_CHARS}), '{_SEPARATORS}', ' ', 'g'))
    $$""",
    f"ALTER TABLE articles ADD COLUMN {WORDS_COLUMN} tsvector, ADD COLUMN {FACTS_COLUMN} tsvector",
    f"""CREATE FUNCTION articles_fts_words_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.{WORDS_COLUMN} := setweight(newsmon_words(NEW.title), 'A') || {_GAP}
            || setweight(newsmon_words(NEW.lead), 'B') || {_GAP}
            || setweight(newsmon_words(NEW.summary), 'C') || {_GAP}
            || setweight(newsmon_words(NEW.text), 'D');
        RETURN NEW;
    END $$""",
    f"""CREATE FUNCTION articles_fts_facts_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.{FACTS_COLUMN} := setweight(newsmon_words(
                (SELECT name FROM sources WHERE id = NEW.source_id)), 'A')
            || setweight(newsmon_words(NEW.language), 'B')
            || setweight(newsmon_words(NEW.event_types::text), 'C')
            || setweight(newsmon_words(NEW.orgs::text), 'D');
        RETURN NEW;
    END $$""",
    # Only a change to an indexed column re-indexes: setting a story must not rewrite the vectors,
    # nor event detection's facts re-read 5 KB of text.
    f"""CREATE TRIGGER articles_fts_words_fill BEFORE INSERT OR UPDATE OF {_WORDS_WATCHED} ON articles
        FOR EACH ROW EXECUTE FUNCTION articles_fts_words_fill()""",
    f"""CREATE TRIGGER articles_fts_facts_fill BEFORE INSERT OR UPDATE OF {_FACTS_WATCHED} ON articles
        FOR EACH ROW EXECUTE FUNCTION articles_fts_facts_fill()""",
    "UPDATE articles SET title = title, source_id = source_id",
    f"CREATE INDEX articles_fts_words ON articles USING gin ({WORDS_COLUMN})",
    f"CREATE INDEX articles_fts_facts ON articles USING gin ({FACTS_COLUMN})",
)

DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS articles_fts_words_fill ON articles",
    "DROP TRIGGER IF EXISTS articles_fts_facts_fill ON articles",
    "DROP FUNCTION IF EXISTS articles_fts_words_fill()",
    "DROP FUNCTION IF EXISTS articles_fts_facts_fill()",
    f"ALTER TABLE articles DROP COLUMN IF EXISTS {WORDS_COLUMN}, DROP COLUMN IF EXISTS {FACTS_COLUMN}",
    "DROP FUNCTION IF EXISTS newsmon_words(text)",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
)
