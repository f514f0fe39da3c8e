"""CSV and JSON exports of ideas, comments, votes and decisions, for the admin who asks.

On SQLite the rows are read with sqlite-utils on the request's own connection; on
PostgreSQL with the same SELECT through SQLAlchemy. Anonymity holds in every export:
an anonymous post's author is blank (the name is never even read from the database) and
only its day is given. Votes are exported per idea, never per person. Hidden and deleted
posts are left out, as they are from the public pages.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime

import sqlite_utils
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session, aliased

from ideaboard.anonymity import author_name_column
from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import (
    Campaign,
    Comment,
    DataExport,
    Decision,
    ExportDataset,
    ExportFormat,
    Idea,
    User,
    Vote,
)
from ideaboard.permissions import is_admin
from ideaboard.services import NotAllowed
from ideaboard.services.audit import record

KEEP_PER_OWNER = 20  # older exports of the same admin are dropped when a new one is made


def _author(item) -> object:
    return author_name_column(item, User.display_name).label("author")


def _listed(model) -> list:
    return [model.deleted_at.is_(None), model.hidden_at.is_(None)]


def ideas_query() -> Select:
    return (select(Idea.public_id.label("id"), Campaign.slug.label("campaign"), Idea.title,
                   Idea.body, Idea.tag_names.label("tags"), _author(Idea),
                   Idea.is_anonymous.label("anonymous"), Idea.status, Idea.supporters,
                   Idea.opposers, Idea.score, Idea.comment_count,
                   Idea.public_at.label("created"), Idea.decided_at.label("decided"))
            .join(Campaign, Campaign.id == Idea.campaign_id)
            .join(User, User.id == Idea.author_id)
            .where(*_listed(Idea)).order_by(Idea.public_at, Idea.id))  # by public time


def comments_query() -> Select:
    parent = aliased(Comment)
    return (select(Comment.public_id.label("id"), Idea.public_id.label("idea"),
                   parent.public_id.label("parent"), _author(Comment),
                   Comment.is_anonymous.label("anonymous"), Comment.stance, Comment.body,
                   Comment.helpful_count, Comment.public_at.label("created"))
            .join(Idea, Idea.id == Comment.idea_id)
            .join(User, User.id == Comment.author_id)
            .outerjoin(parent, parent.id == Comment.parent_id)
            .where(*_listed(Comment), *_listed(Idea)).order_by(Comment.public_at, Comment.id))


def votes_query() -> Select:
    """Tallies per idea, counted from the vote rows; no row names a voter."""
    return (select(Idea.public_id.label("idea"), Idea.title,
                   func.count(Vote.id).filter(Vote.value == 1).label("supporters"),
                   func.count(Vote.id).filter(Vote.value == -1).label("opposers"),
                   func.count(Vote.id).label("voters"))
            .select_from(Idea).outerjoin(Vote, Vote.idea_id == Idea.id)
            .where(*_listed(Idea)).group_by(Idea.id, Idea.public_id, Idea.title)
            .order_by(Idea.id))


def decisions_query() -> Select:
    survivor = aliased(Idea)
    return (select(Idea.public_id.label("idea"), Idea.title.label("idea_title"),
                   Decision.status, Decision.rationale, User.display_name.label("decided_by"),
                   survivor.public_id.label("merged_into"), Decision.created_at.label("created"))
            .join(Idea, Idea.id == Decision.idea_id)
            .join(User, User.id == Decision.author_id)
            .outerjoin(survivor, survivor.id == Decision.merged_into_id)
            .where(*_listed(Idea)).order_by(Decision.id))


QUERIES = {ExportDataset.IDEAS: ideas_query, ExportDataset.COMMENTS: comments_query,
           ExportDataset.VOTES: votes_query, ExportDataset.DECISIONS: decisions_query}


def fetch_rows(session: Session, query: Select) -> list[dict]:
    """Run one SELECT: through sqlite-utils on SQLite, through SQLAlchemy elsewhere."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        compiled = query.compile(dialect=connection.dialect,
                                 compile_kwargs={"render_postcompile": True})
        params = [compiled.params[name] for name in compiled.positiontup or ()]
        database = sqlite_utils.Database(connection.connection.driver_connection)
        return list(database.query(str(compiled), params))
    return [dict(row) for row in session.execute(query).mappings()]


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def _as_datetime(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def normalise(rows: Iterable[dict], dataset: ExportDataset) -> list[dict]:
    """One shape whatever the database: ISO times, booleans, anonymous posts dated by day."""
    out = []
    for row in rows:
        row = dict(row)
        for key in ("created", "decided"):
            if key in row:
                row[key] = _as_datetime(row[key])
        if "anonymous" in row:
            row["anonymous"] = bool(row["anonymous"])
            if row["anonymous"]:
                row["author"] = ""
                row["created"] = row["created"].date() if row["created"] else None
        if "score" in row:
            row["score"] = round(float(row["score"]), 4)
        out.append({key: (value.isoformat() if isinstance(value, date)
                          and not isinstance(value, datetime) else _cell(value))
                    for key, value in row.items()})
    return out


def render(rows: list[dict], file_format: ExportFormat, columns: list[str]) -> bytes:
    if file_format == ExportFormat.JSON:
        return json.dumps(rows, ensure_ascii=False, indent=1).encode()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()  # the BOM makes Excel read UTF-8 Chinese


def create_export(admin: User, dataset: ExportDataset, file_format: ExportFormat) -> DataExport:
    """Build the export and keep it for this admin only; the act is audited."""
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators can export data."))
    query = QUERIES[dataset]()
    columns = [column.name for column in query.selected_columns]
    rows = normalise(fetch_rows(db.session, query), dataset)  # read before taking the lock
    content = render(rows, file_format, columns)
    with write_transaction() as session:
        export = DataExport(owner_id=admin.id, dataset=dataset, file_format=file_format,
                            row_count=len(rows), byte_size=len(content), content=content)
        session.add(export)
        session.flush()
        kept = (select(DataExport.id).where(DataExport.owner_id == admin.id)
                .order_by(DataExport.id.desc()).limit(KEEP_PER_OWNER))
        session.execute(delete(DataExport).where(DataExport.owner_id == admin.id,
                                                 DataExport.id.not_in(kept))
                        .execution_options(synchronize_session=False))
        record(session, admin, "export.create", "export", export.id,
               dataset=dataset.value, file_format=file_format.value, rows=len(rows))
    return export


def owned_export(token: str, user: User) -> DataExport | None:
    """The export with this token if `user` made it; None for anybody else, admins included."""
    return db.session.scalar(select(DataExport).where(DataExport.token == token,
                                                      DataExport.owner_id == user.id))


def exports_of(user: User, limit: int = KEEP_PER_OWNER) -> list[DataExport]:
    return list(db.session.scalars(select(DataExport).where(DataExport.owner_id == user.id)
                                   .order_by(DataExport.id.desc()).limit(limit)))
