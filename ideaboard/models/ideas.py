"""Campaigns, ideas, tags, votes and comments."""
from __future__ import annotations

import enum
import math
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import User, str_enum
from ideaboard.models.base import random_public_id, same_as_created, utcnow
from ideaboard.ranking import BROAD_SUPPORT_BADGE


class CampaignKind(enum.StrEnum):
    IDEAS = "ideas"
    CONSULTATION = "consultation"
    DISCUSSION = "discussion"
    PLAN_REVIEW = "plan_review"


class Anonymity(enum.StrEnum):
    NAMED = "named"
    OPTIONAL = "optional"
    ANONYMOUS_ONLY = "anonymous_only"


class IdeaStatus(enum.StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NEEDS_INFO = "needs_info"
    MERGED = "merged"
    IN_PROGRESS = "in_progress"
    DONE = "done"


REVIEW_QUEUE_STATUSES = (IdeaStatus.ESCALATED, IdeaStatus.UNDER_REVIEW)


def in_review_queue_sql(table: str = "", *, likely: bool = False) -> str:
    """The review queue's condition in SQL, with literal values: the partial index
    ix_idea_review_queue is defined by it, and SQLite uses that index only for a query that
    repeats the condition (a bound parameter is not seen through). `likely` (SQLite only)
    tells its planner the status term is no filter worth an index of its own: without
    statistics it would otherwise search ix_idea_status_due and sort the whole queue."""
    column = f"{table}." if table else ""
    statuses = ", ".join(f"'{status.value}'" for status in REVIEW_QUEUE_STATUSES)
    in_queue = f"{column}status IN ({statuses})"
    if likely:
        in_queue = f"likelihood({in_queue}, 0.99)"
    return f"{in_queue} AND {column}deleted_at IS NULL"


def awaiting_answer() -> tuple:
    """The review queue's condition as SQLAlchemy terms (the same rule as
    `in_review_queue_sql`, for queries that do not walk the partial index)."""
    return Idea.status.in_(REVIEW_QUEUE_STATUSES), Idea.deleted_at.is_(None)


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class Campaign(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[CampaignKind] = mapped_column(str_enum(CampaignKind, "campaign_kind"),
                                               default=CampaignKind.IDEAS)
    anonymity: Mapped[Anonymity] = mapped_column(str_enum(Anonymity, "anonymity"),
                                                 default=Anonymity.NAMED)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    is_standing: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime] = mapped_column(default=utcnow)
    closes_at: Mapped[datetime | None]
    promised_answer_at: Mapped[datetime | None]  # the sponsor's promise, shown on the page
    allow_nominations: Mapped[bool] = mapped_column(default=True)  # consultations
    hide_totals_until_close: Mapped[bool] = mapped_column(default=False)  # anti-herding
    pairwise_enabled: Mapped[bool] = mapped_column(default=False)  # "compare two at a time"
    outcome: Mapped[str] = mapped_column(Text, default="")
    outcome_html: Mapped[str] = mapped_column(Text, default="")
    outcome_published_at: Mapped[datetime | None]
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # consultations (0016): the option the owner named when publishing the outcome; the FK
    # is added after both tables exist (idea already points at campaign)
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", use_alter=True,
                                                             ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="raise")

    __table_args__ = (Index("ix_campaign_dates", "opens_at", "closes_at"),)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now and (self.closes_at is None or self.closes_at > now)

    def is_upcoming(self, now: datetime | None = None) -> bool:
        return self.opens_at > (now or utcnow())

    def is_closed(self, now: datetime | None = None) -> bool:
        """Past its closing date (or closed early): read-only from then on."""
        return self.closes_at is not None and self.closes_at <= (now or utcnow())

    def totals_hidden(self, now: datetime | None = None) -> bool:
        return totals_hidden(self, now)


def totals_hidden(campaign, now: datetime | None = None) -> bool:
    """Running totals stay hidden until the close date when the owner asked for it
    (consultations, and campaigns compared two at a time). `campaign` is a Campaign or a
    row with its kind, pairwise_enabled, hide_totals_until_close and closes_at."""
    return ((campaign.kind == CampaignKind.CONSULTATION or campaign.pairwise_enabled)
            and campaign.hide_totals_until_close
            and campaign.closes_at is not None and campaign.closes_at > (now or utcnow()))


class CampaignFollow(db.Model):
    __tablename__ = "campaign_follow"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    use_count: Mapped[int] = mapped_column(default=0, index=True)  # ideas carrying it


class IdeaTag(db.Model):
    __tablename__ = "idea_tag"
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"),
                                         primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"),
                                        primary_key=True)

    __table_args__ = (Index("ix_idea_tag_tag_idea", "tag_id", "idea_id"),)


