"""The read side of volunteering and delivery: an idea's pledges and team, its delivery
(owner, funds, milestones, updates, stalled or not), the review page's pledged capacity, and
the public Delivered page."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    Decision,
    Delivery,
    DeliveryUpdate,
    FundingAnswer,
    FundingEntry,
    FundingRound,
    Idea,
    IdeaStatus,
    Milestone,
    Pledge,
    PledgeStatus,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.delivery import DELIVERY_STATUSES, delivery_owner_id
from ideaboard.permissions import can_see_pledgers, is_signed_in
from ideaboard.queries.ideas import pack_cursor, unpack_cursor
from ideaboard.services.settings import stalled_after_days


@dataclass
class Pledges:
    """What everyone may see (how many people, how many hours, the team), and the named
    offers for the author, the owner and leaders only."""
    people: int = 0
    hours_per_week: int = 0
    total_hours: int = 0
    team: list[Pledge] = field(default_factory=list)
    named: list[Pledge] = field(default_factory=list)  # empty unless the viewer may see
    mine: Pledge | None = None
    skills: list[tuple[str, int]] = field(default_factory=list)


def pledges_for(idea: Idea, viewer: User | None, owner_id: int | None) -> Pledges:
    rows = list(db.session.scalars(select(Pledge).where(Pledge.idea_id == idea.id)
                                   .options(joinedload(Pledge.user)).order_by(Pledge.id)))
    skills = Counter(skill for pledge in rows for skill in pledge.skill_list)
    return Pledges(
        people=len(rows), hours_per_week=sum(p.hours_per_week for p in rows),
        total_hours=sum(p.total_hours for p in rows),
        team=[p for p in rows if p.status == PledgeStatus.MEMBER],
        named=rows if can_see_pledgers(viewer, idea, owner_id) else [],
        mine=next((p for p in rows if is_signed_in(viewer) and p.user_id == viewer.id), None),
        skills=skills.most_common(8))


@dataclass
class Funds:
    amount: int = 0
    people_weeks: int = 0
    currency: str = "CNY"
    backers: int = 0
    awaiting: int = 0  # funded entries still waiting for leadership's answer


def released_funds(idea_id: int) -> Funds:
    rows = db.session.execute(
        select(FundingEntry.awarded_amount, FundingEntry.awarded_people_weeks,
               FundingEntry.backers, FundingEntry.answer, FundingRound.currency)
        .join(FundingRound, FundingRound.id == FundingEntry.round_id)
        .where(FundingEntry.idea_id == idea_id, FundingEntry.funded.is_(True))).all()
    funds = Funds()
    for amount, people_weeks, backers, answer, currency in rows:
        if answer == FundingAnswer.RELEASED:
            funds.amount += amount
            funds.people_weeks += people_weeks
            funds.backers += backers
            funds.currency = currency
        elif answer is None:
            funds.awaiting += 1
    return funds


@dataclass
class DeliveryView:
    idea: Idea
    delivery: Delivery | None
    owner: User | None
    owner_id: int | None
    funds: Funds
    milestones: list[Milestone]
    updates: list[DeliveryUpdate]
    outcome: Decision | None
    stalled_days: int  # the setting
    now: datetime

    @property
    def last_activity(self) -> datetime | None:
        if self.delivery is not None:
            return self.delivery.last_activity
        return self.idea.decided_at

    @property
    def is_stalled(self) -> bool:
        return (self.idea.status in DELIVERY_STATUSES and self.last_activity is not None
                and is_stalled(self.last_activity, self.now, self.stalled_days))

    @property
    def days_quiet(self) -> int:
        return (self.now - self.last_activity).days if self.last_activity else 0

    @property
    def milestones_done(self) -> int:
        return sum(1 for m in self.milestones if m.is_done)

    @property
    def spent(self) -> int:
        return self.delivery.spent_amount if self.delivery else 0


def is_stalled(last_activity: datetime, now: datetime, days: int) -> bool:
    """Stalled once `days` whole days have passed without a progress update."""
    return (now - last_activity).total_seconds() >= days * 86400


def delivery_for(idea: Idea, now: datetime | None = None) -> DeliveryView | None:
    """The delivery of an accepted, in-progress or delivered idea; None before that."""
    if idea.status not in (*DELIVERY_STATUSES, IdeaStatus.DONE):
        return None
    delivery = db.session.scalar(select(Delivery).where(Delivery.idea_id == idea.id)
                                 .options(joinedload(Delivery.owner)))
    owner_id = delivery_owner_id(idea, delivery)
    owner = (delivery.owner if delivery is not None and delivery.owner_id else
             (idea.author if owner_id else None))
    milestones = list(db.session.scalars(select(Milestone).where(Milestone.idea_id == idea.id)
                                         .order_by(Milestone.due_on.is_(None), Milestone.due_on,
                                                   Milestone.id)))
    updates = list(db.session.scalars(select(DeliveryUpdate).where(
        DeliveryUpdate.idea_id == idea.id).options(joinedload(DeliveryUpdate.author))
        .order_by(DeliveryUpdate.id.desc())))
    outcome = None
    if idea.status == IdeaStatus.DONE:
        outcome = db.session.scalar(select(Decision).where(
            Decision.idea_id == idea.id, Decision.status == IdeaStatus.DONE)
            .order_by(Decision.id.desc()).limit(1))
    return DeliveryView(idea, delivery, owner, owner_id, released_funds(idea.id), milestones,
                        updates, outcome, stalled_after_days(), now or utcnow())


def owner_id_for(idea: Idea) -> int | None:
    return delivery_owner_id(idea, db.session.get(Delivery, idea.id))


def _idea_by_id(idea_id) -> Idea | None:
    return db.session.scalar(select(Idea).where(Idea.id == idea_id).options(
        joinedload(Idea.author), joinedload(Idea.campaign)))


def idea_of_pledge(pledge_id: int) -> Idea | None:
    return _idea_by_id(select(Pledge.idea_id).where(Pledge.id == pledge_id).scalar_subquery())


def idea_of_milestone(milestone_id: int) -> Idea | None:
    return _idea_by_id(select(Milestone.idea_id).where(Milestone.id == milestone_id)
                       .scalar_subquery())


# --- the public Delivered page ------------------------------------------------------------

@dataclass
class DeliveredItem:
    idea: Idea
    outcome: Decision | None
    funds: Funds
    team: int


@dataclass
class DeliveredPage:
    items: list[DeliveredItem]
    next_cursor: str | None


def delivered(after: str | None = None, limit: int = 20) -> DeliveredPage:
    """What the crowd backed and what came of it: delivered ideas, newest first (keyset
    on the time they were marked done), with their outcome, funds and team size."""
    query = (select(Idea).where(Idea.status == IdeaStatus.DONE, Idea.deleted_at.is_(None),
                                Idea.hidden_at.is_(None), Idea.decided_at.is_not(None))
             .options(joinedload(Idea.author), joinedload(Idea.campaign))
             .order_by(Idea.decided_at.desc(), Idea.id.desc()).limit(limit + 1))
    position = unpack_cursor(after)
    if position and len(position) == 2:
        try:
            stamp, idea_id = datetime.fromisoformat(position[0]), int(position[1])
            query = query.where((Idea.decided_at < stamp) | (
                (Idea.decided_at == stamp) & (Idea.id < idea_id)))
        except (TypeError, ValueError):
            pass
    ideas = list(db.session.scalars(query))
    next_cursor = (pack_cursor([ideas[limit - 1].decided_at.isoformat(), ideas[limit - 1].id])
                   if len(ideas) > limit else None)
    ideas = ideas[:limit]
    ids = [idea.id for idea in ideas]
    outcomes = {d.idea_id: d for d in db.session.scalars(select(Decision).where(
        Decision.id.in_(select(func.max(Decision.id)).where(
            Decision.idea_id.in_(ids), Decision.status == IdeaStatus.DONE)
            .group_by(Decision.idea_id))))} if ids else {}
    funds: dict[int, Funds] = {}
    for idea_id, amount, people_weeks, backers, currency in db.session.execute(
            select(FundingEntry.idea_id, FundingEntry.awarded_amount,
                   FundingEntry.awarded_people_weeks, FundingEntry.backers, FundingRound.currency)
            .join(FundingRound, FundingRound.id == FundingEntry.round_id)
            .where(FundingEntry.idea_id.in_(ids), FundingEntry.answer == FundingAnswer.RELEASED)
    ) if ids else []:
        item = funds.setdefault(idea_id, Funds(currency=currency))
        item.amount += amount
        item.people_weeks += people_weeks
        item.backers += backers
    teams = dict(db.session.execute(select(Pledge.idea_id, func.count()).where(
        Pledge.idea_id.in_(ids), Pledge.status == PledgeStatus.MEMBER)
        .group_by(Pledge.idea_id)).all()) if ids else {}
    return DeliveredPage([DeliveredItem(idea, outcomes.get(idea.id), funds.get(idea.id, Funds()),
                                        teams.get(idea.id, 0)) for idea in ideas], next_cursor)
