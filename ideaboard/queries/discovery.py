"""Discovery: the Following page, My activity, feeds and filter choices. Every list is
bounded; nothing here shows deleted content, and anonymity is left to the author macro."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    Campaign,
    CampaignFollow,
    Comment,
    Decision,
    Idea,
    IdeaFollow,
    IdeaStatus,
    IdeaTag,
    Tag,
    TagFollow,
    User,
    Vote,
)
from ideaboard.queries.ideas import decode_cursor, encode_cursor, listed_ideas
from ideaboard.visibility import readable_ideas

FEED_LENGTH = 30
ACTIVITY_LENGTH = 20
CAMPAIGN_CHOICES = 50


@dataclass
class FollowingPage:
    items: list[Idea]
    next_cursor: str | None
    tags: list[tuple[str, int]]
    following_ideas: int
    campaigns: list[tuple[str, str]]  # slug, title


def followed_campaigns(user: User) -> list[tuple[str, str]]:
    return [(slug, title) for slug, title in db.session.execute(
        select(Campaign.slug, Campaign.title)
        .join(CampaignFollow, CampaignFollow.campaign_id == Campaign.id)
        .where(CampaignFollow.user_id == user.id).order_by(Campaign.title))]


def followed_tag_names(user: User) -> list[tuple[str, int]]:
    return [(name, uses) for name, uses in db.session.execute(
        select(Tag.name, Tag.use_count).join(TagFollow, TagFollow.tag_id == Tag.id)
        .where(TagFollow.user_id == user.id).order_by(Tag.name))]


def is_following_tag(user: User | None, name: str | None) -> bool:
    if not name or user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(TagFollow.tag_id).join(Tag, Tag.id == TagFollow.tag_id)
        .where(TagFollow.user_id == user.id, Tag.name == name)) is not None


def following(user: User, cursor: str | None = None, limit: int = 30) -> FollowingPage:
    """Newest ideas the user follows one by one, or in a campaign or with a tag the user
    follows (keyset)."""
    followed_ideas = select(IdeaFollow.idea_id).where(IdeaFollow.user_id == user.id)
    tagged = (select(IdeaTag.idea_id).join(TagFollow, TagFollow.tag_id == IdeaTag.tag_id)
              .where(TagFollow.user_id == user.id))
    in_campaigns = select(CampaignFollow.campaign_id).where(CampaignFollow.user_id == user.id)
    query = (listed_ideas(user).where(or_(Idea.id.in_(followed_ideas), Idea.id.in_(tagged),
                                     Idea.campaign_id.in_(in_campaigns)))
             .options(joinedload(Idea.author), joinedload(Idea.campaign)))  # as list_ideas
    after = decode_cursor("new", cursor)
    if after is not None:
        query = query.where(tuple_(Idea.public_at, Idea.id) < tuple_(*after))
    items = list(db.session.scalars(
        query.order_by(Idea.public_at.desc(), Idea.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor("new", items[limit - 1]) if len(items) > limit else None
    idea_count = db.session.scalar(select(func.count()).select_from(IdeaFollow)
                                   .where(IdeaFollow.user_id == user.id))
    return FollowingPage(items[:limit], next_cursor, followed_tag_names(user), idea_count,
                         followed_campaigns(user))


@dataclass
class Activity:
    ideas: list[Idea]
    comments: list[Comment]
    votes: list[tuple[Vote, Idea]]


def activity(user: User, limit: int = ACTIVITY_LENGTH) -> Activity:
    """The user's own recent ideas, comments and votes, anonymous ones included: this page
    is only ever shown to that user."""
    ideas = db.session.scalars(
        select(Idea).where(Idea.author_id == user.id, Idea.deleted_at.is_(None))
        .options(joinedload(Idea.campaign))
        .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit))
    comments = db.session.scalars(
        select(Comment).join(Idea, Idea.id == Comment.idea_id)
        .where(Comment.author_id == user.id, Comment.deleted_at.is_(None),
               Idea.deleted_at.is_(None), Idea.hidden_at.is_(None))
        .options(joinedload(Comment.idea)).order_by(Comment.id.desc()).limit(limit))
    votes = db.session.execute(
        select(Vote, Idea).join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == user.id, Idea.deleted_at.is_(None), Idea.hidden_at.is_(None))
        .order_by(Vote.updated_at.desc(), Vote.id.desc()).limit(limit))
    return Activity(list(ideas), list(comments), [(vote, idea) for vote, idea in votes])


def newest_ideas(viewer: User | None, tag: str | None = None, campaign_id: int | None = None,
                 limit: int = FEED_LENGTH) -> list[Idea]:
    query = listed_ideas(viewer).options(joinedload(Idea.author))
    if campaign_id is not None:
        query = query.where(Idea.campaign_id == campaign_id)
    if tag:
        query = query.where(Idea.id.in_(
            select(IdeaTag.idea_id).join(Tag, Tag.id == IdeaTag.tag_id).where(Tag.name == tag)))
    return list(db.session.scalars(
        query.order_by(Idea.public_at.desc(), Idea.id.desc()).limit(limit)))


def newest_decisions(viewer: User | None, limit: int = FEED_LENGTH) -> list[tuple[Decision, Idea]]:
    """Public decisions on ideas that still exist, newest first."""
    rows = db.session.execute(
        select(Decision, Idea).join(Idea, Idea.id == Decision.idea_id)
        .where(readable_ideas(viewer))
        .order_by(Decision.created_at.desc(), Decision.id.desc()).limit(limit))
    return [(decision, idea) for decision, idea in rows]


def campaign_choices(limit: int = CAMPAIGN_CHOICES) -> list:
    """Rows of (id, title, is_standing): the standing campaign first, then the newest."""
    return list(db.session.execute(
        select(Campaign.id, Campaign.title, Campaign.is_standing)
        .order_by(Campaign.is_standing.desc(), Campaign.created_at.desc()).limit(limit)))


STATUS_CHOICES = list(IdeaStatus)