class IdeaFacts:
    """What pages derive from an idea's own columns (`status`, `review_due_at`,
    `broad_support`, `tag_names`), written once for the ORM `Idea` and for the rows lists
    read without it (queries/ideas.ListedIdea)."""
    __slots__ = ()

    @property
    def in_review_queue(self) -> bool:
        return self.status in REVIEW_QUEUE_STATUSES

    def days_overdue(self, now: datetime | None = None) -> int:
        """Whole days past the due date (at least 1 once it has passed); 0 when on time."""
        if not self.in_review_queue or self.review_due_at is None:
            return 0
        late = ((now or utcnow()) - self.review_due_at).total_seconds()
        return max(1, math.floor(late / 86400)) if late > 0 else 0

    @property
    def has_broad_support(self) -> bool:
        """Earns the "Common ground" badge (README: "Common ground")."""
        return self.broad_support is not None and self.broad_support >= BROAD_SUPPORT_BADGE

    @property
    def tag_list(self) -> list[str]:
        return [name for name in self.tag_names.split(",") if name]


class Idea(IdeaFacts, db.Model):
    """A post in a campaign. Tallies and scores are kept by the vote's own transaction."""
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=random_public_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(140))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus, "idea_status"),
                                               default=IdeaStatus.OPEN)
    supporters: Mapped[int] = mapped_column(default=0)
    opposers: Mapped[int] = mapped_column(default=0)
    score: Mapped[float] = mapped_column(default=0.0)  # Wilson lower bound of support
    hot: Mapped[float] = mapped_column(default=0.0)
    comment_count: Mapped[int] = mapped_column(default=0)
    tag_names: Mapped[str] = mapped_column(String(250), default="")  # denormalised for lists
    review_due_at: Mapped[datetime | None]  # while in the review queue; lists show overdue
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the time colleagues see and lists sort by: created_at, or for an anonymous post a time
    # drawn within the anonymity window before it (ideaboard/anonymity.py)
    public_at: Mapped[datetime] = mapped_column(default=same_as_created)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]  # moderation (0005): hidden pending review, or removed
    # collective wisdom (0012): the broad-support score and when it was fitted (None: fewer
    # than BROAD_SUPPORT_MIN_VOTES votes), and how often the idea was in an answered pair
    broad_support: Mapped[float | None]
    broad_support_at: Mapped[datetime | None]
    comparison_count: Mapped[int] = mapped_column(default=0)

    author: Mapped[User] = relationship(lazy="raise")
    campaign: Mapped[Campaign] = relationship(foreign_keys=[campaign_id], lazy="raise")
    tags: Mapped[list[Tag]] = relationship(secondary="idea_tag", lazy="raise",
                                           order_by="Tag.name")

    __table_args__ = (
        Index("ix_idea_top", "score", "id"),
        Index("ix_idea_hot", "hot", "id"),
        Index("ix_idea_new", "public_at", "id"),
        Index("ix_idea_discussed", "comment_count", "id"),
        Index("ix_idea_campaign_top", "campaign_id", "score", "id"),
        Index("ix_idea_author", "author_id"),
        Index("ix_idea_status_due", "status", "review_due_at"),
        # the review queue, soonest due first: read a page in index order with a LIMIT (0018)
        Index("ix_idea_review_queue", "review_due_at", "id",
              sqlite_where=text(in_review_queue_sql()),
              postgresql_where=text(in_review_queue_sql())),
        Index("ix_idea_decided", "decided_at", "id"),
        Index("ix_idea_broad_support", "broad_support", "id"),  # the Common ground list
        # partial: only for counting deleted ideas; a full index would tempt the planner
        # away from the sort indexes on "deleted_at IS NULL"
        Index("ix_idea_deleted", "deleted_at", sqlite_where=text("deleted_at IS NOT NULL"),
              postgresql_where=text("deleted_at IS NOT NULL")),
        CheckConstraint("supporters >= 0 AND opposers >= 0", name="tallies_not_negative"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def totals_hidden(self, now: datetime | None = None) -> bool:
        return self.campaign.totals_hidden(now)


class Vote(db.Model):
    """One per user per idea (support = +1, oppose = -1)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("idea_id", "user_id"),
        Index("ix_vote_user_idea", "user_id", "idea_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_support_or_oppose"),
    )


class Comment(db.Model):
    """Threaded reply on an idea; deleting keeps a tombstone so replies keep their place."""
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=random_public_id)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, "stance"), default=Stance.NEUTRAL)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    public_at: Mapped[datetime] = mapped_column(default=same_as_created)  # see Idea.public_at
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]  # moderation (0005): hidden pending review, or removed

    author: Mapped[User] = relationship(lazy="raise")
    idea: Mapped[Idea] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_comment_idea", "idea_id", "id"),
        Index("ix_comment_author", "author_id"),
        CheckConstraint("helpful_count >= 0", name="helpful_not_negative"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentVote(db.Model):
    """A "helpful" mark on a comment, one per user."""
    __tablename__ = "comment_vote"
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
