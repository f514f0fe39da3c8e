"""Plan review: a plan split into sections, its rubric, critiques, their ratings and replies."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import User, str_enum
from ideaboard.models.base import random_public_id, same_as_created, utcnow
from ideaboard.models.ideas import Campaign

MIN_SCORE, MAX_SCORE = 1, 5


class CritiqueStance(enum.StrEnum):
    SUPPORT = "support"
    CONCERN = "concern"
    ALTERNATIVE = "alternative"


class Plan(db.Model):
    """The document under review; one per plan_review campaign."""
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(lazy="raise")


class Section(db.Model):
    """One part of a plan, critiqued on its own. critique_count counts live critiques."""
    __tablename__ = "plan_section"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    heading: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    critique_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_plan_section_plan", "plan_id", "position"),
        CheckConstraint("critique_count >= 0", name="critique_count_not_negative"),
    )


class Criterion(db.Model):
    """A rubric line. Defaults carry a key (their label is translated when shown); removing
    one keeps its ratings in the database but out of the report."""
    __tablename__ = "plan_criterion"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    default_key: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(SmallInteger)
    removed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_plan_criterion_plan", "plan_id", "position"),)

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class Critique(db.Model):
    """A stance and a text on one section, with rubric ratings; tombstoned when deleted."""
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=random_public_id)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("plan_section.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    stance: Mapped[CritiqueStance] = mapped_column(str_enum(CritiqueStance, "critique_stance"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    helpful_count: Mapped[int] = mapped_column(default=0)
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_html: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    public_at: Mapped[datetime] = mapped_column(default=same_as_created)  # see Idea.public_at
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]  # by flags or a moderator; set on a moderated delete

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="raise")
    section: Mapped[Section] = relationship(lazy="raise")
    plan: Mapped[Plan] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_critique_section_helpful", "section_id", "helpful_count", "id"),
        Index("ix_critique_plan", "plan_id", "section_id"),
        Index("ix_critique_author", "author_id"),
        CheckConstraint("helpful_count >= 0", name="helpful_not_negative"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CritiqueRating(db.Model):
    """One score per critique per criterion, kept apart so reports aggregate in SQL."""
    __tablename__ = "critique_rating"
    critique_id: Mapped[int] = mapped_column(ForeignKey("critique.id", ondelete="CASCADE"),
                                             primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("plan_criterion.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        Index("ix_critique_rating_criterion", "criterion_id", "score"),
        CheckConstraint(f"score BETWEEN {MIN_SCORE} AND {MAX_SCORE}", name="score_in_range"),
    )


class CritiqueVote(db.Model):
    """A "helpful" mark on a critique, one per user."""
    __tablename__ = "critique_vote"
    critique_id: Mapped[int] = mapped_column(ForeignKey("critique.id", ondelete="CASCADE"),
                                             primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CritiqueReply(db.Model):
    """Threaded reply under a critique; deleting keeps a tombstone so replies keep their place."""
    __tablename__ = "critique_reply"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=random_public_id)
    critique_id: Mapped[int] = mapped_column(ForeignKey("critique.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("critique_reply.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    public_at: Mapped[datetime] = mapped_column(default=same_as_created)  # see Idea.public_at
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(lazy="raise")
    critique: Mapped[Critique] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_critique_reply_plan", "plan_id", "id"),
        Index("ix_critique_reply_critique", "critique_id", "id"),
        Index("ix_critique_reply_author", "author_id"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
