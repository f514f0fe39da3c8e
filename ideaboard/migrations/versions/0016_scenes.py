"""the four scenes finished: a consultation's winner, the author's answer to "needs
information", and the review queue's newest-first index

Revision ID: 0016_scenes
Revises: 0015_challenges
Create Date: 2026-12-03 14:00:00.000000

`campaign.winner_id` points at an idea while `idea.campaign_id` points at the campaign, so
the foreign key is created after the column (use_alter in the model).
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_scenes'
down_revision = '0015_challenges'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('winner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_campaign_winner_id_idea'), 'idea',
                                    ['winner_id'], ['id'], ondelete='SET NULL')

    op.create_table(
        'info_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('is_anonymous', sa.Boolean(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('public_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_info_answer_author_id_user')),
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'],
                                name=op.f('fk_info_answer_decision_id_decision'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['idea_id'], ['idea.id'],
                                name=op.f('fk_info_answer_idea_id_idea'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_info_answer')),
    )
    with op.batch_alter_table('info_answer', schema=None) as batch_op:
        batch_op.create_index('ix_info_answer_idea', ['idea_id', 'id'], unique=False)

    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index('ix_escalation_created', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index('ix_escalation_created')

    with op.batch_alter_table('info_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_info_answer_idea')
    op.drop_table('info_answer')

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_winner_id_idea'), type_='foreignkey')
        batch_op.drop_column('winner_id')
