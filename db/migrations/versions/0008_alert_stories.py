"""alerts per story: alerts.story_id and one alert per (rule, story)

Revision ID: 0008
Revises: 0007

The unique index on (rule, story_id) is what keeps a story to one alert per
rule when several writers file its articles at once (PostgreSQL); NULLs are
distinct in it, so an article in no story keeps one alert per (rule, article).
Alerts raised before stories were filed keep a NULL story_id.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a foreign key in place; Alembic only knows how to by batch mode.
        op.execute("ALTER TABLE alerts ADD COLUMN story_id INTEGER "
                   "REFERENCES stories (id) ON DELETE SET NULL")
    else:
        op.add_column('alerts', sa.Column('story_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_alerts_story_id', 'alerts', 'stories', ['story_id'], ['id'],
                              ondelete='SET NULL')
    op.create_index('uq_alerts_rule_story', 'alerts', ['rule', 'story_id'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_alerts_rule_story', table_name='alerts')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('fk_alerts_story_id', 'alerts', type_='foreignkey')
    op.drop_column('alerts', 'story_id')
