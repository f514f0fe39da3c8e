"""flags and moderation of plan critiques: flag.critique_id, critique.hidden_at,
moderation_notice.critique_id (idea_id becomes optional), content_revision.critique_id

Revision ID: 0008_flag_critiques
Revises: 0007_audit_target_length
Create Date: 2026-11-23 02:10:00.000000

The one-target CHECK constraints of flag and content_revision now count three targets.
Batch mode recreates these tables on SQLite; they carry no triggers.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_flag_critiques'
down_revision = '0007_audit_target_length'
branch_labels = None
depends_on = None


TWO_TARGETS = "(idea_id IS NULL) <> (comment_id IS NULL)"
THREE_TARGETS = ("(CASE WHEN idea_id IS NULL THEN 0 ELSE 1 END)"
                 " + (CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END)"
                 " + (CASE WHEN critique_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    with op.batch_alter_table('critique', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('critique_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_flag_critique_id_critique'), 'critique',
                                    ['critique_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint(batch_op.f('uq_flag_critique_id_user_id'),
                                          ['critique_id', 'user_id'])
        batch_op.drop_constraint(batch_op.f('ck_flag_one_target'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_flag_one_target'), THREE_TARGETS)

    with op.batch_alter_table('content_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('critique_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_content_revision_critique_id_critique'),
                                    'critique', ['critique_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_content_revision_critique_id'), ['critique_id'],
                              unique=False)
        batch_op.drop_constraint(batch_op.f('ck_content_revision_one_target'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_content_revision_one_target'),
                                         THREE_TARGETS)

    with op.batch_alter_table('moderation_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('critique_id', sa.Integer(), nullable=True))
        batch_op.alter_column('idea_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_moderation_notice_critique_id_critique'),
                                    'critique', ['critique_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_moderation_notice_critique', ['critique_id', 'user_id'],
                              unique=False)


def downgrade():
    # Rows about critiques cannot be expressed in the older schema.
    op.execute("DELETE FROM moderation_notice WHERE critique_id IS NOT NULL")
    op.execute("DELETE FROM content_revision WHERE critique_id IS NOT NULL")
    op.execute("DELETE FROM flag WHERE critique_id IS NOT NULL")

    with op.batch_alter_table('moderation_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_notice_critique')
        batch_op.drop_constraint(batch_op.f('fk_moderation_notice_critique_id_critique'),
                                 type_='foreignkey')
        batch_op.alter_column('idea_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('critique_id')

    with op.batch_alter_table('content_revision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_content_revision_one_target'), type_='check')
        batch_op.drop_index(batch_op.f('ix_content_revision_critique_id'))
        batch_op.drop_constraint(batch_op.f('fk_content_revision_critique_id_critique'),
                                 type_='foreignkey')
        batch_op.drop_column('critique_id')
        batch_op.create_check_constraint(batch_op.f('ck_content_revision_one_target'),
                                         TWO_TARGETS)

    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_flag_one_target'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_flag_critique_id_user_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_flag_critique_id_critique'), type_='foreignkey')
        batch_op.drop_column('critique_id')
        batch_op.create_check_constraint(batch_op.f('ck_flag_one_target'), TWO_TARGETS)

    with op.batch_alter_table('critique', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')
