"""Challenges to leadership's decisions and the colleagues who co-sign them."""
from __future__ import annotations

import enum
import math
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import User, open_enum, str_enum
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.models.ideas import Idea, IdeaStatus
from ideaboard.models.review import Decision, EscalationReason


class ChallengeStatus(enum.StrEnum):
    OPEN = "open"              # collecting co-signers until expires_at
    REOPENED = "reopened"      # reached its threshold: back in the queue before another leader
    UPHELD = "upheld"          # the second leader kept the decision
    OVERTURNED = "overturned"  # the second leader changed it
    EXPIRED = "expired"        # the window closed before the threshold was reached
    SUPERSEDED = "superseded"  # the decision changed before the threshold was reached
    CLOSED = "closed"          # an administrator closed it as abusive, with a reason


# Challenges still in play: at most one of them per decision (a partial unique index).
ACTIVE_CHALLENGE = (ChallengeStatus.OPEN, ChallengeStatus.REOPENED)
ANSWERED_CHALLENGE = (ChallengeStatus.UPHELD, ChallengeStatus.OVERTURNED)
# Decisions that can be challenged: the ones that need a public rationale.
CHALLENGEABLE_STATUSES = (IdeaStatus.ACCEPTED, IdeaStatus.DECLINED, IdeaStatus.NEEDS_INFO,
                          IdeaStatus.MERGED)
MIN_EVIDENCE_LENGTH = 30
MAX_EVIDENCE_LENGTH = 10_000


def standing_statuses(decision_status: IdeaStatus) -> tuple[IdeaStatus, ...]:
    """The idea statuses in which a decision still stands: an accepted idea being delivered
    is still standing on its acceptance; any other change means the decision changed."""
    if decision_status == IdeaStatus.ACCEPTED:
        return (IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
    return (decision_status,)


class Challenge(db.Model):
    """A request, with new evidence, to reconsider one decision; co-signed by colleagues.

    `threshold` and `expires_at` are fixed when the challenge is raised, so the finish line
    people see does not move under them when an administrator changes the settings.
    When the threshold is reached the idea goes back to the review queue: the idea's one
    escalation row is reused for the new round (reason "challenged", a new due date and a
    different owner), and the round it replaces is kept here in the `prior_*` columns, so
    the public timeline still shows how the idea first reached leadership.
    """
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=random_public_id)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    decision_status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus, "idea_status"))
    decider_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    evidence: Mapped[str] = mapped_column(Text)
    evidence_html: Mapped[str] = mapped_column(Text)
    status: Mapped[ChallengeStatus] = mapped_column(str_enum(ChallengeStatus,
                                                             "challenge_status"),
                                                    default=ChallengeStatus.OPEN)
    cosigner_count: Mapped[int] = mapped_column(default=0)
    threshold: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # the new round in the review queue, once the threshold is reached
    reopened_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    review_due_at: Mapped[datetime | None]
    # the round of review that the new one replaced on the escalation row
    prior_reason: Mapped[EscalationReason | None] = mapped_column(open_enum(EscalationReason))
    prior_note: Mapped[str] = mapped_column(Text, default="")
    prior_escalated_at: Mapped[datetime | None]
    prior_escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    prior_due_at: Mapped[datetime | None]
    # how it ended: answered by a leader, expired, superseded, or closed by an administrator
    answer_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    close_reason: Mapped[str] = mapped_column(Text, default="")

    idea: Mapped[Idea] = relationship(lazy="raise")
    decision: Mapped[Decision] = relationship(foreign_keys=[decision_id], lazy="raise")
    decider: Mapped[User] = relationship(foreign_keys=[decider_id], lazy="raise")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id], lazy="raise")
    prior_escalated_by: Mapped[User | None] = relationship(foreign_keys=[prior_escalated_by_id],
                                                           lazy="raise")
    answer_decision: Mapped[Decision | None] = relationship(foreign_keys=[answer_decision_id],
                                                            lazy="raise")

    __table_args__ = (
        Index("ix_challenge_idea", "idea_id", "id"),
        Index("ix_challenge_decision", "decision_id"),
        Index("ix_challenge_status_expires", "status", "expires_at"),
        # One challenge in play per decision: the database refuses a second one.
        Index("uq_challenge_active_decision", "decision_id", unique=True,
              sqlite_where=text("status IN ('open', 'reopened')"),
              postgresql_where=text("status IN ('open', 'reopened')")),
        CheckConstraint("cosigner_count >= 0", name="cosigner_count_not_negative"),
        CheckConstraint("threshold >= 1", name="threshold_positive"),
    )

    def is_collecting(self, now: datetime | None = None) -> bool:
        """Open and within its window (whether or not the scheduled job has run yet)."""
        return self.status == ChallengeStatus.OPEN and self.expires_at > (now or utcnow())

    def shown_status(self, idea_status: IdeaStatus, now: datetime | None = None
                     ) -> ChallengeStatus:
        """The status as it stands now: an open challenge past its window is expired, and
        one whose decision has changed is superseded, even before the job records it."""
        if self.status != ChallengeStatus.OPEN:
            return self.status
        if idea_status not in standing_statuses(self.decision_status):
            return ChallengeStatus.SUPERSEDED
        if self.expires_at <= (now or utcnow()):
            return ChallengeStatus.EXPIRED
        return ChallengeStatus.OPEN

    @property
    def cosigners_needed(self) -> int:
        return max(0, self.threshold - self.cosigner_count)

    @property
    def progress_percent(self) -> int:
        return min(100, math.floor(100 * self.cosigner_count / self.threshold))

    @property
    def colleagues(self) -> int:
        """Everyone who put their name to it: the challenger and the co-signers."""
        return self.cosigner_count + 1

    def days_left(self, now: datetime | None = None) -> int:
        return max(0, math.ceil((self.expires_at - (now or utcnow())).total_seconds() / 86400))


class ChallengeCosign(db.Model):
    """One colleague's signature under a challenge; one per person, never withdrawn."""
    __tablename__ = "challenge_cosign"
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"),
                                              primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_challenge_cosign_user", "user_id", "created_at"),)
