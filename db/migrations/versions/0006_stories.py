"""stories: the same event reported by several articles

Revision ID: 0006
Revises: 0005

Plain ``op.add_column`` on ``articles``: ``batch_alter_table`` would recreate
the table and silently drop its FTS5 sync triggers.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('articles', sa.Integer(), nullable=False),
    sa.Column('outlets', JSON, nullable=False),
    sa.Column('languages', JSON, nullable=False),
    sa.Column('orgs', JSON, nullable=False),
    sa.Column('events', JSON, nullable=False),
    sa.Column('amount', JSON, nullable=True),
    sa.Column('amounts_usd', JSON, nullable=False),
    sa.Column('centroid', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_stories_last_seen', 'stories', ['last_seen'], unique=False)
    op.create_table('story_keys',
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', 'story_id')
    )
    op.create_index('ix_story_keys_story_id', 'story_keys', ['story_id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a foreign key in place; Alembic only knows how to by batch mode.
        op.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER "
                   "REFERENCES stories (id) ON DELETE SET NULL")
    else:
        op.add_column('articles', sa.Column('story_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_articles_story_id', 'articles', 'stories', ['story_id'], ['id'],
                              ondelete='SET NULL')
    op.create_index('ix_articles_story_id', 'articles', ['story_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_articles_story_id', table_name='articles')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('fk_articles_story_id', 'articles', type_='foreignkey')
    # SQLite >= 3.35 drops a column in place (the FTS triggers survive); it refuses while the column
    # is indexed or a foreign key, hence the index first.
    op.drop_column('articles', 'story_id')
    op.drop_index('ix_story_keys_story_id', table_name='story_keys')
    op.drop_table('story_keys')
    op.drop_index('ix_stories_last_seen', table_name='stories')
    op.drop_table('stories')
