"""Reads about one's own account."""
from __future__ import annotations

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import LoginSession, User


def session_count(user: User) -> int:
    """How many browsers are signed in as this user (this one included)."""
    return db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id))
