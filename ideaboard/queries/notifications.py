"""The inbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, func, select, tuple_
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from ideaboard.extensions import db
from ideaboard.models import Notification, NotificationPreference, User
from ideaboard.models.base import fits_database_integer, utcnow
from ideaboard.queries.ideas import pack_cursor, unpack_cursor

# What an inbox item points at, loaded with it so rendering issues no further queries.
WITH_TARGETS = (joinedload(Notification.idea), joinedload(Notification.campaign),
                joinedload(Notification.actor))
INBOX_PAGE = 50


def delivered_to(user_id: int, now: datetime | None = None) -> ColumnElement[bool]:
    """A user's inbox items that have arrived: news of anonymous content is held back until
    its batch (Notification.created_at in the future until then)."""
    return and_(Notification.user_id == user_id, Notification.created_at <= (now or utcnow()))


def unread_count(user: User | None) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        delivered_to(user.id), Notification.read_at.is_(None)))


def unread_items(user: User, since: datetime | None, limit: int = 50) -> Select:
    """Unread, delivered items newest first (the e-mail digest)."""
    query = (select(Notification).where(delivered_to(user.id), Notification.read_at.is_(None))
             .options(*WITH_TARGETS)
             .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    if since is not None:
        query = query.where(Notification.created_at > since)
    return query


def inbox(user: User, before: str | None = None,
          limit: int = INBOX_PAGE) -> tuple[list[Notification], str | None]:
    """One page of delivered items, newest first, and the cursor of the next page. Ordered by
    arrival, not by id: an item held back for its batch sorts where it arrived."""
    query = (select(Notification).where(delivered_to(user.id)).options(*WITH_TARGETS)
             .order_by(Notification.created_at.desc(), Notification.id.desc())
             .limit(limit + 1))
    position = unpack_cursor(before)
    if position and len(position) == 2:
        try:
            moment, item_id = datetime.fromisoformat(position[0]), position[1]
        except (TypeError, ValueError):
            moment = None
        if moment is not None and fits_database_integer(item_id):
            query = query.where(tuple_(Notification.created_at, Notification.id)
                                < tuple_(moment, item_id))
    items = list(db.session.scalars(query))
    more = items[limit - 1] if len(items) > limit else None
    cursor = pack_cursor([more.created_at.isoformat(), more.id]) if more else None
    return items[:limit], cursor


def current_preferences(user: User) -> list[NotificationPreference]:
    return list(db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id)))
