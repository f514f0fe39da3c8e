"""identity: verified e-mail addresses, single-use account links, single sign-on identities

Revision ID: 0011_identity
Revises: 0010_privacy
Create Date: 2026-12-03 08:30:00.000000

user.email_verified_at (existing accounts count as verified: set to created_at),
user.password_changed_at, account_token (verification and reset links),
external_identity (OpenID Connect issuer + subject → user), outbox_message.account_token_id.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_identity'
down_revision = '0010_privacy'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE "user" SET email_verified_at = created_at')

    op.create_table(
        'account_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('verify_email', 'reset_password', name='tokenpurpose',
                                     native_enum=False, create_constraint=False, length=30),
                  nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_account_token_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    )
    op.create_index(op.f('ix_account_token_user_id'), 'account_token', ['user_id'])

    op.create_table(
        'external_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_external_identity_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identity')),
        sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_external_identity_issuer_subject')),
    )
    op.create_index(op.f('ix_external_identity_user_id'), 'external_identity', ['user_id'])

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_token_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_account_token_id_account_token'),
                                    'account_token', ['account_token_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_outbox_message_account_token_id_account_token'), type_='foreignkey')
        batch_op.drop_column('account_token_id')
    op.drop_index(op.f('ix_external_identity_user_id'), table_name='external_identity')
    op.drop_table('external_identity')
    op.drop_index(op.f('ix_account_token_user_id'), table_name='account_token')
    op.drop_table('account_token')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('email_verified_at')
