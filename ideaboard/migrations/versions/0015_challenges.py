"""challenges to decisions (challenge, challenge_cosign) and their settings; the setting
that restricts leaders' track record to leaders; the participation rollup for analytics

Revision ID: 0015_challenges
Revises: 0014_funding
Create Date: 2026-12-03 10:00:00.000000

One challenge in play per decision is a partial unique index (SQLite and PostgreSQL both
support `WHERE` on an index). The four new site_settings columns carry server defaults so
the existing settings row gets the documented defaults.
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_challenges'
down_revision = '0014_funding'
branch_labels = None
depends_on = None

IDEA_STATUSES = ('open', 'escalated', 'under_review', 'accepted', 'declined', 'needs_info',
                 'merged', 'in_progress', 'done')
CHALLENGE_STATUSES = ('open', 'reopened', 'upheld', 'overturned', 'expired', 'superseded',
                      'closed')
ACTIVE = "status IN ('open', 'reopened')"


def upgrade():
    op.create_table(
        'challenge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=16), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('decision_status', sa.Enum(*IDEA_STATUSES, name='idea_status',
                                             native_enum=False, create_constraint=True,
                                             length=20), nullable=False),
        sa.Column('decider_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('is_anonymous', sa.Boolean(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('evidence_html', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum(*CHALLENGE_STATUSES, name='challenge_status',
                                    native_enum=False, create_constraint=True, length=20),
                  nullable=False),
        sa.Column('cosigner_count', sa.Integer(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('reopened_at', sa.DateTime(), nullable=True),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('review_due_at', sa.DateTime(), nullable=True),
        sa.Column('prior_reason', sa.String(length=30), nullable=True),
        sa.Column('prior_note', sa.Text(), nullable=False),
        sa.Column('prior_escalated_at', sa.DateTime(), nullable=True),
        sa.Column('prior_escalated_by_id', sa.Integer(), nullable=True),
        sa.Column('prior_due_at', sa.DateTime(), nullable=True),
        sa.Column('answer_decision_id', sa.Integer(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.Column('close_reason', sa.Text(), nullable=False),
        sa.CheckConstraint('cosigner_count >= 0',
                           name=op.f('ck_challenge_cosigner_count_not_negative')),
        sa.CheckConstraint('threshold >= 1', name=op.f('ck_challenge_threshold_positive')),
        sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_challenge_idea_id_idea'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'],
                                name=op.f('fk_challenge_decision_id_decision'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decider_id'], ['user.id'],
                                name=op.f('fk_challenge_decider_id_user')),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_challenge_author_id_user')),
        sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'],
                                name=op.f('fk_challenge_reviewer_id_user')),
        sa.ForeignKeyConstraint(['prior_escalated_by_id'], ['user.id'],
                                name=op.f('fk_challenge_prior_escalated_by_id_user')),
        sa.ForeignKeyConstraint(['answer_decision_id'], ['decision.id'],
                                name=op.f('fk_challenge_answer_decision_id_decision')),
        sa.ForeignKeyConstraint(['ended_by_id'], ['user.id'],
                                name=op.f('fk_challenge_ended_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge')),
        sa.UniqueConstraint('public_id', name=op.f('uq_challenge_public_id')),
    )
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.create_index('ix_challenge_idea', ['idea_id', 'id'], unique=False)
        batch_op.create_index('ix_challenge_decision', ['decision_id'], unique=False)
        batch_op.create_index('ix_challenge_status_expires', ['status', 'expires_at'],
                              unique=False)
        batch_op.create_index('uq_challenge_active_decision', ['decision_id'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))

    op.create_table(
        'challenge_cosign',
        sa.Column('challenge_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'],
                                name=op.f('fk_challenge_cosign_challenge_id_challenge'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_challenge_cosign_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('challenge_id', 'user_id', name=op.f('pk_challenge_cosign')),
    )
    with op.batch_alter_table('challenge_cosign', schema=None) as batch_op:
        batch_op.create_index('ix_challenge_cosign_user', ['user_id', 'created_at'],
                              unique=False)

    op.create_table(
        'participation',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=40), nullable=False),
        sa.Column('quarter_start', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_participation_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'stage', 'quarter_start',
                                name=op.f('pk_participation')),
    )

    op.create_table(
        'participation_total',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('level', sa.String(length=20), nullable=True),
        sa.Column('stage', sa.String(length=40), nullable=False),
        sa.Column('quarter_start', sa.DateTime(), nullable=True),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('counted_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_total')),
    )

    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('challenge_min_cosigners', sa.Integer(), nullable=False,
                                      server_default='10'))
        batch_op.add_column(sa.Column('challenge_min_cosigners_percent', sa.Double(),
                                      nullable=True))
        batch_op.add_column(sa.Column('challenge_window_days', sa.Integer(), nullable=False,
                                      server_default='30'))
        batch_op.add_column(sa.Column('track_record_leaders_only', sa.Boolean(),
                                      nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.drop_column('track_record_leaders_only')
        batch_op.drop_column('challenge_window_days')
        batch_op.drop_column('challenge_min_cosigners_percent')
        batch_op.drop_column('challenge_min_cosigners')
    op.drop_table('participation_total')
    op.drop_table('participation')
    with op.batch_alter_table('challenge_cosign', schema=None) as batch_op:
        batch_op.drop_index('ix_challenge_cosign_user')
    op.drop_table('challenge_cosign')
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_index('uq_challenge_active_decision')
        batch_op.drop_index('ix_challenge_status_expires')
        batch_op.drop_index('ix_challenge_decision')
        batch_op.drop_index('ix_challenge_idea')
    op.drop_table('challenge')
