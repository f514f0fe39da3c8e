"""Volunteering and delivery: pledges of time and skills, the idea's team, and an accepted
idea's delivery in public — its owner, milestones, progress updates with spending, stalled
detection, and `done` with an outcome statement."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, union, update
from sqlalchemy.orm import Session

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import (
    Delivery,
    DeliveryUpdate,
    Escalation,
    FundingAllocation,
    FundingEntry,
    Idea,
    IdeaFollow,
    IdeaStatus,
    Milestone,
    NotificationKind,
    Pledge,
    PledgeStatus,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.delivery import DELIVERY_STATUSES, MAX_HOURS_PER_WEEK, MAX_WEEKS
from ideaboard.models.delivery import delivery_owner_id as owner_of
from ideaboard.permissions import (
    can_manage_team,
    can_pledge,
    can_run_delivery,
    is_leader,
)
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.accounts import normalise_email
from ideaboard.services.audit import record
from ideaboard.services.ideas import normalise_tags
from ideaboard.services.notifications import fan_out
from ideaboard.services.review import apply_status, check_transition
from ideaboard.services.settings import stalled_after_days
from ideaboard.text import render_markdown
from ideaboard.visibility import ensure_can_act

MAX_UPDATE_LENGTH = 20_000
MAX_SPENT = 2_000_000_000


def ensure_idea_open_to_act(user: User, idea: Idea | None) -> None:
    """Nobody acts on a deleted, hidden or merged idea: the shared rule
    (ideaboard/visibility.py), for the funding and delivery services."""
    if idea is None:
        raise NotFound(_l("This idea no longer exists."))
    ensure_can_act(user, state_of_idea_of(idea))


def insert_ignoring_duplicates(session: Session, model, values: dict) -> None:
    """INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


# --- who hears of it (user-id selects for fan_out) ----------------------------------------

def backers_of(idea_id: int) -> Select:
    """Everyone who gave the idea points in any round: each is told privately."""
    return (select(FundingAllocation.user_id.label("user_id"))
            .join(FundingEntry, FundingEntry.id == FundingAllocation.entry_id)
            .where(FundingEntry.idea_id == idea_id))


def team_of(idea_id: int) -> Select:
    return select(Pledge.user_id.label("user_id")).where(
        Pledge.idea_id == idea_id, Pledge.status == PledgeStatus.MEMBER)


def _pledgers_and_followers(idea_id: int) -> Select:
    return union(backers_of(idea_id),
                 select(Pledge.user_id).where(Pledge.idea_id == idea_id),
                 select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea_id))


# --- the delivery row ---------------------------------------------------------------------

def ensure_delivery(session: Session, idea_id: int, started_at: datetime | None = None) -> None:
    insert_ignoring_duplicates(session, Delivery, {"idea_id": idea_id,
                                                   "started_at": started_at or utcnow(),
                                                   "spent_amount": 0})


def _people(*user_ids: int | None) -> Select:
    return select(User.id.label("user_id")).where(User.id.in_({u for u in user_ids if u}))


def add_first_milestones(session: Session, idea_id: int, titles: list[str],
                         actor: User) -> None:
    """The first milestone each funded ask promised becomes the delivery's first milestone."""
    existing = set(session.scalars(select(Milestone.title).where(Milestone.idea_id == idea_id)))
    for title in dict.fromkeys(t for t in titles if t and t not in existing):
        session.add(Milestone(idea_id=idea_id, title=title, created_by_id=actor.id))


def _owner_id(idea: Idea) -> int | None:
    return owner_of(idea, db.session.get(Delivery, idea.id))


def name_owner(leader: User, idea: Idea, email: str) -> None:
    """A leader names who owns the delivery (by default its author), by e-mail address."""
    ensure_idea_open_to_act(leader, idea)
    if not is_leader(leader):
        raise NotAllowed(_l("Only leaders name a delivery's owner."))
    owner = db.session.scalar(select(User).where(User.email == normalise_email(email or "")))
    if owner is None or owner.deactivated_at is not None:
        raise InvalidInput(_l("Nobody with that e-mail address can own it: check the address."))
    if idea.status not in DELIVERY_STATUSES:
        raise InvalidInput(_l("Only accepted ideas being delivered have an owner."))
    with write_transaction() as session:
        ensure_delivery(session, idea.id)
        session.execute(update(Delivery).where(Delivery.idea_id == idea.id).values(
            owner_id=owner.id, owner_named_by_id=leader.id))
        record(session, leader, "delivery.owner", "idea", idea.public_id, owner=owner.email)


# --- pledges and the team -----------------------------------------------------------------

