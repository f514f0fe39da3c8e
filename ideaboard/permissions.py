"""Who may do what, for views and templates alike."""
from __future__ import annotations

from ideaboard.models import Challenge, ChallengeStatus, Comment, Idea, Role, User


def is_signed_in(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_edit_idea(user: User | None, idea: Idea) -> bool:
    return is_signed_in(user) and not idea.is_deleted and idea.author_id == user.id


def can_vote_on_idea(user: User | None, idea: Idea) -> bool:
    return is_signed_in(user) and not idea.is_deleted and idea.author_id != user.id


def can_edit_comment(user: User | None, comment: Comment) -> bool:
    return is_signed_in(user) and not comment.is_deleted and comment.author_id == user.id


def can_mark_helpful(user: User | None, comment: Comment) -> bool:
    return is_signed_in(user) and not comment.is_deleted and comment.author_id != user.id


def is_leader(user: User | None) -> bool:
    return is_signed_in(user) and user.has_role(Role.LEADER)


def is_admin(user: User | None) -> bool:
    return is_signed_in(user) and user.has_role(Role.ADMIN)


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
