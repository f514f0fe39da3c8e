"""Who may do what: every "may this user do X to Y", for services (to refuse) and
templates (to show, or to disable with a reason) alike. Visibility — whether an idea is
there at all for someone — is ideaboard/visibility.py, which these build on."""
from __future__ import annotations

from ideaboard.models import (
    Campaign,
    CampaignKind,
    Challenge,
    ChallengeStatus,
    Comment,
    Critique,
    FundingRound,
    Idea,
    IdeaStatus,
    Role,
    User,
)
from ideaboard.models.delivery import DELIVERY_STATUSES, PLEDGE_STATUSES
from ideaboard.models.funding import ENTRY_STATUSES
from ideaboard.visibility import Access, IdeaState, idea_access, open_to_action

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


def why_not_vote(user: User | None, idea: Idea) -> str | None:
    """Why `user` may not support or oppose `idea` now ("signed_out", "gone", "own",
    "closed", "upcoming"), or None when they may; the vote buttons say it in words and
    the vote service refuses the same cases. `idea.campaign` must be loaded."""
    if not is_signed_in(user):
        return "signed_out"
    if not can_act_on_idea(user, idea):
        return "gone"
    if idea.author_id == user.id:
        return "own"
    return why_campaign_is_shut(idea.campaign)


def can_vote_on_idea(user: User | None, idea: Idea) -> bool:
    return why_not_vote(user, idea) is None


def why_not_comment(user: User | None, idea: Idea) -> str | None:
    """Why `user` may not join the discussion of `idea` now ("signed_out", "gone",
    "closed", "upcoming"), or None; the comment form is shown disabled with the reason."""
    if not is_signed_in(user):
        return "signed_out"
    if not can_act_on_idea(user, idea):
        return "gone"
    return why_campaign_is_shut(idea.campaign)


def can_answer_information_request(user: User | None, idea: Idea) -> bool:
    """Leadership asked for more information: the idea's author answers in place."""
    return (is_signed_in(user) and idea.author_id == user.id
            and idea.status == IdeaStatus.NEEDS_INFO and can_act_on_idea(user, idea))


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


def why_campaign_is_shut(campaign: Campaign) -> str | None:
    """Why nobody may vote, comment, critique or nominate in `campaign` now: "upcoming" (not
    open yet) or "closed" (past its closing date, closed early or answered); None while
    it is open. Services refuse with `campaign.is_open()`, the same dates."""
    if campaign.is_upcoming():
        return "upcoming"
    if not campaign.is_open():
        return "closed"
    return None


def can_take_part(user: User | None, campaign: Campaign) -> bool:
    return is_signed_in(user) and why_campaign_is_shut(campaign) is None


def why_not_close_campaign(user: User | None, campaign: Campaign) -> str | None:
    """Why `user` may not close `campaign` now ("not_owner", "standing", "closed",
    "upcoming"), or None when "Close now" is theirs to press."""
    if not can_manage_campaign(user, campaign):
        return "not_owner"
    if campaign.is_standing:
        return "standing"
    return why_campaign_is_shut(campaign)


def why_not_reopen_campaign(user: User | None, campaign: Campaign) -> str | None:
    """Why `user` may not reopen `campaign` ("not_owner", "open", "answered"), or None.
    Once the outcome is published people have read the answer: the votes under it stay."""
    if not can_manage_campaign(user, campaign):
        return "not_owner"
    if not campaign.is_closed():
        return "open"
    if campaign.outcome_published_at is not None:
        return "answered"
    return None


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


# --- funding and delivery (issue 14) ------------------------------------------------------

def _visible(idea: Idea) -> bool:
    """Not hidden, merged or deleted: open to action (ideaboard/visibility.py)."""
    return open_to_action(IdeaState.of(idea))


def can_open_funding_round(user: User | None) -> bool:
    return is_leader(user)


def can_manage_funding_round(user: User | None, funding_round: FundingRound) -> bool:
    """The round's owner and admins edit it and close it early."""
    return is_signed_in(user) and (funding_round.owner_id == user.id or is_admin(user))


def can_see_round_report(user: User | None, funding_round: FundingRound) -> bool:
    return is_signed_in(user) and (funding_round.owner_id == user.id or is_leader(user))


def can_enter_idea(user: User | None, idea: Idea) -> bool:
    """Authors enter their own named ideas: money and people go to a named owner."""
    return (is_signed_in(user) and idea.author_id == user.id and not idea.is_anonymous
            and _visible(idea) and idea.status in ENTRY_STATUSES)


