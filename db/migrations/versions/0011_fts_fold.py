"""fts fold: the SQLite index gets ß, œ, æ… spelt out, as the query and PostgreSQL have them

Revision ID: 0011
Revises: 0010

SQLite only (PostgreSQL's ``unaccent`` already folds them). The index is
dropped and made again with the triggers of ``db.fts`` (the letters of
``FOLDED_LETTERS`` spelt out by ``replace()``), then every article is
re-indexed: an index where "Straße" was the word ``straße`` cannot be
patched row by row. ``articles`` itself is untouched.
"""

from __future__ import annotations

from alembic import op

from db import fts

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _recreate_index(fts.FOLDED_LETTERS)


def downgrade() -> None:
    _recreate_index("")


def _recreate_index(folded: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    statements = (
        *fts.DROP_STATEMENTS,
        *fts.create_statements(folded=folded),
        *fts.rebuild_statements(folded=folded),
    )
    for statement in statements:
        op.execute(statement)
