"""Keeping `search_document` in step with the source rows, one way only.

An `after_flush` listener on every ORM session re-indexes the registered objects that were
added, changed (in a watched attribute) or deleted, with the flush's own connection: the
index commits or rolls back with the change itself, and no service has to remember it.
Text changed with bulk SQL (`update(Idea)…`) bypasses the listener: run `flask reindex`.

SQLite: triggers from migration 0003 copy each row's terms into the FTS5 table. PostgreSQL:
the row carries its weighted tsvector, built here from the same terms.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, bindparam, cast, delete, event, insert, inspect, select, update
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from ideaboard.database import write_transaction
from ideaboard.models import SearchDocument
from ideaboard.models.base import utcnow
from ideaboard.search.documents import DOCUMENT_TYPES, DocumentType, type_for_model
from ideaboard.search.tokens import index_terms

FTS5_TABLE = "search_fts"      # made by migration 0003 with SQL, on SQLite only
MAX_POSITION = 16_383          # PostgreSQL's limit for a lexeme position
MAX_POSITIONS_PER_LEXEME = 255
# tsvector weights: A title, B tags, C body (see query.PG_WEIGHTS)
_FIELDS = (("title_terms", "A"), ("tag_terms", "B"), ("body_terms", "C"))


def alembic_include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic `include_name` hook: FTS5's virtual table and its shadow tables (search_fts,
    search_fts_data, _idx, _config, _docsize) are not models, so autogenerate and the
    models-versus-migrations check must neither compare nor drop them."""
    return not (type_ == "table" and name is not None
                and (name == FTS5_TABLE or name.startswith(FTS5_TABLE + "_")))


def tsvector_literal(row: dict[str, str]) -> str:
    """The row's terms as a tsvector literal with positions and weights, so PostgreSQL
    stores exactly the tokens made in Python whatever its own parser and locale."""
    positions: dict[str, list[str]] = {}
    position = 0
    for column, weight in _FIELDS:
        for term in row[column].split():
            position = min(position + 1, MAX_POSITION)
            found = positions.setdefault(term, [])
            if len(found) < MAX_POSITIONS_PER_LEXEME:
                found.append(f"{position}{weight}")
        position = min(position + 1, MAX_POSITION)  # no phrase spans two fields
    return " ".join("'{}':{}".format(term.replace("\\", "\\\\").replace("'", "''"),
                                     ",".join(dict.fromkeys(found)))
                    for term, found in positions.items())


def document_row(document_type: DocumentType, obj: Any) -> dict | None:
    """The `search_document` values for one source object, or None if it is not searchable."""
    text = document_type.text(obj)
    if text is None:
        return None
    return {
        "doc_type": document_type.name, "doc_id": obj.id,
        "idea_id": text.idea_id, "campaign_id": text.campaign_id,
        "title": text.title, "body": text.body,
        "title_terms": " ".join(index_terms(text.title)),
        "body_terms": " ".join(index_terms(text.body)),
        "tag_terms": " ".join(term for tag in text.tags for term in index_terms(tag)),
        "indexed_at": utcnow(),
    }


def _values(conn: Connection, row: dict) -> dict:
    if conn.dialect.name == "postgresql":
        return {**row, "terms_vector": cast(tsvector_literal(row), TSVECTOR)}
    return row


def write_document(conn: Connection, document_type: DocumentType, obj: Any) -> None:
    """Insert, update or remove the object's document."""
    row = document_row(document_type, obj)
    if row is None:
        remove_document(conn, document_type.name, obj.id)
        return
    updated = conn.execute(
        update(SearchDocument).where(SearchDocument.doc_type == document_type.name,
                                     SearchDocument.doc_id == obj.id)
        .values(_values(conn, row)))
    if updated.rowcount == 0:
        conn.execute(insert(SearchDocument).values(_values(conn, row)))


def remove_document(conn: Connection, doc_type: str, doc_id: int) -> None:
    conn.execute(delete(SearchDocument).where(SearchDocument.doc_type == doc_type,
                                              SearchDocument.doc_id == doc_id))


def reindex(session: Session, model: type, ids: Iterable[int]) -> None:
    """Rewrite the documents of rows a bulk UPDATE changed (the flush listener never sees
    those), e.g. the comments a merge moved to another idea."""
    document_type = type_for_model(model)
    ids = list(ids)
    if document_type is None or not ids:
        return
    conn = session.connection()
    for obj in session.scalars(select(model).where(model.id.in_(ids))
                               .execution_options(populate_existing=True)):
        write_document(conn, document_type, obj)


def _changed(obj: Any, watched: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in watched)


@event.listens_for(Session, "after_flush")
def _index_flushed_objects(session: Session, _flush_context) -> None:
    writes: list[tuple[DocumentType, Any]] = []
    removals: list[tuple[str, int]] = []
    for obj in session.new:
        document_type = type_for_model(type(obj))
        if document_type is not None:
            writes.append((document_type, obj))
    for obj in session.dirty:
        document_type = type_for_model(type(obj))
        if document_type is not None and _changed(obj, document_type.watched):
            writes.append((document_type, obj))
    for obj in session.deleted:
        document_type = type_for_model(type(obj))
        if document_type is not None:
            removals.append((document_type.name, obj.id))
    if not writes and not removals:
        return
    conn = session.connection()
    for document_type, obj in writes:
        write_document(conn, document_type, obj)
    for doc_type, doc_id in removals:
        remove_document(conn, doc_type, doc_id)


def _batches(session: Session, document_type: DocumentType,
             size: int) -> Iterator[list[dict]]:
    rows: list[dict] = []
    for obj in session.scalars(select(document_type.model)
                               .order_by(document_type.model.id)
                               .execution_options(yield_per=size)):
        row = document_row(document_type, obj)
        if row is not None:
            rows.append(row)
        if len(rows) >= size:
            yield rows
            rows = []
    if rows:
        yield rows


def rebuild_index(batch_size: int = 500) -> dict[str, int]:
    """Rebuild every search document from the source tables in one transaction (after an
    import or a restore); returns how many documents of each type were indexed."""
    counts: dict[str, int] = {}
    with write_transaction() as session:
        conn = session.connection()
        conn.execute(delete(SearchDocument))
        for document_type in DOCUMENT_TYPES.values():
            counts[document_type.name] = 0
            for rows in _batches(session, document_type, batch_size):
                if conn.dialect.name == "postgresql":
                    conn.execute(insert(SearchDocument).values(
                        terms_vector=cast(bindparam("vector"), TSVECTOR)),
                        [{**row, "vector": tsvector_literal(row)} for row in rows])
                else:
                    conn.execute(insert(SearchDocument), rows)
                counts[document_type.name] += len(rows)
        if conn.dialect.name == "sqlite":
            # Re-read the FTS5 index from search_document, whatever state it was in.
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return counts