def pledge_time(user: User, idea: Idea, *, hours_per_week: int, weeks: int, skills: str,
                note: str) -> Pledge:
    """Offer (or change an offer of) time and skills to an idea."""
    ensure_idea_open_to_act(user, idea)
    if idea.author_id == user.id:
        raise NotAllowed(_l("It is your idea: you are on it already. Invite colleagues who "
                            "offer their time instead."))
    if not can_pledge(user, idea):
        raise InvalidInput(_l("Time can be offered to open, escalated and accepted ideas."))
    if not (1 <= hours_per_week <= MAX_HOURS_PER_WEEK and 1 <= weeks <= MAX_WEEKS):
        raise InvalidInput(_l("Offer between 1 and %(hours)d hours a week, for 1 to %(weeks)d "
                              "weeks.", hours=MAX_HOURS_PER_WEEK, weeks=MAX_WEEKS))
    skill_list = normalise_tags(skills)
    note = note.strip()[:500]
    with write_transaction() as session:
        pledge = session.scalar(select(Pledge).where(Pledge.idea_id == idea.id,
                                                     Pledge.user_id == user.id))
        is_new = pledge is None
        if is_new:
            pledge = Pledge(idea_id=idea.id, user_id=user.id)
            session.add(pledge)
        pledge.hours_per_week, pledge.weeks = hours_per_week, weeks
        pledge.skills, pledge.note, pledge.updated_at = ",".join(skill_list), note, utcnow()
        if is_new:
            session.flush()
            fan_out(session, NotificationKind.PLEDGE_NEW,
                    _people(idea.author_id, _owner_id(idea)), idea_id=idea.id,
                    exclude_user_id=user.id)
    return pledge


def withdraw_pledge(user: User, idea: Idea) -> None:
    """Take back one's offer (and leave the team, if on it)."""
    with write_transaction() as session:
        pledge = session.scalar(select(Pledge).where(Pledge.idea_id == idea.id,
                                                     Pledge.user_id == user.id))
        if pledge is None:
            raise NotFound(_l("You have not offered time to this idea."))
        session.delete(pledge)


def _pledge_and_idea(actor: User, pledge_id: int) -> tuple[Pledge, Idea]:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(_l("This offer was withdrawn."))
    idea = db.session.get(Idea, pledge.idea_id)
    ensure_idea_open_to_act(actor, idea)
    return pledge, idea


def invite_to_team(actor: User, pledge_id: int) -> Pledge:
    """The author (or, once accepted, the owner) asks a pledger to join the team."""
    pledge, idea = _pledge_and_idea(actor, pledge_id)
    if not can_manage_team(actor, idea, _owner_id(idea)):
        raise NotAllowed(_l("Only the author, or the owner once the idea is accepted, forms "
                            "the team."))
    if pledge.status != PledgeStatus.OFFERED:
        raise InvalidInput(_l("This colleague is already invited or on the team."))
    with write_transaction() as session:
        pledge.status, pledge.invited_at = PledgeStatus.INVITED, utcnow()
        session.add(pledge)
        fan_out(session, NotificationKind.TEAM_INVITE, _people(pledge.user_id), idea_id=idea.id)
    return pledge


def join_team(user: User, pledge_id: int) -> Pledge:
    """The invited pledger accepts: from now on named on the idea and told of updates."""
    pledge, _idea = _pledge_and_idea(user, pledge_id)
    if pledge.user_id != user.id:
        raise NotAllowed(_l("Only the colleague who was invited can accept."))
    if pledge.status != PledgeStatus.INVITED:
        raise InvalidInput(_l("There is no invitation to accept."))
    with write_transaction() as session:
        pledge.status, pledge.joined_at = PledgeStatus.MEMBER, utcnow()
        session.add(pledge)
    return pledge


def remove_from_team(actor: User, pledge_id: int) -> None:
    """Take someone off the team or withdraw an invitation; their offer stays."""
    pledge, idea = _pledge_and_idea(actor, pledge_id)
    if not can_manage_team(actor, idea, _owner_id(idea)):
        raise NotAllowed(_l("Only the author, or the owner once the idea is accepted, forms "
                            "the team."))
    with write_transaction() as session:
        pledge.status, pledge.invited_at, pledge.joined_at = PledgeStatus.OFFERED, None, None
        session.add(pledge)


# --- milestones, updates, start and finish ------------------------------------------------

def _check_runner(actor: User, idea: Idea) -> None:
    ensure_idea_open_to_act(actor, idea)
    if not can_run_delivery(actor, idea, _owner_id(idea)):
        if idea.status not in DELIVERY_STATUSES:
            raise InvalidInput(_l("Only an accepted idea being delivered has milestones and "
                                  "progress updates."))
        raise NotAllowed(_l("Only the delivery's owner or a leader can do this."))


def add_milestone(actor: User, idea: Idea, title: str, due_on: date | None) -> Milestone:
    _check_runner(actor, idea)
    title = title.strip()
    if not 1 <= len(title) <= 200:
        raise InvalidInput(_l("Name the milestone in a line (up to 200 characters)."))
    with write_transaction() as session:
        ensure_delivery(session, idea.id)
        milestone = Milestone(idea_id=idea.id, title=title, due_on=due_on,
                              created_by_id=actor.id)
        session.add(milestone)
    return milestone


