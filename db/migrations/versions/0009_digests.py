"""digests: deliveries held by a rule's policy, and the one message per (rule, channel, window) they go out in

Revision ID: 0009
Revises: 0008

Plain ``ADD COLUMN`` on ``deliveries`` (no table rebuild); ``articles`` and its
FTS triggers are untouched.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rule', 'channel', 'due', name='uq_digests_rule_channel_due')
    )
    op.create_index('ix_digests_due', 'digests', ['status', 'next_attempt'], unique=False)
    op.add_column('deliveries', sa.Column('hold_until', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a foreign key in place; Alembic only knows how to by batch mode.
        op.execute("ALTER TABLE deliveries ADD COLUMN digest_id INTEGER "
                   "REFERENCES digests (id) ON DELETE SET NULL")
    else:
        op.add_column('deliveries', sa.Column('digest_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_deliveries_digest_id', 'deliveries', 'digests', ['digest_id'], ['id'],
                              ondelete='SET NULL')
    op.create_index('ix_deliveries_digest_id', 'deliveries', ['digest_id'], unique=False)
    op.create_index('ix_deliveries_channel_created', 'deliveries', ['channel', 'created'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_deliveries_channel_created', table_name='deliveries')
    op.drop_index('ix_deliveries_digest_id', table_name='deliveries')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('fk_deliveries_digest_id', 'deliveries', type_='foreignkey')
    op.drop_column('deliveries', 'digest_id')
    op.drop_column('deliveries', 'hold_until')
    op.drop_index('ix_digests_due', table_name='digests')
    op.drop_table('digests')
