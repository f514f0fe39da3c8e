"""Escalation rule, escalations, decisions (the public timeline), follows and the audit log."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import User, open_enum, str_enum
from ideaboard.models.base import same_as_created, utcnow
from ideaboard.models.ideas import Campaign, Idea, IdeaStatus


class EscalationReason(enum.StrEnum):
    THRESHOLD_MET = "threshold_met"
    PULLED_BY_LEADER = "pulled_by_leader"
    RAISED_BY_ADMIN = "raised_by_admin"
    FUNDED = "funded"            # a funding round's backers funded it
    CHALLENGED = "challenged"    # colleagues' challenge reopened a decision


class SiteSettings(db.Model):
    """One row of settings admins change in the web UI, without a deploy."""
    __tablename__ = "site_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_min_supporters: Mapped[int] = mapped_column(default=10)
    escalation_min_supporters_percent: Mapped[float | None]  # of active employees, if set
    escalation_min_wilson: Mapped[float] = mapped_column(default=0.6)
    review_sla_days: Mapped[int] = mapped_column(default=14)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # --- moderation and administration (0005_moderation); services/settings.py reads them.
    # An empty (NULL) value means "use the configuration's value".
    flag_threshold: Mapped[int] = mapped_column(default=3)  # distinct flaggers that hide
    small_group_minimum: Mapped[int] = mapped_column(default=5)  # smallest group shown
    allowed_signup_domains: Mapped[str | None] = mapped_column(Text)  # comma-separated
    ratelimit_login: Mapped[str | None] = mapped_column(String(60))
    ratelimit_signup: Mapped[str | None] = mapped_column(String(60))
    ratelimit_post: Mapped[str | None] = mapped_column(String(60))
    ratelimit_comment: Mapped[str | None] = mapped_column(String(60))
    ratelimit_vote: Mapped[str | None] = mapped_column(String(60))
    ratelimit_flag: Mapped[str | None] = mapped_column(String(60))
    smtp_host: Mapped[str | None] = mapped_column(String(255))
    smtp_port: Mapped[int | None]
    smtp_security: Mapped[str | None] = mapped_column(String(10))  # starttls, ssl or none
    smtp_username: Mapped[str | None] = mapped_column(String(255))
    smtp_from: Mapped[str | None] = mapped_column(String(255))  # the password stays in config
    # --- end moderation and administration
    # --- privacy (0010_privacy)
    read_requires_sign_in: Mapped[bool] = mapped_column(default=True)  # an internal platform
    anonymity_window_minutes: Mapped[int] = mapped_column(default=60)
    # collective wisdom (0012): "and broad support at least B"; None leaves the clause out
    escalation_min_broad_support: Mapped[float | None]
    # funding and delivery (0014): days without a progress update before a delivery is
    # marked stalled; NULL means the configuration's DELIVERY_STALLED_DAYS
    stalled_after_days: Mapped[int | None]
    # --- challenges and the track record (0015_challenges); services/settings.py reads them
    challenge_min_cosigners: Mapped[int] = mapped_column(default=10)
    challenge_min_cosigners_percent: Mapped[float | None]  # of active employees, if set
    challenge_window_days: Mapped[int] = mapped_column(default=30)
    track_record_leaders_only: Mapped[bool] = mapped_column(default=False)
    # --- end challenges


class Escalation(db.Model):
    """Why and when an idea entered the review queue, its due date and its owner.

    One per idea: the unique constraint is the last line of defence for "exactly once".
    """
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[EscalationReason] = mapped_column(open_enum(EscalationReason))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    claimed_at: Mapped[datetime | None]
    overdue_notified_at: Mapped[datetime | None]

    idea: Mapped[Idea] = relationship(lazy="raise")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="raise")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")

    __table_args__ = (Index("ix_escalation_due", "due_at"),
                      # the review queue's "newest first" (0016)
                      Index("ix_escalation_created", "created_at", "id"))


class Decision(db.Model):
    """A step on an idea's public timeline after escalation: a status and its rationale."""
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus, "idea_status"))
    rationale: Mapped[str] = mapped_column(Text, default="")
    rationale_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")
    idea: Mapped[Idea] = relationship(foreign_keys=[idea_id], lazy="raise")
    merged_into: Mapped[Idea | None] = relationship(foreign_keys=[merged_into_id], lazy="raise")

    __table_args__ = (
        Index("ix_decision_idea", "idea_id", "id"),
        Index("ix_decision_created", "created_at", "id"),
    )


