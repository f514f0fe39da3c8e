"""search: search documents with an FTS5 (SQLite) or tsvector/GIN (PostgreSQL) index; tag follows

Revision ID: 0003_search
Revises: 0002_review
Create Date: 2026-11-22 23:05:00.000000

`search_document` is filled by the application (ideaboard/search): new and edited content
is indexed as it is written. A database that already holds ideas when it is upgraded needs
`flask --app ideaboard reindex` once.

SQLite: `search_fts` is an FTS5 table over the token columns of `search_document` (external
content, rowid = search_document.id), kept in step by the three triggers below. Its virtual
and shadow tables (search_fts, search_fts_data, _idx, _config, _docsize) are not models.
PostgreSQL: `search_document.terms_vector` is a tsvector with a GIN index.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0003_search'
down_revision = '0002_review'
branch_labels = None
depends_on = None

FTS5_TABLE = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    title_terms, body_terms, tag_terms,
    content='search_document', content_rowid='id',
    tokenize='unicode61 remove_diacritics 0'
)"""
FTS5_TRIGGERS = [
    """CREATE TRIGGER search_document_after_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts (rowid, title_terms, body_terms, tag_terms)
        VALUES (new.id, new.title_terms, new.body_terms, new.tag_terms);
    END""",
    """CREATE TRIGGER search_document_after_delete AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts (search_fts, rowid, title_terms, body_terms, tag_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms, old.tag_terms);
    END""",
    """CREATE TRIGGER search_document_after_update
    AFTER UPDATE OF title_terms, body_terms, tag_terms ON search_document BEGIN
        INSERT INTO search_fts (search_fts, rowid, title_terms, body_terms, tag_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms, old.tag_terms);
        INSERT INTO search_fts (rowid, title_terms, body_terms, tag_terms)
        VALUES (new.id, new.title_terms, new.body_terms, new.tag_terms);
    END""",
]
FTS5_TRIGGER_NAMES = ["search_document_after_insert", "search_document_after_delete",
                      "search_document_after_update"]


def upgrade():
    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=20), nullable=False),
    sa.Column('doc_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_terms', sa.Text(), nullable=False),
    sa.Column('body_terms', sa.Text(), nullable=False),
    sa.Column('tag_terms', sa.Text(), nullable=False),
    sa.Column('terms_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('indexed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_search_document_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_search_document_idea_id_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('doc_type', 'doc_id', name=op.f('uq_search_document_doc_type_doc_id'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index('ix_search_document_idea', ['idea_id'], unique=False)
        batch_op.create_index('ix_search_document_terms_vector', ['terms_vector'], unique=False, postgresql_using='gin')

    op.create_table('tag_follow',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_tag_follow_tag_id_tag'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_tag_follow_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'tag_id', name=op.f('pk_tag_follow'))
    )
    with op.batch_alter_table('tag_follow', schema=None) as batch_op:
        batch_op.create_index('ix_tag_follow_tag', ['tag_id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        op.execute(FTS5_TABLE)
        for trigger in FTS5_TRIGGERS:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in FTS5_TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS search_fts')

    with op.batch_alter_table('tag_follow', schema=None) as batch_op:
        batch_op.drop_index('ix_tag_follow_tag')

    op.drop_table('tag_follow')
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index('ix_search_document_terms_vector', postgresql_using='gin')
        batch_op.drop_index('ix_search_document_idea')

    op.drop_table('search_document')
