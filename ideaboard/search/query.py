"""Searching the index: relevance-ranked, filtered, paginated, and re-checked against the
source rows at query time (deleted content never shows, whatever the index holds).

SQLite matches with FTS5 and ranks with bm25(); PostgreSQL with @@ on the tsvector (GIN)
and ts_rank(). The user's words reach either only as quoted terms in a bound parameter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    REAL,
    Select,
    and_,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import aliased

from ideaboard.extensions import db
from ideaboard.models import Idea, IdeaStatus, IdeaTag, SearchDocument, Tag
from ideaboard.search.documents import DOCUMENT_TYPES, IDEAS, DocumentType
from ideaboard.search.snippets import highlight
from ideaboard.search.tokens import ParsedQuery, parse_query, similarity_terms

PER_PAGE = 20
MAX_PAGE = 25          # deeper than 500 results, refining the query works better
SNIPPET_WIDTH = 220
SIMILAR_LIMIT = 5
# bm25 column weights: title_terms, body_terms, tag_terms (the FTS5 column order)
FTS5_RANK = "bm25(search_fts, 5.0, 1.0, 3.0)"
# ts_rank weights for {D, C, B, A}: unused, body, tags, title
PG_WEIGHTS = "{0.1, 0.2, 0.6, 1.0}"

_fts = table("search_fts", column("rowid"))
_doc = SearchDocument


@dataclass(frozen=True)
class SearchFilters:
    doc_type: str | None = None
    status: IdeaStatus | None = None
    tag: str | None = None
    campaign_id: int | None = None

    @property
    def any(self) -> bool:
        return any((self.doc_type, self.status, self.tag, self.campaign_id))


@dataclass
class SearchHit:
    document_type: DocumentType
    title: Markup
    snippet: Markup
    endpoint: str
    url_values: dict
    item: Any           # Idea, Comment, Critique or CritiqueReply, for the author line (where
    idea: Idea | None   # anonymity is enforced); None for campaigns and plan sections
    doc_id: int = 0     # the source row's id


@dataclass
class SearchResults:
    query: str
    parsed: ParsedQuery
    filters: SearchFilters
    page: int = 1
    hits: list[SearchHit] = field(default_factory=list)
    has_next: bool = False


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _tsquery_lexeme(term: str, weights: str = "") -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{weights}" if weights else quoted


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _matching(parsed: ParsedQuery | None = None, any_of: list[str] | None = None,
              columns: tuple[str, ...] = ()) -> tuple[Select, Any]:
    """SELECT over documents matching all groups of `parsed` (phrases kept) or any term of
    `any_of`, optionally only in some columns; returns it with its "best first" ordering."""
    fields = (_doc.id, _doc.doc_type, _doc.doc_id, _doc.title, _doc.body)
    if _dialect() == "postgresql":
        if parsed is not None:
            expression = " & ".join(
                "(" + " <-> ".join(_tsquery_lexeme(term) for term in group) + ")"
                for group in parsed.groups)
        else:
            weights = "".join({"title_terms": "A", "tag_terms": "B", "body_terms": "C"}[c]
                              for c in columns)
            expression = " | ".join(_tsquery_lexeme(term, weights) for term in any_of)
        query = cast(bindparam("search_query", expression), TSQUERY)
        rank = func.ts_rank(cast(literal_column(f"'{PG_WEIGHTS}'"), ARRAY(REAL)),
                            _doc.terms_vector, query)
        statement = select(*fields).where(_doc.terms_vector.op("@@")(query))
        return statement, (rank.desc(), _doc.id.desc())
    if parsed is not None:
        expression = " AND ".join(_fts5_string(" ".join(group)) for group in parsed.groups)
    else:
        expression = " OR ".join(_fts5_string(term) for term in any_of)
    if columns:
        expression = "{" + " ".join(columns) + "} : (" + expression + ")"
    statement = (select(*fields).select_from(_fts).join(_doc, _doc.id == _fts.c.rowid)
                 .where(literal_column("search_fts").op("MATCH")(
                     bindparam("search_query", expression))))
    return statement, (literal_column(FTS5_RANK), _doc.id.desc())


def _visible(types: list[DocumentType]) -> Any:
    return or_(*(and_(_doc.doc_type == t.name, t.visible(_doc.doc_id)) for t in types))


def _filtered(statement: Select, filters: SearchFilters) -> Select:
    if not (filters.status or filters.tag or filters.campaign_id):
        return statement
    idea = aliased(Idea, name="filter_idea")
    statement = statement.outerjoin(idea, idea.id == _doc.idea_id)
    if filters.status:
        statement = statement.where(idea.status == filters.status)
    if filters.tag:
        statement = statement.where(exists(
            select(IdeaTag.idea_id).join(Tag, Tag.id == IdeaTag.tag_id)
            .where(IdeaTag.idea_id == _doc.idea_id, Tag.name == filters.tag)))
    if filters.campaign_id:
        statement = statement.where(
            func.coalesce(idea.campaign_id, _doc.campaign_id) == filters.campaign_id)
    return statement


def _load(rows: list) -> dict[tuple[str, int], Any]:
    """Source objects for the hits: one query per document type present."""
    loaded: dict[tuple[str, int], Any] = {}
    for name, document_type in DOCUMENT_TYPES.items():
        ids = [row.doc_id for row in rows if row.doc_type == name]
        if ids:
            loaded.update(((name, key), obj) for key, obj in document_type.load(ids).items())
    return loaded


def search(text: str, filters: SearchFilters | None = None, page: int = 1) -> SearchResults:
    """One page of visible documents matching every word of `text`, best first."""
    filters = filters or SearchFilters()
    parsed = parse_query(text or "")
    page = min(max(page, 1), MAX_PAGE)
    results = SearchResults(query=text or "", parsed=parsed, filters=filters, page=page)
    if not parsed:
        return results
    types = [t for name, t in DOCUMENT_TYPES.items()
             if filters.doc_type in (None, name)]
    if not types:
        return results
    statement, order = _matching(parsed)
    statement = _filtered(statement.where(_visible(types)), filters)
    rows = db.session.execute(statement.order_by(*order)
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    results.has_next = len(rows) > PER_PAGE and page < MAX_PAGE
    rows = rows[:PER_PAGE]
    loaded = _load(rows)
    for row in rows:
        obj = loaded.get((row.doc_type, row.doc_id))
        document_type = DOCUMENT_TYPES[row.doc_type]
        presented = document_type.present(obj) if obj is not None else None
        if presented is None:
            continue
        results.hits.append(SearchHit(
            document_type=document_type, endpoint=presented.endpoint,
            url_values=presented.url_values, item=presented.item,
            idea=presented.idea, doc_id=row.doc_id, title=highlight(presented.title, parsed.terms),
            snippet=highlight(row.body, parsed.terms, width=SNIPPET_WIDTH) if row.body
            else Markup("")))
    return results


def similar_ideas(title: str, tags: list[str] | tuple[str, ...] = (), *,
                  limit: int = SIMILAR_LIMIT, exclude_idea_id: int | None = None) -> list[Idea]:
    """Existing visible ideas whose title or tags share the draft's distinctive words."""
    terms = similarity_terms(title or "", tags)
    if not terms:
        return []
    statement, order = _matching(any_of=terms, columns=("title_terms", "tag_terms"))
    statement = statement.where(_doc.doc_type == IDEAS.name, _visible([IDEAS]))
    if exclude_idea_id is not None:
        statement = statement.where(_doc.doc_id != exclude_idea_id)
    ids = [row.doc_id for row in db.session.execute(statement.order_by(*order).limit(limit))]
    ideas = IDEAS.load(ids)
    return [ideas[i] for i in ids if i in ideas and IDEAS.present(ideas[i]) is not None]
