"""Search documents (what the full-text index sees) and tag follows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text, true
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ideaboard.extensions import db
from ideaboard.models.base import utcnow


class SearchDocument(db.Model):
    """One searchable text — an idea, a comment, later a campaign or a plan section — as
    the index sees it. Written only by `ideaboard.search` from the source rows (never the
    other way), so `flask reindex` can always rebuild it.

    The *_terms columns hold tokens made in Python (shared by both databases). SQLite's
    FTS5 table `search_fts` indexes them (external content, kept by triggers); on
    PostgreSQL `terms_vector` holds the same tokens as a weighted tsvector with a GIN index
    (on SQLite that column stays NULL). Author names are never indexed.

    `visible` says whether the source row may be shown (not deleted or hidden, nor in a
    deleted or hidden idea); the same listener keeps it in step, and only visible documents
    are in the FTS5 table and the (partial) GIN index, so a search never checks the source
    tables for the documents it passes over. `campaign_id` is set on every document of a
    campaign, ideas and comments included.
    """
    __tablename__ = "search_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    doc_id: Mapped[int]
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text, default="")  # plain text, for snippets
    body: Mapped[str] = mapped_column(Text, default="")
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    tag_terms: Mapped[str] = mapped_column(Text, default="")
    terms_vector: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"))
    visible: Mapped[bool] = mapped_column(default=True, server_default=true())
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("doc_type", "doc_id"),
        Index("ix_search_document_idea", "idea_id"),
        Index("ix_search_document_terms_vector", "terms_vector", postgresql_using="gin",
              postgresql_where=text("visible")),
    )


class TagFollow(db.Model):
    """A user follows a tag: new ideas carrying it appear on their Following page."""
    __tablename__ = "tag_follow"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"),
                                        primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_tag_follow_tag", "tag_id"),)
