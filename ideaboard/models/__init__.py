"""Typed SQLAlchemy models; import them from here."""
from ideaboard.models.accounts import (
    AccountToken,
    Department,
    ExternalIdentity,
    Invite,
    Level,
    LoginSession,
    Role,
    TokenPurpose,
    User,
)
from ideaboard.models.analytics import (  # analytics (issue 15)
    Participation,
    ParticipationTotal,
)
from ideaboard.models.challenges import (  # challenges (issue 15)
    Challenge,
    ChallengeCosign,
    ChallengeStatus,
)
from ideaboard.models.delivery import (  # funding and delivery (issue 14)
    Delivery,
    DeliveryUpdate,
    Milestone,
    Pledge,
    PledgeStatus,
)
from ideaboard.models.discovery import SearchDocument, TagFollow
from ideaboard.models.funding import (  # funding and delivery (issue 14)
    DivisionRule,
    FundingAllocation,
    FundingAnswer,
    FundingEntry,
    FundingRound,
    FundingRoundDepartment,
    FundingWallet,
)
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
from ideaboard.models.integrations import (  # integrations (issue 20)
    ApiToken,
    DirectoryAccount,
    EventKind,
    TokenKind,
    TokenScope,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookFormat,
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
from ideaboard.models.pairwise import PairwiseChoice  # collective wisdom (issue 16)
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
    InfoAnswer,
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
    "InfoAnswer",
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
__all__ += ["AccountToken", "ExternalIdentity", "TokenPurpose"]  # identity (issue 19)
__all__ += ["PairwiseChoice"]  # collective wisdom (issue 16)
__all__ += [  # funding and delivery (issue 14)
    "Delivery",
    "DeliveryUpdate",
    "DivisionRule",
    "FundingAllocation",
    "FundingAnswer",
    "FundingEntry",
    "FundingRound",
    "FundingRoundDepartment",
    "FundingWallet",
    "Milestone",
    "Pledge",
    "PledgeStatus",
]
__all__ += ["Challenge", "ChallengeCosign", "ChallengeStatus",  # challenges (issue 15)
            "Participation", "ParticipationTotal"]
__all__ += ["ApiToken", "DirectoryAccount", "EventKind", "TokenKind",  # issue 20
            "TokenScope", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent", "WebhookFormat"]
