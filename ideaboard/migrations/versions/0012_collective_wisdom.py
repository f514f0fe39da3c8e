"""collective wisdom (issue 16): the broad-support score on ideas (with the time of its fit
and an index for the Common ground list), the escalation rule's optional broad-support
clause, and pairwise comparisons (a campaign switch, each idea's comparison counter and the
choices themselves, one per person per pair)

Revision ID: 0012_collective_wisdom
Revises: 0011_identity
Create Date: 2026-12-03 08:14:45.242472

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_collective_wisdom'
down_revision = '0011_identity'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pairwise_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('first_idea_id', sa.Integer(), nullable=False),
    sa.Column('second_idea_id', sa.Integer(), nullable=False),
    sa.Column('winner_idea_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('first_idea_id < second_idea_id', name=op.f('ck_pairwise_choice_pair_in_order')),
    sa.CheckConstraint('winner_idea_id IS NULL OR winner_idea_id = first_idea_id OR winner_idea_id = second_idea_id', name=op.f('ck_pairwise_choice_winner_in_pair')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_pairwise_choice_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_idea_id'], ['idea.id'], name=op.f('fk_pairwise_choice_first_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_idea_id'], ['idea.id'], name=op.f('fk_pairwise_choice_second_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_pairwise_choice_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['winner_idea_id'], ['idea.id'], name=op.f('fk_pairwise_choice_winner_idea_id_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairwise_choice')),
    sa.UniqueConstraint('user_id', 'first_idea_id', 'second_idea_id', name=op.f('uq_pairwise_choice_user_id_first_idea_id_second_idea_id'))
    )
    with op.batch_alter_table('pairwise_choice', schema=None) as batch_op:
        batch_op.create_index('ix_pairwise_choice_campaign_user', ['campaign_id', 'user_id'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pairwise_enabled', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('broad_support', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('broad_support_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('comparison_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_idea_broad_support', ['broad_support', 'id'], unique=False)

    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_min_broad_support', sa.Double(), nullable=True))



def downgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.drop_column('escalation_min_broad_support')

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_broad_support')
        batch_op.drop_column('comparison_count')
        batch_op.drop_column('broad_support_at')
        batch_op.drop_column('broad_support')

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('pairwise_enabled')

    with op.batch_alter_table('pairwise_choice', schema=None) as batch_op:
        batch_op.drop_index('ix_pairwise_choice_campaign_user')

    op.drop_table('pairwise_choice')
