"""PostgreSQL full-text search: unaccent, the newsmon configuration, the article vectors

Revision ID: 0007
Revises: 0006

PostgreSQL only (db.pgfts); SQLite's FTS5 index already exists since 0001.
"""

from __future__ import annotations

from alembic import op

from db import pgfts

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in pgfts.CREATE_STATEMENTS:
            op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in pgfts.DROP_STATEMENTS:
            op.get_bind().exec_driver_sql(statement)
