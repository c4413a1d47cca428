"""json names: organisations and events stored before 0012 get their letters back

Revision ID: 0012
Revises: 0011

JSON columns used to be written with non-ASCII letters escaped (``"\\u00d8rsted"``).
On SQLite the full-text index reads ``orgs`` and ``events`` as text, so
``org:Ørsted`` and ``org:"Société Générale"`` found nothing. Rows holding an
escape are written again as plain UTF-8 JSON; the index's update trigger
re-indexes each one. PostgreSQL stores JSON decoded already: nothing to do.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ("orgs", "events")


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for column in COLUMNS:
        rows = connection.execute(
            sa.text(f"SELECT id, {column} FROM articles WHERE instr({column}, '\\u') > 0")
        ).all()
        for article_id, value in rows:
            written = json.dumps(json.loads(value), ensure_ascii=False)
            connection.execute(
                sa.text(f"UPDATE articles SET {column} = :value WHERE id = :id"),
                {"value": written, "id": article_id},
            )


def downgrade() -> None:
    """Nothing to undo: escaped and plain JSON read back the same."""
