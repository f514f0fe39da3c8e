"""Threaded comments with a stance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select, update

from ideaboard.anonymity import timing, will_be_anonymous
from ideaboard.database import write_transaction
from ideaboard.models import Comment, Idea, NotificationKind, Stance, User
from ideaboard.models.base import utcnow
from ideaboard.permissions import can_edit_comment
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.notifications import fan_out
from ideaboard.services.settings import anonymity_window
from ideaboard.text import render_markdown
from ideaboard.visibility import ensure_can_act, ensure_comment_open

MAX_COMMENT_LENGTH = 10_000
MAX_DEPTH = 4  # deeper replies attach at this depth so threads stay readable on phones


def _validate_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput(_l("Write something before posting."))
    if len(body) > MAX_COMMENT_LENGTH:
        raise InvalidInput(_l("Keep comments to %(n)d characters.", n=MAX_COMMENT_LENGTH))
    return body


def add_comment(author: User, idea: Idea, *, body: str, stance: Stance,
                parent: Comment | None = None, anonymous: bool = False) -> Comment:
    body = _validate_body(body)
    state = state_of_idea_of(idea)
    ensure_can_act(author, state)
    if parent is not None:
        if parent.idea_id != idea.id:
            raise InvalidInput(_l("That reply belongs to another discussion."))
        ensure_comment_open(author, parent, state)
    campaign = idea.campaign
    if not campaign.is_open():
        raise NotAllowed(_l("This campaign is closed; its discussion is read-only."))
    anonymous = will_be_anonymous(campaign, anonymous)
    body_html = render_markdown(body)  # before the write lock: other writers wait on it
    with write_transaction() as session:
        when = timing(anonymous, anonymity_window(session))
        comment = Comment(idea_id=idea.id, parent_id=parent.id if parent else None,
                          author_id=author.id, stance=stance, body=body, body_html=body_html,
                          is_anonymous=anonymous,
                          depth=min(parent.depth + 1, MAX_DEPTH) if parent else 0,
                          created_at=when.created_at, public_at=when.public_at,
                          updated_at=when.created_at)
        session.add(comment)
        session.execute(update(Idea).where(Idea.id == idea.id)
                        .values(comment_count=Idea.comment_count + 1))
        session.flush()
        fan_out(session, NotificationKind.COMMENT_ON_IDEA,
                select(literal(idea.author_id).label("user_id")), idea_id=idea.id,
                comment_id=comment.id, exclude_user_id=author.id, at=when.news_at)
        if parent is not None and parent.author_id != idea.author_id:
            fan_out(session, NotificationKind.REPLY,
                    select(literal(parent.author_id).label("user_id")), idea_id=idea.id,
                    comment_id=comment.id, exclude_user_id=author.id, at=when.news_at)
    return comment


def edit_comment(user: User, comment: Comment, *, body: str, stance: Stance) -> None:
    if not can_edit_comment(user, comment):
        raise NotAllowed(_l("Only the author can edit this comment."))
    body = _validate_body(body)
    body_html = render_markdown(body)
    with write_transaction() as session:
        comment.body, comment.body_html = body, body_html
        comment.stance, comment.updated_at = stance, utcnow()
        session.add(comment)


def delete_comment(user: User, comment: Comment) -> None:
    """Tombstone: replies keep their place under "comment deleted"."""
    if not can_edit_comment(user, comment):
        raise NotAllowed(_l("Only the author can delete this comment."))
    with write_transaction() as session:
        comment.deleted_at = utcnow()
        comment.body = comment.body_html = ""
        session.add(comment)
        session.execute(update(Idea).where(Idea.id == comment.idea_id)
                        .values(comment_count=Idea.comment_count - 1))
