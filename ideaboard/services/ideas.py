"""Posting, editing and deleting ideas."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ideaboard.anonymity import timing, will_be_anonymous
from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.integrations.events import emit
from ideaboard.models import Campaign, CampaignKind, EventKind, Idea, IdeaTag, Tag, User
from ideaboard.models.base import utcnow
from ideaboard.models.ranking import hot_score
from ideaboard.permissions import can_edit_idea, can_post_in_campaign, why_campaign_is_shut
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.settings import anonymity_window
from ideaboard.text import render_markdown

MAX_TITLE_LENGTH = 140
MAX_BODY_LENGTH = 20_000
MAX_TAGS = 5
MAX_TAG_LENGTH = 30
STANDING_CAMPAIGN_SLUG = "open-ideas"
_TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")
_TAG_ALLOWED = re.compile(r"^[\w\-+.#]+$")


def normalise_tags(raw: str | list[str]) -> list[str]:
    """Lower-case, de-duplicated tags; commas, Chinese commas or spaces separate them."""
    parts = _TAG_SEPARATORS.split(raw) if isinstance(raw, str) else raw
    tags: list[str] = []
    for part in parts:
        tag = part.strip().lstrip("#").lower()
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG_LENGTH or not _TAG_ALLOWED.match(tag):
            raise InvalidInput(_l("Tags are single words of letters, digits or hyphens, up to "
                                  "%(n)d characters: “%(tag)s” is not.", n=MAX_TAG_LENGTH,
                                  tag=tag[:40]))
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(_l("Use at most %(n)d tags.", n=MAX_TAGS))
    return tags


def validate_idea_text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidInput(_l("Give your idea a title."), field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(_l("Keep the title to %(n)d characters.", n=MAX_TITLE_LENGTH),
                           field="title")
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidInput(_l("Keep the text to %(n)d characters.", n=MAX_BODY_LENGTH),
                           field="body")
    return title, body


def standing_campaign() -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.is_standing.is_(True)))
    if campaign is None:
        raise LookupError("The standing campaign is missing: run `flask db upgrade`.")
    return campaign


def _set_tags(session, idea: Idea, tag_names: list[str]) -> None:
    existing = {t.name: t for t in session.scalars(select(Tag).where(Tag.name.in_(tag_names)))}
    for name in tag_names:
        if name not in existing:
            existing[name] = Tag(name=name)
            session.add(existing[name])
    session.flush()
    old_names = set(idea.tag_list)
    removed, added = old_names - set(tag_names), set(tag_names) - old_names
    if removed:
        session.execute(update(Tag).where(Tag.name.in_(removed))
                        .values(use_count=Tag.use_count - 1))
    if added:
        session.execute(update(Tag).where(Tag.name.in_(added))
                        .values(use_count=Tag.use_count + 1))
    session.execute(delete(IdeaTag).where(IdeaTag.idea_id == idea.id))
    session.add_all(IdeaTag(idea_id=idea.id, tag_id=existing[name].id) for name in tag_names)
    idea.tag_names = ",".join(tag_names)


def _ensure_may_post(author: User, campaign: Campaign) -> None:
    """The rule the compose and nomination pages show (permissions.can_post_in_campaign)."""
    if can_post_in_campaign(author, campaign):
        return
    shut = why_campaign_is_shut(campaign)
    if shut == "upcoming":
        raise NotAllowed(_l("This campaign is not open yet: you can post from its opening "
                            "date."))
    if shut == "closed":
        raise NotAllowed(_l("This campaign is closed to new ideas."))
    if campaign.kind == CampaignKind.PLAN_REVIEW:
        raise NotAllowed(_l("A plan review takes critiques of the plan's sections, not posts."))
    raise NotAllowed(_l("Only the campaign's owner adds options to this consultation."))


def post_idea(author: User, campaign: Campaign, *, title: str, body: str,
              tags: list[str], anonymous: bool = False) -> Idea:
    title, body = validate_idea_text(title, body)
    _ensure_may_post(author, campaign)
    anonymous = will_be_anonymous(campaign, anonymous)
    body_html = render_markdown(body)
    with write_transaction() as session:
        when = timing(anonymous, anonymity_window(session))
        idea = Idea(campaign_id=campaign.id, author_id=author.id, title=title, body=body,
                    body_html=body_html, is_anonymous=anonymous,
                    created_at=when.created_at, public_at=when.public_at,
                    updated_at=when.created_at, hot=hot_score(0.0, when.public_at))
        session.add(idea)
        session.flush()
        _set_tags(session, idea, tags)
        emit(session, EventKind.IDEA_POSTED, idea_id=idea.id, at=when.news_at)
    return idea


def edit_idea(user: User, idea: Idea, *, title: str, body: str, tags: list[str]) -> None:
    if not can_edit_idea(user, idea):
        raise NotAllowed(_l("Only the author can edit this idea."))
    title, body = validate_idea_text(title, body)
    with write_transaction() as session:
        idea.title, idea.body, idea.body_html = title, body, render_markdown(body)
        idea.updated_at = utcnow()
        session.add(idea)
        _set_tags(session, idea, tags)


def delete_idea(user: User, idea: Idea) -> None:
    """Leave a tombstone: the page stays so links and the discussion do not break."""
    if not can_edit_idea(user, idea):
        raise NotAllowed(_l("Only the author can delete this idea."))
    with write_transaction() as session:
        idea.deleted_at = utcnow()
        idea.title = ""
        idea.body = idea.body_html = ""
        session.add(idea)
        _set_tags(session, idea, [])
