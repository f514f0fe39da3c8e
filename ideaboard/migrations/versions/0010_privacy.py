"""privacy: sign-in to read, feed tokens, the anonymity window (public_at on posts), who
acted and why on inbox items

Revision ID: 0010_privacy
Revises: 0009_escalation_reasons
Create Date: 2026-12-03 09:00:00.000000

public_at starts equal to created_at for every existing post: posts made before this
migration keep their order (anonymous ones included, as before).
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_privacy'
down_revision = '0009_escalation_reasons'
branch_labels = None
depends_on = None

POSTS = ('idea', 'comment', 'critique', 'critique_reply')


def upgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_requires_sign_in', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('anonymity_window_minutes', sa.Integer(), nullable=False,
                                      server_default='60'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_token_version', sa.Integer(), nullable=False,
                                      server_default='0'))
    for table in POSTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('public_at', sa.DateTime(), nullable=True))
        op.execute(f'UPDATE {table} SET public_at = created_at')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('public_at', existing_type=sa.DateTime(), nullable=False)
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_new')
        batch_op.create_index('ix_idea_new', ['public_at', 'id'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_actor_id_user'), 'user',
                                    ['actor_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_index('ix_notification_user')
        batch_op.create_index('ix_notification_user', ['user_id', 'created_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user')
        batch_op.create_index('ix_notification_user', ['user_id', 'id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_notification_actor_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('detail')
        batch_op.drop_column('actor_id')
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_new')
        batch_op.create_index('ix_idea_new', ['created_at', 'id'], unique=False)
    for table in POSTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('public_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('feed_token_version')
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.drop_column('anonymity_window_minutes')
        batch_op.drop_column('read_requires_sign_in')