def _milestone_and_idea(milestone_id: int) -> tuple[Milestone, Idea]:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound(_l("This milestone no longer exists."))
    return milestone, db.session.get(Idea, milestone.idea_id)


def set_milestone_done(actor: User, milestone_id: int, done: bool) -> Milestone:
    milestone, idea = _milestone_and_idea(milestone_id)
    _check_runner(actor, idea)
    with write_transaction() as session:
        milestone.done_at = utcnow() if done else None
        session.add(milestone)
    return milestone


def delete_milestone(actor: User, milestone_id: int) -> Idea:
    milestone, idea = _milestone_and_idea(milestone_id)
    _check_runner(actor, idea)
    with write_transaction() as session:
        session.delete(milestone)
    return idea


def post_update(actor: User, idea: Idea, body: str, spent_amount: int = 0) -> DeliveryUpdate:
    """A progress update (Markdown) with what was spent since the last one; backers,
    pledgers, the team and followers are told. It also clears the stalled mark."""
    _check_runner(actor, idea)
    body = body.strip()
    if not body:
        raise InvalidInput(_l("Say what moved since the last update."))
    if len(body) > MAX_UPDATE_LENGTH:
        raise InvalidInput(_l("Keep the update to %(n)d characters.", n=MAX_UPDATE_LENGTH))
    if not 0 <= spent_amount <= MAX_SPENT:
        raise InvalidInput(_l("Spending is an amount of 0 or more."))
    html = render_markdown(body)
    with write_transaction() as session:
        now = utcnow()
        ensure_delivery(session, idea.id)
        entry = DeliveryUpdate(idea_id=idea.id, author_id=actor.id, body=body, body_html=html,
                               spent_amount=spent_amount, created_at=now)
        session.add(entry)
        session.execute(update(Delivery).where(Delivery.idea_id == idea.id).values(
            last_update_at=now, stalled_notified_at=None,
            spent_amount=Delivery.spent_amount + spent_amount))
        fan_out(session, NotificationKind.DELIVERY_UPDATE, _pledgers_and_followers(idea.id),
                idea_id=idea.id, exclude_user_id=actor.id)
    return entry


def start_work(actor: User, idea: Idea) -> None:
    """accepted → in progress."""
    _check_runner(actor, idea)
    check_transition(idea, IdeaStatus.IN_PROGRESS, "")
    with write_transaction() as session:
        apply_status(session, actor, idea, IdeaStatus.IN_PROGRESS, "")
    idea.status = IdeaStatus.IN_PROGRESS


def mark_delivered(actor: User, idea: Idea, outcome: str) -> None:
    """→ done, with the outcome statement (what changed, what was measured) in public."""
    _check_runner(actor, idea)
    outcome = check_transition(idea, IdeaStatus.DONE, outcome)
    with write_transaction() as session:
        apply_status(session, actor, idea, IdeaStatus.DONE, outcome)
    idea.status = IdeaStatus.DONE


# --- stalled deliveries -------------------------------------------------------------------

def last_activity_column():
    """When a delivery last showed progress: its latest update, else when it started."""
    return func.coalesce(Delivery.last_update_at, Delivery.started_at, Idea.decided_at,
                         Idea.updated_at)


def notify_stalled(now: datetime | None = None) -> int:
    """Tell the owner and the deciding leader, once per quiet spell, when a delivery has
    had no update for the stalled setting's days (`flask run-scheduled`)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=stalled_after_days())
    with write_transaction() as session:
        quiet = session.execute(
            select(Idea.id, Idea.author_id, Idea.is_anonymous, Delivery.owner_id,
                   Escalation.owner_id.label("leader_id"),
                   last_activity_column().label("last_activity"))
            .outerjoin(Delivery, Delivery.idea_id == Idea.id)
            .outerjoin(Escalation, Escalation.idea_id == Idea.id)
            .where(Idea.status.in_(DELIVERY_STATUSES), Idea.deleted_at.is_(None),
                   Idea.hidden_at.is_(None), last_activity_column() <= cutoff,
                   or_(Delivery.stalled_notified_at.is_(None),
                       Delivery.stalled_notified_at < last_activity_column()))).all()
        for row in quiet:
            owner_id = row.owner_id or (None if row.is_anonymous else row.author_id)
            ensure_delivery(session, row.id, started_at=row.last_activity)
            session.execute(update(Delivery).where(Delivery.idea_id == row.id)
                            .values(stalled_notified_at=now))
            fan_out(session, NotificationKind.DELIVERY_STALLED, _people(owner_id, row.leader_id),
                    idea_id=row.id)
    return len(quiet)