def why_not_back(user: User | None, funding_round: FundingRound, idea: Idea) -> str | None:
    """Why `user` may not give points to `idea` in the round now ("closed", "signed_out",
    "own", "department", "upcoming", "gone"), or None when they may; templates say it in
    words. The service checks again, under lock."""
    if funding_round.is_closed:
        return "closed"
    if not is_signed_in(user):
        return "signed_out"
    if idea.author_id == user.id:
        return "own"
    if not funding_round.is_eligible(user):
        return "department"
    if funding_round.is_upcoming():
        return "upcoming"
    if not funding_round.is_open() or not _visible(idea) or idea.status not in ENTRY_STATUSES:
        return "gone"
    return None


def can_pledge(user: User | None, idea: Idea) -> bool:
    return (is_signed_in(user) and idea.author_id != user.id and _visible(idea)
            and idea.status in PLEDGE_STATUSES)


def can_see_pledgers(user: User | None, idea: Idea, owner_id: int | None) -> bool:
    """Pledgers' names are for the author, the delivery owner and leaders only."""
    return is_signed_in(user) and (user.id in (idea.author_id, owner_id) or is_leader(user))


def can_manage_team(user: User | None, idea: Idea, owner_id: int | None) -> bool:
    """The author forms the team; once the idea is accepted, its owner (or a leader) does."""
    if not is_signed_in(user) or not _visible(idea):
        return False
    if idea.status in DELIVERY_STATUSES:
        return user.id == owner_id or is_leader(user)
    return idea.status in PLEDGE_STATUSES and user.id == idea.author_id


def can_run_delivery(user: User | None, idea: Idea, owner_id: int | None) -> bool:
    """Milestones, progress updates, start and finish: the owner, or a leader."""
    return (is_signed_in(user) and _visible(idea) and idea.status in DELIVERY_STATUSES
            and (user.id == owner_id or is_leader(user)))


# --- challenges, track record and analytics (issue 15) --------------------------------------

def can_raise_challenge(user: User | None, decider_id: int) -> bool:
    """Anyone signed in may challenge a decision, except the leader who made it."""
    return is_signed_in(user) and user.id != decider_id


def can_cosign_challenge(user: User | None, challenge: Challenge) -> bool:
    """One signature per colleague; the challenger and the deciding leader cannot sign."""
    return (is_signed_in(user) and challenge.is_collecting()
            and user.id not in (challenge.author_id, challenge.decider_id))


def can_answer_challenge(user: User | None, challenge: Challenge) -> bool:
    """A reopened decision is answered by a leader other than the one who made it (and not
    by the challenger, who should not judge their own challenge)."""
    return (is_leader(user) and challenge.status == ChallengeStatus.REOPENED
            and user.id not in (challenge.decider_id, challenge.author_id))


def can_close_challenge(user: User | None, challenge: Challenge) -> bool:
    """Administrators close abusive challenges while they gather co-signers; once one has
    reached its threshold, a leader answers it in public instead."""
    return is_admin(user) and challenge.status == ChallengeStatus.OPEN


def can_read_challenge_evidence(user: User | None, challenge: Challenge) -> bool:
    """A closed (abusive) challenge keeps its reason public but its text only for its author
    and administrators."""
    return challenge.status != ChallengeStatus.CLOSED or is_admin(user) or (
        is_signed_in(user) and user.id == challenge.author_id)


def can_view_track_record(user: User | None) -> bool:
    from ideaboard.services.settings import track_record_leaders_only  # reads the settings row

    return is_signed_in(user) and (is_leader(user) or not track_record_leaders_only())


def can_view_analytics(user: User | None) -> bool:
    return is_leader(user)


# --- integrations (issue 20) ----------------------------------------------------------------

def can_revoke_token(user: User | None, token) -> bool:
    """People revoke their own API tokens; administrators revoke anyone's, and SCIM tokens."""
    from ideaboard.models import TokenKind

    if not is_signed_in(user):
        return False
    if is_admin(user):
        return True
    return token.kind == TokenKind.PERSONAL and token.user_id == user.id


def department_and_level_are_self_declared() -> bool:
    """While the directory syncs accounts (SCIM), it owns department and level: they feed
    the small-group rule and the analytics, so nobody sets their own, on sign-up or after."""
    from ideaboard.queries.integrations import directory_sync_on

    return not directory_sync_on()


def can_edit_own_department_and_level(user: User | None) -> bool:
    return is_signed_in(user) and department_and_level_are_self_declared()
