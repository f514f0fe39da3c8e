"""Searching the index: relevance-ranked, filtered and paginated. Only documents flagged
visible are in the full-text index; the page's source rows are re-checked as they are
loaded, so content changed behind the ORM's back never shows either.

SQLite matches with FTS5 and ranks with bm25(); PostgreSQL with @@ on the tsvector (GIN)
and ts_rank(). The user's words reach either only as quoted terms in a bound parameter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    REAL,
    Select,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import aliased

from ideaboard.extensions import db
from ideaboard.models import Idea, IdeaStatus, IdeaTag, SearchDocument, Tag, User
from ideaboard.permissions import is_signed_in
from ideaboard.search.documents import DOCUMENT_TYPES, IDEAS, DocumentType
from ideaboard.search.snippets import highlight
from ideaboard.search.tokens import (
    MAX_QUERY_CHARS,
    ParsedQuery,
    parse_query,
    similarity_terms,
)
from ideaboard.visibility import in_readable_campaign

PER_PAGE = 20
MAX_PAGE = 25          # deeper than 500 results, refining the query works better
SNIPPET_WIDTH = 220
SIMILAR_LIMIT = 5
# A plain search ranks the newest matches, at most this many (more than the 500 its pages
# reach): ranking costs the same for a word in 50 documents as for one in 50,000.
RANKED_CANDIDATES = 1000
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


def match_expression(dialect: str, all_of: tuple[str, ...] = (), any_of: tuple[str, ...] = (),
                     columns: tuple[str, ...] = ()) -> str:
    """The full-text query for the bound parameter: every term of `all_of`, or any term of
    `any_of` (in `columns` only, if given). Terms are quoted, never parsed as syntax."""
    if dialect == "postgresql":
        if all_of:
            return " & ".join(_tsquery_lexeme(term) for term in all_of)
        weights = "".join({"title_terms": "A", "tag_terms": "B", "body_terms": "C"}[c]
                          for c in columns)
        return " | ".join(_tsquery_lexeme(term, weights) for term in any_of)
    expression = (" AND ".join(_fts5_string(t) for t in all_of) if all_of
                  else " OR ".join(_fts5_string(t) for t in any_of))
    if columns:
        expression = "{" + " ".join(columns) + "} : (" + expression + ")"
    return expression


_FIELDS = (_doc.id, _doc.doc_type, _doc.doc_id, _doc.title, _doc.body)


def _pg_match() -> tuple[Any, Any]:
    query = cast(bindparam("match"), TSQUERY)
    rank = func.ts_rank(cast(literal_column(f"'{PG_WEIGHTS}'"), ARRAY(REAL)),
                        _doc.terms_vector, query)
    return _doc.visible & _doc.terms_vector.op("@@")(query), rank.desc()


def _fts5_match() -> Any:
    return literal_column("search_fts").op("MATCH")(bindparam("match"))


def _page(statement: Select) -> Select:
    return statement.limit(bindparam("limit")).offset(bindparam("offset"))


@cache
def _search_statement(dialect: str, doc_type: bool, status: bool, tag: bool,
                      campaign: bool, signed_out: bool = False) -> Select:
    """The search's SELECT for one database and one combination of filters, built once per
    process; the terms, filter values and page are bound parameters.

    Only visible documents are in the full-text index (SQLite's FTS5 table, PostgreSQL's
    partial GIN index), so the plain search ranks inside the index, at most the newest
    RANKED_CANDIDATES matches, and joins only the one page it returns: its cost does not
    grow with what it passes over. Filters join first, and rank every match."""
    filtered = doc_type or status or tag or campaign or signed_out
    if dialect == "postgresql" and not filtered:
        newest = (select(_doc.id).where(_pg_match()[0]).order_by(_doc.id.desc())
                  .limit(RANKED_CANDIDATES).subquery())
        match, rank = _pg_match()
        return _page(select(*_FIELDS).join(newest, newest.c.id == _doc.id)
                     .order_by(rank, _doc.id.desc()))
    if dialect == "postgresql":
        match, rank = _pg_match()
        statement = select(*_FIELDS).where(match)
        order = (rank, _doc.id.desc())
    elif not filtered:
        # bm25 is computed only for the newest candidates, which FTS5 reads in rowid order
        newest = (select(_fts.c.rowid, literal_column(FTS5_RANK).label("rank"))
                  .where(_fts5_match()).order_by(_fts.c.rowid.desc())
                  .limit(RANKED_CANDIDATES).subquery())
        ranked = _page(select(newest.c.rowid, newest.c.rank)
                       .order_by(newest.c.rank, newest.c.rowid.desc())).subquery()
        return (select(*_FIELDS).select_from(ranked).join(_doc, _doc.id == ranked.c.rowid)
                .order_by(ranked.c.rank, ranked.c.rowid.desc()))
    else:
        statement = (select(*_FIELDS).select_from(_fts).join(_doc, _doc.id == _fts.c.rowid)
                     .where(_fts5_match()))
        order = (literal_column(FTS5_RANK), _doc.id.desc())
    if doc_type:
        statement = statement.where(_doc.doc_type == bindparam("doc_type"))
    if campaign:
        statement = statement.where(_doc.campaign_id == bindparam("campaign_id"))
    if signed_out:  # an admin opened reading up: sensitive campaigns stay sign-in only
        statement = statement.where(in_readable_campaign(None, _doc.campaign_id))
    if status:
        idea = aliased(Idea, name="filter_idea")
        statement = statement.join(idea, idea.id == _doc.idea_id).where(
            idea.status == bindparam("status", type_=Idea.status.type))
    if tag:
        statement = statement.where(exists(
            select(IdeaTag.idea_id).join(Tag, Tag.id == IdeaTag.tag_id)
            .where(IdeaTag.idea_id == _doc.idea_id, Tag.name == bindparam("tag"))))
    return _page(statement.order_by(*order))


@cache
def _similar_statement(dialect: str, excluding: bool) -> Select:
    """Visible ideas with any of the draft's terms in their title or tags, best first."""
    if dialect == "postgresql":
        match, rank = _pg_match()
        statement = select(_doc.doc_id).where(match, _doc.doc_type == IDEAS.name)
        order = (rank, _doc.id.desc())
    else:
        statement = (select(_doc.doc_id).select_from(_fts).join(_doc, _doc.id == _fts.c.rowid)
                     .where(_fts5_match(), _doc.doc_type == IDEAS.name))
        order = (literal_column(FTS5_RANK), _doc.id.desc())
    if excluding:
        statement = statement.where(_doc.doc_id != bindparam("exclude_id"))
    return statement.order_by(*order).limit(bindparam("limit"))


