"""Typed SQLAlchemy models; import them from here."""
from ideaboard.models.accounts import Department, Invite, Level, LoginSession, Role, User
from ideaboard.models.analytics import (  # analytics (issue 15)
    Participation,
    ParticipationTotal,
)
from ideaboard.models.challenges import (  # challenges (issue 15)
    Challenge,
    ChallengeCosign,
    ChallengeStatus,
)
from ideaboard.models.discovery import SearchDocument, TagFollow
from ideaboard.models.ideas import (
    Anonymity,
    Campaign,
    CampaignFollow,
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
from ideaboard.models.moderation import (  # moderation and administration (issue 7)
    ContentRevision,
    DataExport,
    ExportDataset,
    ExportFormat,
    Flag,
    FlagReason,
    FlagResolution,
    ModerationNotice,
    NoticeKind,
)
from ideaboard.models.plans import (
    Criterion,
    Critique,
    CritiqueRating,
    CritiqueReply,
    CritiqueStance,
    CritiqueVote,
    Plan,
    Section,
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
    "Anonymity",
    "AuditEntry",
    "Campaign",
    "CampaignFollow",
    "CampaignKind",
    "Comment",
    "CommentVote",
    "Criterion",
    "Critique",
    "CritiqueRating",
    "CritiqueReply",
    "CritiqueStance",
    "CritiqueVote",
    "Decision",
    "Department",
    "Escalation",
    "EscalationReason",
    "Idea",
    "IdeaFollow",
    "IdeaStatus",
    "IdeaTag",
    "Invite",
    "Level",
    "LoginSession",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OutboxMessage",
    "Plan",
    "Role",
    "SearchDocument",
    "Section",
    "SiteSettings",
    "Stance",
    "Tag",
    "TagFollow",
    "User",
    "Vote",
]
__all__ += [  # moderation and administration (issue 7)
    "ContentRevision",
    "DataExport",
    "ExportDataset",
    "ExportFormat",
    "Flag",
    "FlagReason",
    "FlagResolution",
    "ModerationNotice",
    "NoticeKind",
]
__all__ += ["Challenge", "ChallengeCosign", "ChallengeStatus",  # challenges (issue 15)
            "Participation", "ParticipationTotal"]
