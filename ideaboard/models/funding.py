"""Funding rounds: a pool, each employee's points, the ideas entered and who gave what.

Who backed what is private to the backer: `FundingAllocation` rows are read only to show a
backer their own wallet, to divide the pool at close and to notify backers one by one.
Everything shown to others comes from the counters on `FundingEntry` and `FundingRound`.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import Department, User, str_enum
from ideaboard.models.base import utcnow
from ideaboard.models.ideas import Idea, IdeaStatus

# Ideas that may be entered in a round, and that still count when it closes: declined,
# merged, finished or "needs information" ideas, and removed ones, are left out.
ENTRY_STATUSES = (IdeaStatus.OPEN, IdeaStatus.ESCALATED, IdeaStatus.UNDER_REVIEW,
                  IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS)
CURRENCIES = ("CNY", "USD", "EUR", "GBP", "HKD", "JPY")
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "JP¥"}


class DivisionRule(enum.StrEnum):
    PROPORTIONAL = "proportional"
    QUADRATIC = "quadratic"


class FundingAnswer(enum.StrEnum):
    """Leadership's answer to a funded idea: the money and people are released, or not."""
    RELEASED = "released"
    DECLINED = "declined"


class FundingRound(db.Model):
    """A pool of money and/or people-weeks, divided at close by the crowd's points."""
    __tablename__ = "funding_round"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    purpose_html: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    pool_amount: Mapped[int] = mapped_column(default=0)  # whole units of the currency
    pool_people_weeks: Mapped[int] = mapped_column(default=0)
    allowance: Mapped[int] = mapped_column(default=100)  # points per employee
    division_rule: Mapped[DivisionRule] = mapped_column(str_enum(DivisionRule, "division_rule"),
                                                        default=DivisionRule.PROPORTIONAL)
    min_backers: Mapped[int] = mapped_column(default=5)
    answer_days: Mapped[int] = mapped_column(default=14)
    hide_totals_until_close: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime] = mapped_column(default=utcnow)
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answer_due_at: Mapped[datetime | None]  # set at close: closed_at + answer_days
    eligible_count: Mapped[int | None]  # employees who could take part, counted at close
    # counters, moved by SQL increments in the allocation's own transaction
    points_spent: Mapped[int] = mapped_column(default=0)
    backer_count: Mapped[int] = mapped_column(default=0)  # people with points given
    entry_count: Mapped[int] = mapped_column(default=0)
    # set at close
    awarded_amount: Mapped[int] = mapped_column(default=0)
    awarded_people_weeks: Mapped[int] = mapped_column(default=0)
    funded_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="raise")
    departments: Mapped[list[Department]] = relationship(
        secondary="funding_round_department", lazy="selectin", order_by="Department.name")

    __table_args__ = (
        Index("ix_funding_round_closing", "closed_at", "closes_at"),
        Index("ix_funding_round_opens", "opens_at", "id"),
        CheckConstraint("allowance >= 1", name="allowance_positive"),
        CheckConstraint("min_backers >= 1", name="min_backers_positive"),
        CheckConstraint("answer_days >= 1", name="answer_days_positive"),
        CheckConstraint("pool_amount >= 0 AND pool_people_weeks >= 0", name="pool_not_negative"),
        CheckConstraint("pool_amount > 0 OR pool_people_weeks > 0", name="pool_not_empty"),
        CheckConstraint("points_spent >= 0 AND backer_count >= 0 AND entry_count >= 0",
                        name="counters_not_negative"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_open(self, now: datetime | None = None) -> bool:
        """Taking points: opened, before the close date, and not closed early."""
        now = now or utcnow()
        return self.closed_at is None and self.opens_at <= now < self.closes_at

    def is_upcoming(self, now: datetime | None = None) -> bool:
        return self.closed_at is None and self.opens_at > (now or utcnow())

    def is_due_to_close(self, now: datetime | None = None) -> bool:
        return self.closed_at is None and self.closes_at <= (now or utcnow())

    def accepts_entries(self, now: datetime | None = None) -> bool:
        """Ideas may be entered from the round's creation until it closes."""
        return self.closed_at is None and (now or utcnow()) < self.closes_at

    def totals_hidden(self, now: datetime | None = None) -> bool:
        """Running totals stay hidden until close when the owner asked for it (anti-herding)."""
        return self.hide_totals_until_close and self.closed_at is None

    @property
    def restricted(self) -> bool:
        return bool(self.departments)

    def is_eligible(self, user: User | None) -> bool:
        """Everyone takes part, or only people in the chosen departments."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return not self.departments or any(d.id == user.department_id for d in self.departments)


class FundingRoundDepartment(db.Model):
    """The departments that may take part; none at all means everyone may."""
    __tablename__ = "funding_round_department"
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_round.id", ondelete="CASCADE"),
                                          primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"),
                                               primary_key=True)


class FundingEntry(db.Model):
    """An idea entered in a round, with its author's ask and first milestone."""
    __tablename__ = "funding_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_round.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    ask_amount: Mapped[int] = mapped_column(default=0)
    ask_people_weeks: Mapped[int] = mapped_column(default=0)
    first_milestone: Mapped[str] = mapped_column(String(200), default="")
    # counters, moved by SQL increments in the allocation's own transaction
    points: Mapped[int] = mapped_column(default=0)
    backers: Mapped[int] = mapped_column(default=0)
    root_sum: Mapped[float] = mapped_column(Float, default=0.0)  # Σ√points, for quadratic
    # the division at close
    weight: Mapped[float | None] = mapped_column(Float)
    offer_amount: Mapped[float | None] = mapped_column(Float)
    offer_people_weeks: Mapped[float | None] = mapped_column(Float)
    funded: Mapped[bool] = mapped_column(default=False)
    awarded_amount: Mapped[int] = mapped_column(default=0)
    awarded_people_weeks: Mapped[int] = mapped_column(default=0)
    # leadership's answer to a funded idea
    answer: Mapped[FundingAnswer | None] = mapped_column(str_enum(FundingAnswer, "funding_answer"))
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answer_note: Mapped[str] = mapped_column(Text, default="")
    answer_note_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[FundingRound] = relationship(lazy="raise")
    idea: Mapped[Idea] = relationship(lazy="raise")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="raise")

    __table_args__ = (
        UniqueConstraint("round_id", "idea_id"),
        Index("ix_funding_entry_round_points", "round_id", "points", "id"),
        Index("ix_funding_entry_idea", "idea_id"),
        CheckConstraint("points >= 0 AND backers >= 0", name="counters_not_negative"),
        CheckConstraint("ask_amount >= 0 AND ask_people_weeks >= 0", name="ask_not_negative"),
        CheckConstraint("ask_amount > 0 OR ask_people_weeks > 0", name="ask_not_empty"),
    )

    @property
    def awaits_answer(self) -> bool:
        return self.funded and self.answer is None


class FundingWallet(db.Model):
    """One employee's points in one round. The CHECK is the last line of defence for
    "never more than the allowance"; the allocation's conditional UPDATE is the first."""
    __tablename__ = "funding_wallet"
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_round.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    allowance: Mapped[int]
    spent: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("spent >= 0 AND spent <= allowance", name="spent_within_allowance"),
    )


class FundingAllocation(db.Model):
    """Points one employee gave one entered idea. Private to that employee."""
    __tablename__ = "funding_allocation"
    entry_id: Mapped[int] = mapped_column(ForeignKey("funding_entry.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_round.id", ondelete="CASCADE"))
    points: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_funding_allocation_wallet", "round_id", "user_id"),
        CheckConstraint("points > 0", name="points_positive"),
    )