class InfoAnswer(db.Model):
    """The author's answer when leadership asked for more information (status needs_info),
    given in place on the idea page; it sends the idea back under review and is shown on
    the public timeline. Anonymous like the idea: "the author", the day only."""
    __tablename__ = "info_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    public_at: Mapped[datetime] = mapped_column(default=same_as_created)

    author: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (Index("ix_info_answer_idea", "idea_id", "id"),)


class IdeaFollow(db.Model):
    __tablename__ = "idea_follow"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_idea_follow_idea", "idea_id"),)


class AuditEntry(db.Model):
    """Append-only record of every privileged act: who, what, to what, why, when."""
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_audit_entry_created", "created_at", "id"),
        Index("ix_audit_entry_actor", "actor_id", "id"),
        Index("ix_audit_entry_action", "action", "id"),
    )


class NotificationKind(enum.StrEnum):
    ESCALATED = "escalated"
    DECISION = "decision"
    COMMENT_ON_IDEA = "comment_on_idea"
    REPLY = "reply"
    QUEUE_NEW = "queue_new"
    QUEUE_OVERDUE = "queue_overdue"
    CAMPAIGN_OUTCOME = "campaign_outcome"
    CRITIQUE_ANSWERED = "critique_answered"
    ANONYMITY_REVEALED = "anonymity_revealed"  # an admin looked up who wrote an anonymous post
    # funding and delivery (issue 14)
    FUNDING_RESULT = "funding_result"      # the author: funded or not, at the round's close
    FUNDING_BACKED = "funding_backed"      # each backer of an idea that was funded
    FUNDING_ANSWER = "funding_answer"      # leadership released the funds, or declined
    PLEDGE_NEW = "pledge_new"              # the author or owner: someone offered time
    TEAM_INVITE = "team_invite"            # a pledger is invited into the team
    DELIVERY_UPDATE = "delivery_update"    # progress update, or delivered (status "done")
    DELIVERY_STALLED = "delivery_stalled"  # the owner and the deciding leader
    # challenges (issue 15): status holds the idea's new status, or how a challenge ended
    CHALLENGE_RAISED = "challenge_raised"
    CHALLENGE_REOPENED = "challenge_reopened"
    CHALLENGE_UPHELD = "challenge_upheld"
    CHALLENGE_OVERTURNED = "challenge_overturned"
    CHALLENGE_ENDED = "challenge_ended"
    # the four scenes (issue 12): the author answered leadership's request for information
    INFO_ANSWERED = "info_answered"


class Notification(db.Model):
    """An inbox item. Text is rendered when shown, in the reader's language."""
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(open_enum(NotificationKind))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    status: Mapped[str | None] = mapped_column(String(20))  # the idea's status it announces
    # who acted (a leader deciding, an admin) — never set for anonymous content
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(Text)  # a reason or rationale to quote
    # when it reaches the inbox: now, or for news of anonymous content the next batch
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    idea: Mapped[Idea | None] = relationship(lazy="raise")
    campaign: Mapped[Campaign | None] = relationship(lazy="raise")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")

    __table_args__ = (
        Index("ix_notification_user", "user_id", "created_at", "id"),
        Index("ix_notification_unread", "user_id", "read_at"),
    )


class NotificationPreference(db.Model):
    """Opt-outs: a missing row means the default (in-app and e-mail on)."""
    __tablename__ = "notification_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(open_enum(NotificationKind),
                                                   primary_key=True)
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=True)


class OutboxMessage(db.Model):
    """E-mail waiting to be sent, written in the same transaction as the event.

    The worker renders it at send time in the recipient's language, claims rows before
    sending so two workers never send the same one, and retries with back-off.
    """
    __tablename__ = "outbox_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="notification")  # or a digest
    # Sign-up verification and password reset links (identity, issue 19)
    account_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_token.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_pending", "sent_at", "send_after"),
                      UniqueConstraint("user_id", "notification_id", "kind"))
