"""audit targets as long as the longest slug they name (campaign slugs run to 57 characters);
a partial index on deleted ideas, so the home page counts live ideas without reading them all

Revision ID: 0007_audit_target_length
Revises: 0006_plans
Create Date: 2026-11-23 01:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_audit_target_length'
down_revision = '0006_plans'
branch_labels = None
depends_on = None


AUDIT_TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete")
REFUSAL = "audit_entry is append-only: entries are never changed or deleted"


def restore_audit_triggers():
    """On SQLite a batch alter rebuilds the table and loses 0005's append-only triggers."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, event in zip(AUDIT_TRIGGERS, ("UPDATE", "DELETE"), strict=True):
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON audit_entry "
                   f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('target_id', existing_type=sa.String(length=40),
                              type_=sa.String(length=80), existing_nullable=False)
    restore_audit_triggers()
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index('ix_idea_deleted', ['deleted_at'], unique=False,
                              sqlite_where=sa.text('deleted_at IS NOT NULL'),
                              postgresql_where=sa.text('deleted_at IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_deleted')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('target_id', existing_type=sa.String(length=80),
                              type_=sa.String(length=40), existing_nullable=False)
    restore_audit_triggers()
