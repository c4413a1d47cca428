"""article pages retried after transient failures; articles stored from the feed are marked

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # A plain ADD COLUMN: batch_alter_table would recreate `articles` and drop the FTS5 triggers.
    op.add_column("articles", sa.Column("text_from", sa.String(length=8), server_default="page", nullable=False))
    op.create_table(
        "pending_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("keys", JSON, nullable=False),
        sa.Column("entry", JSON, nullable=False),
        sa.Column("first_failed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "url", name="uq_pending_pages_source_url"),
    )
    op.create_index("ix_pending_pages_source_id", "pending_pages", ["source_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pending_pages_source_id", table_name="pending_pages")
    op.drop_table("pending_pages")
    # SQLite >= 3.35 drops a column in place, leaving the FTS5 triggers alone.
    op.drop_column("articles", "text_from")
