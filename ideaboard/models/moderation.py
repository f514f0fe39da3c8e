"""Flags, what the authors were told about moderation, edit history and data exports."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import str_enum
from ideaboard.models.base import utcnow
from ideaboard.models.ideas import Comment, Idea
from ideaboard.models.plans import Critique

# Exactly one of the three targets is set (CASE, not boolean arithmetic: PostgreSQL too).
ONE_TARGET = ("(CASE WHEN idea_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN critique_id IS NULL THEN 0 ELSE 1 END) = 1")


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    PERSONAL_INFO = "personal_info"
    OTHER = "other"


class FlagResolution(enum.StrEnum):
    DISMISSED = "dismissed"
    HIDDEN = "hidden"
    RESTORED = "restored"
    REMOVED = "removed"
    EDITED = "edited"
    MERGED = "merged"


class Flag(db.Model):
    """One employee's report of an idea, a comment or a plan critique. One per user per item,
    ever."""
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    critique_id: Mapped[int | None] = mapped_column(
        ForeignKey("critique.id", ondelete="CASCADE"))
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason, "flag_reason"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[FlagResolution | None] = mapped_column(
        str_enum(FlagResolution, "flag_resolution"))

    __table_args__ = (
        UniqueConstraint("idea_id", "user_id"),
        UniqueConstraint("comment_id", "user_id"),
        UniqueConstraint("critique_id", "user_id"),
        CheckConstraint(ONE_TARGET, name="one_target"),
        Index("ix_flag_open", "resolved_at", "created_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class NoticeKind(enum.StrEnum):
    AUTO_HIDDEN = "auto_hidden"
    HIDDEN = "hidden"
    RESTORED = "restored"
    REMOVED = "removed"
    EDITED = "edited"
    REVEALED = "revealed"


class ModerationNotice(db.Model):
    """What an author is told when moderation touches their post. Never names the moderator.
    An idea or a comment names its idea; a plan critique names only itself."""
    __tablename__ = "moderation_notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    critique_id: Mapped[int | None] = mapped_column(
        ForeignKey("critique.id", ondelete="CASCADE"))
    reason_code: Mapped[FlagReason | None] = mapped_column(str_enum(FlagReason, "flag_reason"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    idea: Mapped[Idea | None] = relationship(lazy="raise")
    comment: Mapped[Comment | None] = relationship(lazy="raise")
    critique: Mapped[Critique | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_moderation_notice_user", "user_id", "id"),
        Index("ix_moderation_notice_idea", "idea_id", "user_id"),
        Index("ix_moderation_notice_critique", "critique_id", "user_id"),
    )


class ContentRevision(db.Model):
    """The text of an idea, comment or critique as it was before a moderator edited it."""
    __tablename__ = "content_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"),
                                                index=True)
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    critique_id: Mapped[int | None] = mapped_column(
        ForeignKey("critique.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(140))
    body: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(ONE_TARGET, name="one_target"),)


class ExportDataset(enum.StrEnum):
    IDEAS = "ideas"
    COMMENTS = "comments"
    VOTES = "votes"
    DECISIONS = "decisions"


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"


class DataExport(db.Model):
    """A generated export. Only its owner can download it, so it is kept with the owner's id
    (in the database, so every app server behind a load balancer can hand it out)."""
    __tablename__ = "data_export"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True,
                                       default=lambda: secrets.token_urlsafe(24))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    dataset: Mapped[ExportDataset] = mapped_column(str_enum(ExportDataset, "export_dataset"))
    file_format: Mapped[ExportFormat] = mapped_column(str_enum(ExportFormat, "export_format"))
    row_count: Mapped[int] = mapped_column(default=0)
    byte_size: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_data_export_owner", "owner_id", "id"),)

    @property
    def filename(self) -> str:
        return f"ideaboard-{self.dataset.value}-{self.created_at:%Y%m%d-%H%M}.{self.file_format}"
