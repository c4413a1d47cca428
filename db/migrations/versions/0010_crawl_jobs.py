"""crawl jobs: the queue between the scheduler role and the crawler role

Revision ID: 0010
Revises: 0007

A new table and an index on ``sources.next_run`` (the scheduler's due
sources): no table rebuild, so the FTS triggers are untouched.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crawl_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('enqueued', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id')
    )
    op.create_index('ix_crawl_jobs_lease_until', 'crawl_jobs', ['lease_until'], unique=False)
    op.create_index('ix_sources_next_run', 'sources', ['next_run'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sources_next_run', table_name='sources')
    op.drop_index('ix_crawl_jobs_lease_until', table_name='crawl_jobs')
    op.drop_table('crawl_jobs')
