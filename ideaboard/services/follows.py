"""Following tags (ideas are followed through services.review.follow_idea)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ideaboard.database import write_transaction
from ideaboard.models import Tag, TagFollow, User
from ideaboard.services import InvalidInput
from ideaboard.services.ideas import normalise_tags


def follow_tag(user: User, name: str, following: bool) -> str:
    """Follow or stop following one tag; returns its normalised name. A tag nobody has used
    yet can be followed: ideas that carry it later will show up."""
    names = normalise_tags(name or "")
    if len(names) != 1:
        raise InvalidInput(_l("Name one tag to follow, e.g. process."))
    with write_transaction() as session:
        tag = session.scalar(select(Tag).where(Tag.name == names[0]))
        if following and tag is None:
            tag = Tag(name=names[0])
            session.add(tag)
            session.flush()
        if tag is None:
            return names[0]
        existing = session.get(TagFollow, (user.id, tag.id))
        if following and existing is None:
            session.add(TagFollow(user_id=user.id, tag_id=tag.id))
        elif not following and existing is not None:
            session.delete(existing)
    return names[0]
