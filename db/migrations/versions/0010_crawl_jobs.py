"""crawl jobs: the schedule and the job queue of the scheduler and crawler roles

Revision ID: 0010
Revises: 0009

A new table; ``sources`` is untouched. On PostgreSQL the table leaves half of
each page free, so that a tick's updates stay on their page (HOT updates:
no index to touch).
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crawl_jobs',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('next_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('every_seconds', sa.Float(), nullable=True),
    sa.Column('jitter_seconds', sa.Float(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_id')
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE crawl_jobs SET (fillfactor = 50)')


def downgrade() -> None:
    op.drop_table('crawl_jobs')
