"""Typed SQLAlchemy models; import them from here."""
from ideaboard.models.accounts import Department, Invite, Level, LoginSession, Role, User
from ideaboard.models.ideas import (
    Anonymity,
    Campaign,
    CampaignKind,
    Comment,
    CommentVote,
    Idea,
    IdeaStatus,
    IdeaTag,
    Stance,
    Tag,
    Vote,
)
from ideaboard.models.review import (
    AuditEntry,
    Decision,
    Escalation,
    EscalationReason,
    IdeaFollow,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    SiteSettings,
)

__all__ = [
    "AuditEntry", "Decision", "Escalation", "EscalationReason", "IdeaFollow", "Notification",
    "NotificationKind", "NotificationPreference", "OutboxMessage", "SiteSettings",
    "Anonymity", "Campaign", "CampaignKind", "Comment", "CommentVote", "Department", "Idea",
    "IdeaStatus", "IdeaTag", "Invite", "Level", "LoginSession", "Role", "Stance", "Tag", "User",
    "Vote",
]
