"""The plan page and the review report: a fixed number of queries whatever the plan's size."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    Campaign,
    CampaignKind,
    Criterion,
    Critique,
    CritiqueRating,
    CritiqueReply,
    CritiqueStance,
    CritiqueVote,
    Department,
    Plan,
    Section,
    User,
)
from ideaboard.models.plans import MAX_SCORE, MIN_SCORE
from ideaboard.permissions import is_signed_in
from ideaboard.queries.review import MIN_GROUP_SIZE, Breakdown, GroupSupport, fold_small_groups

SCORES = tuple(range(MIN_SCORE, MAX_SCORE + 1))
TOP_STANCES = (CritiqueStance.CONCERN, CritiqueStance.ALTERNATIVE)
TOP_PER_STANCE = 3


def plan_campaign(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(
        Campaign.slug == slug, Campaign.kind == CampaignKind.PLAN_REVIEW))


def plan_of(campaign: Campaign) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.campaign_id == campaign.id))


def sections_of(plan: Plan) -> list[Section]:
    return list(db.session.scalars(select(Section).where(Section.plan_id == plan.id)
                                   .order_by(Section.position, Section.id)))


def section_in(plan: Plan, section_id: int) -> Section | None:
    return db.session.scalar(select(Section).where(Section.id == section_id,
                                                   Section.plan_id == plan.id))


def criteria_of(plan: Plan, *, with_removed: bool = False) -> list[Criterion]:
    query = select(Criterion).where(Criterion.plan_id == plan.id)
    if not with_removed:
        query = query.where(Criterion.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(Criterion.position, Criterion.id)))


def criterion_in(plan: Plan, criterion_id: int) -> Criterion | None:
    return db.session.scalar(select(Criterion).where(Criterion.id == criterion_id,
                                                     Criterion.plan_id == plan.id))


def plan_has_critiques(plan: Plan) -> bool:
    return db.session.scalar(select(select(Critique.id).where(Critique.plan_id == plan.id)
                                    .exists()))


def critique_by_public_id(public_id: str) -> Critique | None:
    """With its section, plan and campaign, which every rule about it needs."""
    return db.session.scalar(
        select(Critique).where(Critique.public_id == public_id)
        .options(joinedload(Critique.section), joinedload(Critique.author),
                 joinedload(Critique.plan).joinedload(Plan.campaign)))


def reply_by_public_id(public_id: str) -> CritiqueReply | None:
    return db.session.scalar(
        select(CritiqueReply).where(CritiqueReply.public_id == public_id)
        .options(joinedload(CritiqueReply.author),
                 joinedload(CritiqueReply.critique).joinedload(Critique.plan)
                 .joinedload(Plan.campaign)))


def ratings_of(critique: Critique) -> dict[int, int]:
    return dict(db.session.execute(select(CritiqueRating.criterion_id, CritiqueRating.score)
                                   .where(CritiqueRating.critique_id == critique.id)).all())


# -- the plan page ------------------------------------------------------------------------

@dataclass
class ReplyNode:
    reply: CritiqueReply
    replies: list[ReplyNode] = field(default_factory=list)


@dataclass
class SectionView:
    section: Section
    critiques: list[Critique] = field(default_factory=list)  # most helpful first
    stances: dict[str, int] = field(default_factory=dict)
    means: dict[int, float | None] = field(default_factory=dict)  # criterion id → mean
    ratings: dict[int, int] = field(default_factory=dict)  # criterion id → how many


@dataclass
class PlanPage:
    sections: list[SectionView]
    criteria: list[Criterion]
    replies: dict[int, list[ReplyNode]]  # critique id → top-level replies
    scores: dict[int, dict[int, int]]  # critique id → criterion id → score
    helpful: set[int]  # critiques the viewer marked helpful


def _stance_counts() -> dict[str, int]:
    return {stance.value: 0 for stance in CritiqueStance}


def plan_page(plan: Plan, viewer: User | None) -> PlanPage:
    """Sections in order with their critiques, replies, stance counts and mean ratings."""
    views = {s.id: SectionView(s, stances=_stance_counts()) for s in sections_of(plan)}
    criteria = criteria_of(plan)
    critiques = db.session.scalars(
        select(Critique).where(Critique.plan_id == plan.id)
        .options(joinedload(Critique.author), joinedload(Critique.answered_by))
        .order_by(Critique.helpful_count.desc(), Critique.public_at, Critique.id)).all()
    for critique in critiques:
        view = views.get(critique.section_id)
        if view is None:
            continue
        view.critiques.append(critique)
        if not critique.is_deleted and critique.hidden_at is None:
            view.stances[critique.stance.value] += 1
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    active = {c.id for c in criteria}
    for critique_id, section_id, criterion_id, score, hidden_at in db.session.execute(
            select(CritiqueRating.critique_id, Critique.section_id, CritiqueRating.criterion_id,
                   CritiqueRating.score, Critique.hidden_at)
            .join(Critique, Critique.id == CritiqueRating.critique_id)
            .where(Critique.plan_id == plan.id, Critique.deleted_at.is_(None))):
        if criterion_id in active and section_id in views:
            scores[critique_id][criterion_id] = score
            if hidden_at is not None:  # shown to its author and admins, counted nowhere
                continue
            view = views[section_id]
            view.ratings[criterion_id] = view.ratings.get(criterion_id, 0) + 1
            view.means[criterion_id] = view.means.get(criterion_id, 0) + score
    for view in views.values():
        view.means = {key: total / view.ratings[key] for key, total in view.means.items()}
    replies = db.session.scalars(
        select(CritiqueReply).where(CritiqueReply.plan_id == plan.id)
        .options(joinedload(CritiqueReply.author))
        .order_by(CritiqueReply.public_at, CritiqueReply.id)).all()
    nodes = {r.id: ReplyNode(r) for r in replies}
    top: dict[int, list[ReplyNode]] = defaultdict(list)
    for reply in replies:
        if reply.parent_id in nodes:
            nodes[reply.parent_id].replies.append(nodes[reply.id])
        else:
            top[reply.critique_id].append(nodes[reply.id])
    helpful = set()
    if is_signed_in(viewer):
        helpful = set(db.session.scalars(
            select(CritiqueVote.critique_id).join(Critique, Critique.id == CritiqueVote.critique_id)
            .where(Critique.plan_id == plan.id, CritiqueVote.user_id == viewer.id)))
    return PlanPage(list(views.values()), criteria, dict(top), dict(scores), helpful)


# -- the review report --------------------------------------------------------------------

@dataclass
class ScoreStats:
    criterion: Criterion
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        total = self.total
        return sum(s * n for s, n in self.counts.items()) / total if total else None

    @property
    def most(self) -> int:
        return max(self.counts.values())


@dataclass
class SectionReport:
    section: Section
    stances: dict[str, int]
    scores: list[ScoreStats]
    top: dict[str, list[Critique]]

    @property
    def critiques(self) -> int:
        return sum(self.stances.values())


@dataclass
class PlanReport:
    sections: list[SectionReport]
    criteria: list[Criterion]
    by_department: Breakdown
    by_level: Breakdown
    minimum: int  # the smallest group a breakdown shows

    @property
    def critiques(self) -> int:
        return sum(s.critiques for s in self.sections)


def plan_report(plan: Plan, other_department: str, other_level: str,
                level_names: dict[str, str], minimum: int = MIN_GROUP_SIZE) -> PlanReport:
    """Per section: critiques by stance, the distribution of every score on the current
    rubric, and the most helpful concerns and alternatives; who took part, with groups
    under `minimum` people folded into "other". Critiques hidden by moderation are left out."""
    sections = sections_of(plan)
    criteria = criteria_of(plan)
    live = (Critique.plan_id == plan.id, Critique.deleted_at.is_(None),
            Critique.hidden_at.is_(None))
    stances: dict[int, dict[str, int]] = defaultdict(_stance_counts)
    for section_id, stance, count in db.session.execute(
            select(Critique.section_id, Critique.stance, func.count()).where(*live)
            .group_by(Critique.section_id, Critique.stance)):
        stances[section_id][CritiqueStance(stance).value] = count
    scores = {(s.id, c.id): ScoreStats(c) for s in sections for c in criteria}
    for section_id, criterion_id, score, count in db.session.execute(
            select(Critique.section_id, CritiqueRating.criterion_id, CritiqueRating.score,
                   func.count())
            .join(Critique, Critique.id == CritiqueRating.critique_id).where(*live)
            .group_by(Critique.section_id, CritiqueRating.criterion_id, CritiqueRating.score)):
        if (section_id, criterion_id) in scores:  # criteria removed from the rubric stay out
            scores[(section_id, criterion_id)].counts[score] = count
    rank = func.row_number().over(partition_by=(Critique.section_id, Critique.stance),
                                  order_by=(Critique.helpful_count.desc(), Critique.public_at,
                                            Critique.id))
    ranked = select(Critique.id, rank.label("rank")).where(
        *live, Critique.stance.in_(TOP_STANCES)).subquery()
    top: dict[int, dict[str, list[Critique]]] = defaultdict(
        lambda: {stance.value: [] for stance in TOP_STANCES})
    for critique in db.session.scalars(
            select(Critique).join(ranked, ranked.c.id == Critique.id)
            .where(ranked.c.rank <= TOP_PER_STANCE).options(joinedload(Critique.author))
            .order_by(Critique.helpful_count.desc(), Critique.public_at, Critique.id)):
        top[critique.section_id][critique.stance.value].append(critique)
    return PlanReport(
        [SectionReport(s, stances[s.id], [scores[(s.id, c.id)] for c in criteria], top[s.id])
         for s in sections],
        criteria,
        _participation(plan, Department.name, other_department, {}, minimum),
        _participation(plan, User.level, other_level, level_names, minimum), minimum)


def _participation(plan: Plan, column, other_name: str, names: dict[str, str],
                   minimum: int) -> Breakdown:
    """Distinct critics per group."""
    query = (select(column, func.count(distinct(Critique.author_id)))
             .select_from(Critique).join(User, User.id == Critique.author_id)
             .where(Critique.plan_id == plan.id, Critique.deleted_at.is_(None),
                    Critique.hidden_at.is_(None))
             .group_by(column))
    if column is Department.name:
        query = query.outerjoin(Department, Department.id == User.department_id)
    groups = [GroupSupport(names.get(str(key), str(key)) if key else other_name, count, 0)
              for key, count in db.session.execute(query)]
    return fold_small_groups(groups, other_name, minimum)
