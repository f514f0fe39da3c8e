"""Keeping `search_document` in step with the source rows, one way only.

An `after_flush` listener on every ORM session re-indexes the registered objects that were
added, changed (in a watched attribute) or deleted, with the flush's own connection: the
index commits or rolls back with the change itself, and no service has to remember it.
Bulk ORM statements (`update(Idea)…values(hidden_at=…)`) bypass the flush; a
`do_orm_execute` listener catches those that touch indexed text or visibility. Rows changed
with SQL outside the ORM session bypass both: run `flask reindex`.

Each document carries a `visible` flag, set from the source tables by each type's one
visibility rule (documents.py) whenever the listener writes it or the rule's inputs change.
SQLite: triggers from migration 0011 copy the terms of visible documents only into the FTS5
table. PostgreSQL: the row carries its weighted tsvector, built here from the same terms,
under a GIN index restricted to visible rows.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    cast,
    delete,
    event,
    false,
    insert,
    inspect,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import ORMExecuteState, Session

from ideaboard.database import write_transaction
from ideaboard.models import Idea, SearchDocument
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
    """The row's terms as a tsvector literal with weights, so PostgreSQL stores exactly the
    tokens made in Python whatever its own parser and locale. Queries never use positions
    (no phrases), so PostgreSQL's caps on them (16,383; 256 per lexeme) lose nothing: every
    word of a post of any length is found, exactly as on SQLite."""
    positions: dict[str, list[str]] = {}
    position = 0
    for column, weight in _FIELDS:
        for term in row[column].split():
            position = min(position + 1, MAX_POSITION)
            found = positions.setdefault(term, [])
            if len(found) < MAX_POSITIONS_PER_LEXEME:
                found.append(f"{position}{weight}")
    return " ".join("'{}':{}".format(term.replace("\\", "\\\\").replace("'", "''"),
                                     ",".join(dict.fromkeys(found)))
                    for term, found in positions.items())


def document_row(document_type: DocumentType, obj: Any) -> dict | None:
    """The `search_document` values for one source object, or None if it is not searchable.
    `visible` is set from the source tables by `refresh_visibility` (it may depend on other
    rows, such as a comment's idea)."""
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
    """Insert, update or remove the object's document (its visibility flag follows with
    `refresh_visibility`)."""
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
def _flag_values(document_type: DocumentType) -> dict:
    doc = SearchDocument
    values: dict = {"visible": case((document_type.visible(doc.doc_id), true()), else_=false())}
    if document_type.in_idea:  # a comment is in its idea's campaign
        values["campaign_id"] = (select(Idea.campaign_id).where(Idea.id == doc.idea_id)
                                 .scalar_subquery())
    return values


def refresh_visibility(conn: Connection, document_type: DocumentType,
                       doc_ids: Iterable[int] | None = None) -> None:
    """Set the `visible` flag of the type's documents (all of them, or those of `doc_ids`)
    from the source tables, by the type's one visibility rule; for ideas, also the flags and
    campaign of the documents inside them (their comments)."""
    doc = SearchDocument
    ids = None if doc_ids is None else sorted(set(doc_ids))
    if ids == []:
        return
    for chunk in ([None] if ids is None else _chunks(ids)):
        where = [doc.doc_type == document_type.name]
        if chunk is not None:
            where.append(doc.doc_id.in_(chunk))
        conn.execute(update(doc).where(*where).values(_flag_values(document_type)))
        if document_type.model is not Idea or chunk is None:
            continue
        for inside in DOCUMENT_TYPES.values():
            if inside.in_idea:
                conn.execute(update(doc).where(doc.doc_type == inside.name,
                                               doc.idea_id.in_(chunk))
                             .values(_flag_values(inside)))


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _changed(obj: Any, watched: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in watched)


@event.listens_for(Session, "after_flush")
def _index_flushed_objects(session: Session, _flush_context) -> None:
    writes: list[tuple[DocumentType, Any]] = []
    flags: dict[str, tuple[DocumentType, set[int]]] = {}
    removals: list[tuple[str, int]] = []
    for obj in session.new:
        document_type = type_for_model(type(obj))
        if document_type is not None:
            writes.append((document_type, obj))
    for obj in session.dirty:
        document_type = type_for_model(type(obj))
        if document_type is None:
            continue
        if _changed(obj, document_type.watched):
            writes.append((document_type, obj))
        elif _changed(obj, document_type.shown_by):
            flags.setdefault(document_type.name, (document_type, set()))[1].add(obj.id)
    for obj in session.deleted:
        document_type = type_for_model(type(obj))
        if document_type is not None:
            removals.append((document_type.name, obj.id))
    if not writes and not removals and not flags:
        return
    conn = session.connection()
    for document_type, obj in writes:
        write_document(conn, document_type, obj)
        flags.setdefault(document_type.name, (document_type, set()))[1].add(obj.id)
    for doc_type, doc_id in removals:
        remove_document(conn, doc_type, doc_id)
    for document_type, ids in flags.values():
        refresh_visibility(conn, document_type, ids)


def _updated_keys(state: ORMExecuteState) -> set[str]:
    values = state.statement._values  # the SET clause of update(Model).values(...)
    if values is not None:
        return {getattr(key, "key", key) for key in values}
    parameters = state.parameters
    rows = parameters if isinstance(parameters, list) else [parameters or {}]
    return {key for row in rows for key in row}


@event.listens_for(Session, "do_orm_execute")
def _index_bulk_changes(state: ORMExecuteState) -> Any:
    """The same for ORM bulk statements (`update(Idea).where(…).values(hidden_at=…)`,
    `delete(Section)…`), which bypass the flush: the rows they touch are re-indexed (text)
    or re-flagged (visibility) in the same transaction. Statements that touch nothing the
    index holds (vote counters) pass through untouched."""
    if not (state.is_update or state.is_delete):
        return None
    mapper = state.bind_mapper
    document_type = type_for_model(mapper.class_) if mapper is not None else None
    if document_type is None:
        return None
    rewrite = False
    if state.is_update:
        keys = _updated_keys(state)
        rewrite = bool(keys & document_type.watched)
        if not rewrite and not keys & document_type.shown_by:
            return None
    model, session = document_type.model, state.session
    criteria = state.statement.whereclause
    if criteria is None and isinstance(state.parameters, list):  # bulk update by primary key
        ids = [row["id"] for row in state.parameters if "id" in row]
    else:
        ids = list(session.scalars(select(model.id).where(criteria) if criteria is not None
                                   else select(model.id)))
    result = state.invoke_statement()
    if not ids:
        return result
    conn = session.connection()
    if state.is_delete:
        for chunk in _chunks(ids):
            conn.execute(delete(SearchDocument).where(
                SearchDocument.doc_type == document_type.name,
                SearchDocument.doc_id.in_(chunk)))
        return result
    if rewrite:
        for chunk in _chunks(ids):
            for obj in session.scalars(select(model).where(model.id.in_(chunk))
                                       .execution_options(populate_existing=True)):
                write_document(conn, document_type, obj)
    refresh_visibility(conn, document_type, ids)
    return result


def _batches_oldest_first(session: Session, size: int) -> Iterator[list[dict]]:
    """Every searchable row of every type as document rows, oldest first, in batches: the
    documents' ids then follow the order content was written, as they do when the listener
    indexes it, and a search ranks the newest matches (query.RANKED_CANDIDATES)."""
    types = list(DOCUMENT_TYPES.values())
    keys = sorted((created_at, n, row_id) for n, document_type in enumerate(types)
                  for row_id, created_at in session.execute(
                      select(document_type.model.id, document_type.model.created_at)))
    for chunk in (keys[start:start + size] for start in range(0, len(keys), size)):
        loaded: dict[tuple[int, int], Any] = {}
        for n, document_type in enumerate(types):
            ids = [row_id for _created, kind, row_id in chunk if kind == n]
            if ids:
                model = document_type.model
                loaded.update(((n, obj.id), obj) for obj in session.scalars(
                    select(model).where(model.id.in_(ids))))
        rows = (document_row(types[n], loaded[(n, row_id)]) for _created, n, row_id in chunk
                if (n, row_id) in loaded)
        yield [row for row in rows if row is not None]


def rebuild_index(batch_size: int = 500) -> dict[str, int]:
    """Rebuild every search document from the source tables in one transaction (after an
    import, a restore or an upgrade); returns how many documents of each type were indexed."""
    with write_transaction() as session:
        return index_everything(session.connection(), session, batch_size)


def index_everything(conn: Connection, session: Session, batch_size: int = 500) -> dict[str, int]:
    """Replace the whole index: documents are written in batches, oldest first (unflagged,
    so the FTS5 triggers skip them), then each type's visibility is set in one statement,
    which puts the visible ones into the FTS5 table or the partial GIN index."""
    conn.execute(delete(SearchDocument))
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    counts = dict.fromkeys(DOCUMENT_TYPES, 0)
    for rows in _batches_oldest_first(session, batch_size):
        insert_documents(conn, rows)
        for row in rows:
            counts[row["doc_type"]] += 1
    for document_type in DOCUMENT_TYPES.values():
        refresh_visibility(conn, document_type)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return counts


def insert_documents(conn: Connection, rows: list[dict]) -> None:
    """Insert new documents in one executemany, not yet visible (see `index_everything`)."""
    rows = [{**row, "visible": False} for row in rows]
    if conn.dialect.name == "postgresql":
        conn.execute(insert(SearchDocument).values(
            terms_vector=cast(bindparam("vector"), TSVECTOR)),
            [{**row, "vector": tsvector_literal(row)} for row in rows])
    else:
        conn.execute(insert(SearchDocument), rows)
