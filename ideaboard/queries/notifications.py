"""The inbox."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import Notification, NotificationPreference, User

# What an inbox item points at, loaded with it so rendering issues no further queries.
WITH_TARGETS = (joinedload(Notification.idea), joinedload(Notification.campaign))


def unread_count(user: User | None) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def inbox(user: User, limit: int = 50, before_id: int | None = None) -> list[Notification]:
    query = (select(Notification).where(Notification.user_id == user.id)
             .options(*WITH_TARGETS)
             .order_by(Notification.id.desc())
             .limit(limit))
    if before_id:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query))


def current_preferences(user: User) -> list[NotificationPreference]:
    return list(db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id)))
