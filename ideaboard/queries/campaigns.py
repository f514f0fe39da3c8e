"""Campaign lists, one campaign, and consultation results with safe breakdowns."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    Campaign,
    CampaignFollow,
    Critique,
    Department,
    Idea,
    Plan,
    User,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import cursor_integer, pack_cursor, unpack_cursor
from ideaboard.queries.review import Breakdown, GroupSupport, fold_small_groups
from ideaboard.visibility import readable_ideas


@dataclass
class CampaignIndex:
    open: list[Campaign]
    upcoming: list[Campaign]
    closed: list[Campaign]


def campaign_index(closed_limit: int = 30) -> CampaignIndex:
    now = utcnow()
    base = select(Campaign).options(joinedload(Campaign.owner))
    open_now = db.session.scalars(base.where(
        Campaign.opens_at <= now, (Campaign.closes_at.is_(None)) | (Campaign.closes_at > now))
        .order_by(Campaign.is_standing, Campaign.closes_at.is_(None), Campaign.closes_at))
    upcoming = db.session.scalars(base.where(Campaign.opens_at > now).order_by(Campaign.opens_at))
    closed = db.session.scalars(base.where(Campaign.closes_at <= now)
                                .order_by(Campaign.closes_at.desc()).limit(closed_limit))
    return CampaignIndex(list(open_now), list(upcoming), list(closed))


def open_campaigns(limit: int = 6) -> list[Campaign]:
    """What leadership is asking now, for the home page (the standing campaign last)."""
    now = utcnow()
    return list(db.session.scalars(
        select(Campaign).options(joinedload(Campaign.owner))
        .where(Campaign.opens_at <= now, Campaign.is_standing.is_(False),
                               (Campaign.closes_at.is_(None)) | (Campaign.closes_at > now))
        .order_by(Campaign.closes_at.is_(None), Campaign.closes_at).limit(limit)))


def campaign_has_posts(campaign: Campaign) -> bool:
    """Whether anyone has posted yet: an idea, or a critique of the campaign's plan."""
    posted = select(Idea.id).where(Idea.campaign_id == campaign.id).limit(1)
    critiqued = (select(Critique.id).join(Plan, Plan.id == Critique.plan_id)
                 .where(Plan.campaign_id == campaign.id).limit(1))
    return db.session.scalar(posted) is not None or db.session.scalar(critiqued) is not None


def campaign_by_slug(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug)
                             .options(joinedload(Campaign.owner)))


def is_following_campaign(user: User | None, campaign: Campaign) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(CampaignFollow, (user.id, campaign.id)) is not None


@dataclass
class OptionResult:
    idea: Idea
    by_department: Breakdown
    by_level: Breakdown


@dataclass(frozen=True)
class OptionChoice:
    id: int
    public_id: str
    title: str


def campaign_options(campaign: Campaign, viewer: User | None,
                     limit: int = 200) -> list[OptionChoice]:
    """A consultation's options, most supported first: the choice of the winner, and what
    is already nominated."""
    return [OptionChoice(*row) for row in db.session.execute(
        select(Idea.id, Idea.public_id, Idea.title)
        .where(Idea.campaign_id == campaign.id, readable_ideas(viewer))
        .order_by(Idea.supporters.desc(), Idea.id).limit(limit))]


def consultation_results(campaign: Campaign, viewer: User | None, other_department: str,
                         other_level: str, level_names: dict[str, str]) -> list[OptionResult]:
    """Supporters per option, most first, with department and level breakdowns of at least
    5 voters. Options hidden by moderation are left out, as everywhere."""
    options = list(db.session.scalars(
        select(Idea).where(Idea.campaign_id == campaign.id, readable_ideas(viewer))
        .options(contains_eager(Idea.campaign)).join(Campaign, Campaign.id == Idea.campaign_id)
        .order_by(Idea.supporters.desc(), Idea.id)))
    ids = [option.id for option in options]
    departments: dict[int, list[GroupSupport]] = defaultdict(list)
    levels: dict[int, list[GroupSupport]] = defaultdict(list)
    support = func.count().filter(Vote.value == 1)
    oppose = func.count().filter(Vote.value == -1)
    for idea_id, name, s, o in db.session.execute(
            select(Vote.idea_id, Department.name, support, oppose)
            .join(User, User.id == Vote.user_id)
            .outerjoin(Department, Department.id == User.department_id)
            .where(Vote.idea_id.in_(ids)).group_by(Vote.idea_id, Department.name)):
        departments[idea_id].append(GroupSupport(name or other_department, s, o))
    for idea_id, level, s, o in db.session.execute(
            select(Vote.idea_id, User.level, support, oppose)
            .join(User, User.id == Vote.user_id)
            .where(Vote.idea_id.in_(ids)).group_by(Vote.idea_id, User.level)):
        levels[idea_id].append(GroupSupport(level_names.get(level.value, level.value), s, o))
    return [OptionResult(option, fold_small_groups(departments[option.id], other_department),
                         fold_small_groups(levels[option.id], other_level))
            for option in options]


@dataclass
class AdminCampaignPage:
    campaigns: list[Campaign]
    next_cursor: str | None


def admin_campaigns(after: str | None = None, limit: int = 30) -> AdminCampaignPage:
    """Every campaign for the admin area, newest first, by keyset on the primary key."""
    query = select(Campaign).options(joinedload(Campaign.owner))
    try:
        last_id = cursor_integer((unpack_cursor(after) or [None])[0])
    except ValueError:
        last_id = None
    if last_id is not None:
        query = query.where(Campaign.id < last_id)
    rows = list(db.session.scalars(query.order_by(Campaign.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return AdminCampaignPage(rows[:limit], pack_cursor([rows[limit - 1].id]) if more else None)
