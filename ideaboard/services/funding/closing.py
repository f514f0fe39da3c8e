"""Closing a round exactly once, dividing its pool, and sending funded ideas to leadership."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.integrations.events import emit
from ideaboard.models import (
    Escalation,
    EscalationReason,
    EventKind,
    FundingAllocation,
    FundingEntry,
    FundingRound,
    Idea,
    NotificationKind,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.division import Candidate, divide_pool
from ideaboard.models.funding import ENTRY_STATUSES
from ideaboard.permissions import (
    can_manage_funding_round,
)
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record
from ideaboard.services.delivery import (
    backers_of,
)
from ideaboard.services.notifications import QUEUE_STATUSES, fan_out
from ideaboard.services.review import (
    _open_escalation,
    site_settings,
)
from ideaboard.visibility import IdeaState, open_to_action


def close_if_due(funding_round: FundingRound) -> bool:
    """Close a round whose close date has passed (the page calls this, so results never
    wait for the scheduler). Returns whether this call closed it."""
    if not funding_round.is_due_to_close():
        return False
    closed = close_round(funding_round.id)
    if closed:
        db.session.refresh(funding_round)
    return closed


def close_now(user: User, funding_round: FundingRound) -> bool:
    """The owner (or an admin) closes the round before its date."""
    if not can_manage_funding_round(user, funding_round):
        raise NotAllowed(_l("Only the round's owner or an administrator can close it."))
    if funding_round.is_closed:
        raise InvalidInput(_l("This round is already closed."))
    closed = close_round(funding_round.id, actor=user)
    db.session.refresh(funding_round)
    return closed


def close_due_rounds(now: datetime | None = None) -> int:
    """Close every round past its close date (`flask run-scheduled`). Returns how many."""
    now = now or utcnow()
    due = list(db.session.scalars(select(FundingRound.id).where(
        FundingRound.closed_at.is_(None), FundingRound.closes_at <= now)))
    db.session.commit()
    return sum(close_round(round_id, now=now) for round_id in due)


def close_round(funding_round_id: int, actor: User | None = None,
                now: datetime | None = None) -> bool:
    """Close a round exactly once and divide its pool: only the first caller finds it open
    under the lock; the others return False. Unspent points lapse."""
    now = now or utcnow()
    with write_transaction() as session:
        funding_round = session.scalar(
            select(FundingRound).where(FundingRound.id == funding_round_id)
            .with_for_update().execution_options(populate_existing=True))
        if funding_round is None or funding_round.closed_at is not None:
            return False
        if actor is None and funding_round.closes_at > now:
            return False  # the scheduler only closes rounds that are due
        moved = session.execute(update(FundingRound).where(
            FundingRound.id == funding_round_id, FundingRound.closed_at.is_(None))
            .values(closed_at=now)).rowcount
        if moved != 1:
            return False
        division, entries = _divide(session, funding_round)
        due = now + timedelta(days=funding_round.answer_days)
        funding_round.closed_at, funding_round.closed_by_id = now, actor.id if actor else None
        funding_round.answer_due_at, funding_round.updated_at = due, now
        funding_round.eligible_count = _eligible_count(session, funding_round)
        funding_round.awarded_amount = division.awarded_amount
        funding_round.awarded_people_weeks = division.awarded_people_weeks
        funding_round.funded_count = len(division.funded)
        shares = division.by_key()
        for entry in entries:
            share = shares[entry.id]
            entry.weight = share.weight
            entry.offer_amount, entry.offer_people_weeks = (share.offer_amount,
                                                            share.offer_people_weeks)
            entry.funded = share.funded
            entry.awarded_amount = share.awarded_amount
            entry.awarded_people_weeks = share.awarded_people_weeks
            if share.funded:
                emit(session, EventKind.IDEA_FUNDED, idea_id=entry.idea_id, facts={"funding": {
                    "round": funding_round.title, "path": f"/funding/{funding_round.slug}",
                    "amount": entry.awarded_amount, "currency": funding_round.currency,
                    "people_weeks": entry.awarded_people_weeks, "backers": entry.backers}})
                _send_to_leadership(session, entry, funding_round, due)
            fan_out(session, NotificationKind.FUNDING_RESULT, _author_of(entry.idea_id),
                    idea_id=entry.idea_id, status="funded" if share.funded else "not_funded")
            if share.funded:
                fan_out(session, NotificationKind.FUNDING_BACKED, backers_of(entry.idea_id),
                        idea_id=entry.idea_id)
        record(session, actor, "funding.close", "funding_round", funding_round.slug,
               scheduled=actor is None, funded=len(division.funded),
               awarded=f"{division.awarded_amount} {funding_round.currency}",
               people_weeks=division.awarded_people_weeks,
               points=funding_round.points_spent, backers=funding_round.backer_count)
    return True


def _divide(session: Session, funding_round: FundingRound):
    """Divide the pool from the allocation rows themselves (the exact Σ√points), leaving
    out ideas that were removed, declined, merged, finished or sent back for information."""
    entries = list(session.scalars(select(FundingEntry).where(
        FundingEntry.round_id == funding_round.id).order_by(FundingEntry.id)))
    ideas = {row.id: row for row in session.execute(
        select(Idea.id, Idea.author_id, Idea.status, Idea.deleted_at, Idea.hidden_at)
        .where(Idea.id.in_([e.idea_id for e in entries])))}
    points_by_entry: dict[int, list[int]] = defaultdict(list)
    for entry_id, points in session.execute(
            select(FundingAllocation.entry_id, FundingAllocation.points)
            .where(FundingAllocation.round_id == funding_round.id)):
        points_by_entry[entry_id].append(points)
    candidates = []
    for entry in entries:
        idea = ideas[entry.idea_id]
        state = IdeaState(idea.author_id, idea.hidden_at, idea.deleted_at, idea.status, None)
        counted = open_to_action(state) and idea.status in ENTRY_STATUSES
        candidates.append(Candidate(entry.id, entry.ask_amount, entry.ask_people_weeks,
                                    backer_points=tuple(points_by_entry[entry.id])
                                    if counted else ()))
    division = divide_pool(funding_round.division_rule.value, funding_round.pool_amount,
                           funding_round.pool_people_weeks, candidates,
                           funding_round.min_backers)
    return division, entries


def _eligible_count(session: Session, funding_round: FundingRound) -> int:
    query = select(func.count()).select_from(User).where(User.deactivated_at.is_(None))
    if funding_round.departments:
        query = query.where(User.department_id.in_([d.id for d in funding_round.departments]))
    return session.scalar(query)


def _author_of(idea_id: int):
    return select(Idea.author_id.label("user_id")).where(Idea.id == idea_id)


def _send_to_leadership(session: Session, entry: FundingEntry, funding_round: FundingRound,
                        due: datetime) -> None:
    """A funded idea goes to the review queue with the reason "funded" and the round's
    deadline. An idea already in the queue keeps its escalation (one per idea), whose due
    date moves to the round's deadline if that is sooner; an accepted idea waits for a
    leader to confirm the funding on its own. Either way the funding shows on its page."""
    idea_id = entry.idea_id
    if _open_escalation(session, idea_id, EscalationReason.FUNDED, None, "",
                        site_settings(session), due=due):
        return
    status = session.scalar(select(Idea.status).where(Idea.id == idea_id))
    if status in QUEUE_STATUSES:
        session.execute(update(Escalation).where(Escalation.idea_id == idea_id,
                                                 Escalation.due_at > due).values(due_at=due))
        session.execute(update(Idea).where(Idea.id == idea_id, Idea.review_due_at > due)
                        .values(review_due_at=due))


# --- leadership's answer ------------------------------------------------------------------

