"""escalation.reason without a CHECK constraint, so new reasons (funded by colleagues,
challenged by colleagues) need no migration of their own

Revision ID: 0009_escalation_reasons
Revises: 0008_flag_critiques
Create Date: 2026-12-03 08:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_escalation_reasons'
down_revision = '0008_flag_critiques'
branch_labels = None
depends_on = None

OLD_REASONS = ('threshold_met', 'pulled_by_leader', 'raised_by_admin')


def upgrade():
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.alter_column(
            'reason',
            existing_type=sa.Enum(*OLD_REASONS, name='escalation_reason', native_enum=False,
                                  create_constraint=True, length=20),
            type_=sa.String(length=30), existing_nullable=False)  # drops the Enum's CHECK


def downgrade():
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.alter_column(
            'reason', existing_type=sa.String(length=30),
            type_=sa.Enum(*OLD_REASONS, name='escalation_reason', native_enum=False,
                          create_constraint=True, length=20),
            existing_nullable=False)
