"""Pledges and teams (volunteering), and the delivery of an accepted idea in public:
its owner, milestones and progress updates with spending against the released funds."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import User, str_enum
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.models.ideas import Idea, IdeaStatus

PLEDGE_STATUSES = (IdeaStatus.OPEN, IdeaStatus.ESCALATED, IdeaStatus.UNDER_REVIEW,
                   IdeaStatus.NEEDS_INFO, IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS)
DELIVERY_STATUSES = (IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS)  # work under way
MAX_HOURS_PER_WEEK, MAX_WEEKS = 40, 52


class PledgeStatus(enum.StrEnum):
    OFFERED = "offered"   # time and skills on offer
    INVITED = "invited"   # the author or owner asked them to join the team
    MEMBER = "member"     # on the team: named on the idea, told of every update


class Pledge(db.Model):
    """An employee's offer of time and skills to an idea. The author, the owner and leaders
    see the name; everyone else sees only how many people and hours — until the pledger
    joins the team, whose members are listed on the idea."""
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    hours_per_week: Mapped[int]
    weeks: Mapped[int]
    skills: Mapped[str] = mapped_column(String(250), default="")  # comma-separated tags
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[PledgeStatus] = mapped_column(str_enum(PledgeStatus, "pledge_status"),
                                                 default=PledgeStatus.OFFERED)
    invited_at: Mapped[datetime | None]
    joined_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
    idea: Mapped[Idea] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("idea_id", "user_id"),
        Index("ix_pledge_user", "user_id"),
        CheckConstraint(f"hours_per_week BETWEEN 1 AND {MAX_HOURS_PER_WEEK}",
                        name="hours_in_range"),
        CheckConstraint(f"weeks BETWEEN 1 AND {MAX_WEEKS}", name="weeks_in_range"),
    )

    @property
    def skill_list(self) -> list[str]:
        return [skill for skill in self.skills.split(",") if skill]

    @property
    def total_hours(self) -> int:
        return self.hours_per_week * self.weeks


class Delivery(db.Model):
    """The delivery of an accepted idea: who owns it, and when it last showed progress."""
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"),
                                         primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    owner_named_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)  # accepted
    last_update_at: Mapped[datetime | None]
    stalled_notified_at: Mapped[datetime | None]
    spent_amount: Mapped[int] = mapped_column(default=0)  # reported in updates

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="raise")

    __table_args__ = (
        Index("ix_delivery_activity", "last_update_at"),
        CheckConstraint("spent_amount >= 0", name="spent_not_negative"),
    )

    @property
    def last_activity(self) -> datetime:
        return self.last_update_at or self.started_at


def delivery_owner_id(idea: Idea, delivery: Delivery | None) -> int | None:
    """The named owner, else the author — except of an anonymous idea, whose author would be
    unmasked by owning it in public: leadership names an owner for those."""
    if delivery is not None and delivery.owner_id is not None:
        return delivery.owner_id
    return None if idea.is_anonymous else idea.author_id


class Milestone(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_milestone_idea", "idea_id", "id"),)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_late(self, today: date | None = None) -> bool:
        return (not self.is_done and self.due_on is not None
                and self.due_on < (today or utcnow().date()))


class DeliveryUpdate(db.Model):
    """A progress update from the owner, with what was spent since the last one."""
    __tablename__ = "delivery_update"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=random_public_id)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    spent_amount: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_delivery_update_idea", "idea_id", "id"),
        CheckConstraint("spent_amount >= 0", name="spent_not_negative"),
    )
