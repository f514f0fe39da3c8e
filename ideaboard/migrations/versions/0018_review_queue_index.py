"""the review queue read in index order: a partial index on the ideas awaiting an answer,
soonest due first, so a page of the queue is a LIMIT on an index instead of a sort of the
whole queue (issue 17)

Revision ID: 0018_review_queue_index
Revises: 0017_integrations
Create Date: 2026-12-03 17:00:00.000000

The condition is the queue's (ideaboard.models.ideas.in_review_queue_sql), written out with
literal values: SQLite uses a partial index only for a query that repeats its condition.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_review_queue_index'
down_revision = '0017_integrations'
branch_labels = None
depends_on = None

IN_QUEUE = "status IN ('escalated', 'under_review') AND deleted_at IS NULL"


def upgrade():
    op.create_index('ix_idea_review_queue', 'idea', ['review_due_at', 'id'], unique=False,
                    sqlite_where=sa.text(IN_QUEUE), postgresql_where=sa.text(IN_QUEUE))


def downgrade():
    op.drop_index('ix_idea_review_queue', table_name='idea')
