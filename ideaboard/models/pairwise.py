"""Pairwise comparisons: one person's answer to "which of these two would help more?"."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaboard.extensions import db
from ideaboard.models.base import utcnow


class PairwiseChoice(db.Model):
    """A pair is stored in id order, whichever side it was shown on; the unique constraint
    is the last line of defence for "nobody answers the same pair twice". A missing winner
    means "can't decide". Private: only totals ever leave the database."""
    __tablename__ = "pairwise_choice"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    first_idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    second_idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    winner_idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "first_idea_id", "second_idea_id"),
        Index("ix_pairwise_choice_campaign_user", "campaign_id", "user_id"),
        CheckConstraint("first_idea_id < second_idea_id", name="pair_in_order"),
        CheckConstraint("winner_idea_id IS NULL OR winner_idea_id = first_idea_id "
                        "OR winner_idea_id = second_idea_id", name="winner_in_pair"),
    )