def _load(rows: list) -> dict[tuple[str, int], Any]:
    """Source objects for the hits: one query per document type present."""
    loaded: dict[tuple[str, int], Any] = {}
    for name, document_type in DOCUMENT_TYPES.items():
        ids = [row.doc_id for row in rows if row.doc_type == name]
        if ids:
            loaded.update(((name, key), obj) for key, obj in document_type.load(ids).items())
    return loaded


def search(text: str, filters: SearchFilters | None = None, page: int = 1, *,
           viewer: User | None = None) -> SearchResults:
    """One page of visible documents holding every word of `text`, best first, in the
    campaigns `viewer` may read (ideaboard/visibility.py)."""
    filters = filters or SearchFilters()
    parsed = parse_query(text or "")
    page = min(max(page, 1), MAX_PAGE)
    results = SearchResults(query=(text or "")[:MAX_QUERY_CHARS], parsed=parsed,
                            filters=filters, page=page)
    if not parsed or (filters.doc_type and filters.doc_type not in DOCUMENT_TYPES):
        return results
    dialect = _dialect()
    statement = _search_statement(dialect, bool(filters.doc_type), bool(filters.status),
                                  bool(filters.tag), bool(filters.campaign_id),
                                  not is_signed_in(viewer))
    rows = db.session.execute(statement, {
        "match": match_expression(dialect, all_of=parsed.required),
        "limit": PER_PAGE + 1, "offset": (page - 1) * PER_PAGE,
        "doc_type": filters.doc_type, "campaign_id": filters.campaign_id,
        "status": filters.status, "tag": filters.tag}).all()
    results.has_next = len(rows) > PER_PAGE and page < MAX_PAGE
    rows = rows[:PER_PAGE]
    loaded = _load(rows)
    for row in rows:
        obj = loaded.get((row.doc_type, row.doc_id))
        document_type = DOCUMENT_TYPES[row.doc_type]
        presented = document_type.present(obj) if obj is not None else None
        if presented is None:  # changed behind the ORM's back since it was indexed
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
    terms = tuple(similarity_terms(title or "", tags))
    if not terms:
        return []
    dialect = _dialect()
    ids = list(db.session.scalars(_similar_statement(dialect, exclude_idea_id is not None), {
        "match": match_expression(dialect, any_of=terms, columns=("title_terms", "tag_terms")),
        "limit": limit, "exclude_id": exclude_idea_id}))
    ideas = IDEAS.load(ids)
    return [ideas[i] for i in ids if i in ideas and IDEAS.present(ideas[i]) is not None]
