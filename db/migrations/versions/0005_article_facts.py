"""article facts: events, organisations and amounts, searchable

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from db import fts

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

def upgrade() -> None:
    # Plain ADD COLUMN: a batch (copy-and-move) of `articles` would drop the FTS triggers.
    op.add_column('articles', sa.Column('events', _JSON, nullable=False, server_default='[]'))
    op.add_column('articles', sa.Column('event_types', _JSON, nullable=False, server_default='[]'))
    op.add_column('articles', sa.Column('orgs', _JSON, nullable=False, server_default='[]'))
    op.add_column('articles', sa.Column('amounts', _JSON, nullable=False, server_default='[]'))
    op.add_column('articles', sa.Column('amount_usd', sa.Float(), nullable=True))
    op.create_index('ix_articles_amount_usd', 'articles', ['amount_usd'])
    _recreate_index(fts.FTS_COLUMNS)


def downgrade() -> None:
    _recreate_index(fts.FIRST_COLUMNS)
    op.drop_index('ix_articles_amount_usd', 'articles')
    for column in ('amount_usd', 'amounts', 'orgs', 'event_types', 'events'):
        op.drop_column('articles', column)


def _recreate_index(columns: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in fts.DROP_STATEMENTS:
        op.execute(statement)
    # As this revision made it: no letter spelt out (0011 spells them).
    for statement in (*fts.create_statements(columns, folded=""), *fts.rebuild_statements(columns, folded="")):
        op.execute(statement)
