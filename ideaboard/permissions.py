"""Who may do what, for views and templates alike."""
from __future__ import annotations

from ideaboard.models import Comment, Idea, Role, User


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
