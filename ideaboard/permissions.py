"""Who may do what: every "may this user do X to Y", for services (to refuse) and
templates (to show, or to disable with a reason) alike. Visibility — whether an idea is
there at all for someone — is ideaboard/visibility.py, which these build on."""
from __future__ import annotations

from ideaboard.models import (
    Campaign,
    CampaignKind,
    Comment,
    Critique,
    Idea,
    IdeaStatus,
    Role,
    User,
)
from ideaboard.visibility import Access, IdeaState, idea_access

REVIEW_STATUSES = (IdeaStatus.ESCALATED, IdeaStatus.UNDER_REVIEW, IdeaStatus.NEEDS_INFO)


def is_signed_in(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_leader(user: User | None) -> bool:
    return is_signed_in(user) and user.has_role(Role.LEADER)


def is_admin(user: User | None) -> bool:
    return is_signed_in(user) and user.has_role(Role.ADMIN)


# --- ideas and comments ---------------------------------------------------------------------

def can_edit_idea(user: User | None, idea: Idea) -> bool:
    return is_signed_in(user) and not idea.is_deleted and idea.author_id == user.id


def can_act_on_idea(user: User | None, idea: Idea) -> bool:
    """Open to votes, comments, marks, follows and flags (not hidden, merged or deleted)."""
    return is_signed_in(user) and idea_access(user, IdeaState.of(idea)) == Access.ACT


def can_vote_on_idea(user: User | None, idea: Idea) -> bool:
    return can_act_on_idea(user, idea) and idea.author_id != user.id


def can_edit_comment(user: User | None, comment: Comment) -> bool:
    return is_signed_in(user) and not comment.is_deleted and comment.author_id == user.id


def can_mark_helpful(user: User | None, comment: Comment) -> bool:
    return (is_signed_in(user) and not comment.is_deleted and comment.hidden_at is None
            and comment.author_id != user.id)


def can_flag(user: User | None, item: Idea | Comment | Critique) -> bool:
    """Anyone signed in may report someone else's post once it is there to report."""
    return (is_signed_in(user) and item.author_id != user.id and not item.is_deleted
            and item.hidden_at is None)


def can_merge(user: User | None, idea: Idea) -> bool:
    """Admins merge any duplicate; leaders merge an idea they are deciding in the queue."""
    if is_admin(user):
        return True
    return is_leader(user) and idea.status in REVIEW_STATUSES


# --- campaigns and plans --------------------------------------------------------------------

def can_manage_campaign(user: User | None, campaign: Campaign) -> bool:
    """Owners and admins edit a campaign, close or reopen it and publish its outcome."""
    return is_signed_in(user) and (campaign.owner_id == user.id or is_admin(user))


def can_post_in_campaign(user: User | None, campaign: Campaign) -> bool:
    """Anyone may post while a campaign is open; consultations may restrict nominations to
    the owner; plan reviews take critiques of their sections instead of posts."""
    if not is_signed_in(user) or not campaign.is_open():
        return False
    if campaign.kind == CampaignKind.PLAN_REVIEW:
        return False
    if campaign.kind == CampaignKind.CONSULTATION and not campaign.allow_nominations:
        return can_manage_campaign(user, campaign)
    return True


def can_manage_plan(user: User | None, campaign: Campaign) -> bool:
    """The campaign's owner or an admin writes the plan, its rubric and the answers."""
    return can_manage_campaign(user, campaign)


def can_see_plan_report(user: User | None, campaign: Campaign) -> bool:
    return can_manage_plan(user, campaign) or is_leader(user)
