"""Funding rounds: open one, enter ideas with an ask, spread points, close and divide the
pool, and leadership's answer to each funded idea (the money and people are released).

Allocations are the hot write. On PostgreSQL each one takes a KEY SHARE lock on the round
(so closing, which takes FOR UPDATE, waits for allocations in flight and refuses later
ones), then locks the backer's wallet row, so one person's requests from several tabs run
one after the other; a conditional UPDATE with a CHECK behind it keeps the wallet within
its allowance, and every counter moves by an SQL increment in the same transaction. On
SQLite, BEGIN IMMEDIATE serialises writers and the same statements do the rest.
"""
from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, literal, not_, select, union, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import (
    Department,
    DivisionRule,
    Escalation,
    EscalationReason,
    FundingAllocation,
    FundingAnswer,
    FundingEntry,
    FundingRound,
    FundingRoundDepartment,
    FundingWallet,
    Idea,
    IdeaStatus,
    NotificationKind,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.division import Candidate, divide_pool
from ideaboard.models.funding import CURRENCIES, ENTRY_STATUSES
from ideaboard.permissions import (
    can_enter_idea,
    can_manage_funding_round,
    can_open_funding_round,
    is_leader,
)
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.audit import record
from ideaboard.services.campaigns import slug_for
from ideaboard.services.delivery import (
    add_first_milestones,
    backers_of,
    ensure_delivery,
    ensure_idea_open_to_act,
    insert_ignoring_duplicates,
    team_of,
)
from ideaboard.services.notifications import QUEUE_STATUSES, fan_out
from ideaboard.services.review import (
    MIN_RATIONALE_LENGTH,
    _open_escalation,
    apply_status,
    check_transition,
    site_settings,
)
from ideaboard.text import render_markdown

MAX_POOL = 2_000_000_000  # fits a 32-bit integer column on every database
MAX_ALLOWANCE = 10_000
MAX_PEOPLE_WEEKS = 100_000
ROUND_LIMITS = {"min_backers": (1, 1000), "answer_days": (1, 365)}
DEADLOCK_RETRIES = 3


@dataclass(frozen=True)
class RoundSettings:
    """What a leader chooses when opening a round (fixed once it is open, except the text
    and the close date)."""
    title: str
    purpose: str
    currency: str
    pool_amount: int
    pool_people_weeks: int
    allowance: int
    division_rule: DivisionRule
    min_backers: int
    answer_days: int
    hide_totals_until_close: bool
    opens_at: datetime
    closes_at: datetime
    department_ids: tuple[int, ...] = ()


def _validate_round(values: RoundSettings, now: datetime) -> None:
    if not values.title.strip():
        raise InvalidInput(_l("Give the round a title, e.g. “Q3 innovation fund”."))
    if values.currency not in CURRENCIES:
        raise InvalidInput(_l("Choose the pool's currency."))
    if not (0 <= values.pool_amount <= MAX_POOL
            and 0 <= values.pool_people_weeks <= MAX_PEOPLE_WEEKS):
        raise InvalidInput(_l("The pool is an amount of money and/or people-weeks, neither "
                              "negative nor absurdly large."))
    if values.pool_amount == 0 and values.pool_people_weeks == 0:
        raise InvalidInput(_l("Put something in the pool: an amount of money, people-weeks, "
                              "or both."))
    if not 1 <= values.allowance <= MAX_ALLOWANCE:
        raise InvalidInput(_l("Each employee's allowance is between 1 and %(n)d points.",
                              n=MAX_ALLOWANCE))
    for name, (low, high) in ROUND_LIMITS.items():
        if not low <= getattr(values, name) <= high:
            raise InvalidInput(_l("Check the minimum of backers (1–1000) and the days "
                                  "leadership has to answer (1–365)."))
    if values.closes_at <= values.opens_at:
        raise InvalidInput(_l("The closing date must come after the opening date."))
    if values.closes_at <= now:
        raise InvalidInput(_l("The closing date must be in the future."))


def create_round(owner: User, values: RoundSettings) -> FundingRound:
    """A leader or admin opens a funding round."""
    if not can_open_funding_round(owner):
        raise NotAllowed(_l("Only leaders and administrators open funding rounds."))
    _validate_round(values, utcnow())
    with write_transaction() as session:
        departments = list(session.scalars(select(Department).where(
            Department.id.in_(values.department_ids)))) if values.department_ids else []
        if len(departments) != len(set(values.department_ids)):
            raise InvalidInput(_l("Choose departments from the list."))
        funding_round = FundingRound(
            slug=slug_for(values.title), title=values.title.strip(),
            purpose=values.purpose.strip(), purpose_html=render_markdown(values.purpose),
            owner_id=owner.id, currency=values.currency, pool_amount=values.pool_amount,
            pool_people_weeks=values.pool_people_weeks, allowance=values.allowance,
            division_rule=values.division_rule, min_backers=values.min_backers,
            answer_days=values.answer_days,
            hide_totals_until_close=values.hide_totals_until_close,
            opens_at=values.opens_at, closes_at=values.closes_at, departments=departments)
        session.add(funding_round)
        session.flush()
        record(session, owner, "funding.create", "funding_round", funding_round.slug,
               pool=f"{values.pool_amount} {values.currency}",
               people_weeks=values.pool_people_weeks, allowance=values.allowance,
               rule=values.division_rule.value, min_backers=values.min_backers,
               departments=",".join(d.name for d in departments) or None)
    return funding_round


def edit_round(user: User, funding_round: FundingRound, *, title: str, purpose: str,
               closes_at: datetime) -> None:
    """Title, purpose and close date can change until the round closes; the pool, the
    allowance and the rule are the promise made when it opened, and stay."""
    if not can_manage_funding_round(user, funding_round):
        raise NotAllowed(_l("Only the round's owner or an administrator can change it."))
    if funding_round.is_closed:
        raise InvalidInput(_l("This round is closed: its results are final."))
    if not title.strip():
        raise InvalidInput(_l("Give the round a title, e.g. “Q3 innovation fund”."))
    if closes_at <= funding_round.opens_at or closes_at <= utcnow():
        raise InvalidInput(_l("The closing date must be in the future and after the opening "
                              "date."))
    with write_transaction() as session:
        before = funding_round.closes_at
        funding_round.title, funding_round.purpose = title.strip(), purpose.strip()
        funding_round.purpose_html = render_markdown(purpose)
        funding_round.closes_at, funding_round.updated_at = closes_at, utcnow()
        session.add(funding_round)
        record(session, user, "funding.edit", "funding_round", funding_round.slug,
               closes_at=f"{before:%Y-%m-%d %H:%M} → {closes_at:%Y-%m-%d %H:%M}")


# --- entering ideas -----------------------------------------------------------------------

def enter_idea(user: User, funding_round: FundingRound, idea: Idea, *, ask_amount: int,
               ask_people_weeks: int, first_milestone: str) -> FundingEntry:
    """The author enters an idea with an ask and a first milestone; entering it again
    changes the ask, until the round closes."""
    ensure_idea_open_to_act(idea)
    if not can_enter_idea(user, idea):
        if idea.is_anonymous:
            raise NotAllowed(_l("Anonymous ideas cannot enter a funding round: money and "
                                "people are released to a named owner."))
        if idea.author_id != user.id:
            raise NotAllowed(_l("Only the idea's author can enter it and state its ask."))
        raise InvalidInput(_l("Only open ideas, ideas with leadership or accepted ideas can "
                              "enter a funding round."))
    if not funding_round.accepts_entries():
        raise InvalidInput(_l("This round is closed: it takes no new ideas."))
    first_milestone = first_milestone.strip()
    if not 1 <= len(first_milestone) <= 200:
        raise InvalidInput(_l("Name the first milestone the money would deliver, in a line."))
    _validate_ask(funding_round, ask_amount, ask_people_weeks)
    with write_transaction() as session:
        elsewhere = session.scalar(
            select(FundingRound.title).join(FundingEntry, FundingEntry.round_id == FundingRound.id)
            .where(FundingEntry.idea_id == idea.id, FundingRound.closed_at.is_(None),
                   FundingRound.id != funding_round.id))
        if elsewhere:
            raise InvalidInput(_l("This idea is already in the round “%(title)s”: one round at "
                                  "a time.", title=elsewhere))
        entry = session.scalar(select(FundingEntry).where(
            FundingEntry.round_id == funding_round.id, FundingEntry.idea_id == idea.id))
        now = utcnow()
        if entry is None:
            entry = FundingEntry(round_id=funding_round.id, idea_id=idea.id,
                                 entered_by_id=user.id, created_at=now)
            session.execute(update(FundingRound).where(FundingRound.id == funding_round.id)
                            .values(entry_count=FundingRound.entry_count + 1))
        entry.ask_amount, entry.ask_people_weeks = ask_amount, ask_people_weeks
        entry.first_milestone, entry.updated_at = first_milestone, now
        session.add(entry)
    return entry


def _validate_ask(funding_round: FundingRound, amount: int, people_weeks: int) -> None:
    if amount < 0 or people_weeks < 0 or (amount == 0 and people_weeks == 0):
        raise InvalidInput(_l("State what the idea needs: an amount of money, people-weeks, "
                              "or both."))
    if amount > funding_round.pool_amount:
        raise InvalidInput(_l("Ask for at most the whole pool: %(amount)s %(currency)s.",
                              amount=f"{funding_round.pool_amount:,}",
                              currency=funding_round.currency))
    if people_weeks > funding_round.pool_people_weeks:
        raise InvalidInput(_l("Ask for at most the people-weeks in the pool: %(n)d.",
                              n=funding_round.pool_people_weeks))


# --- allocating points --------------------------------------------------------------------

@dataclass(frozen=True)
class Allocation:
    """The backer's own view after an allocation: what they gave, what is left, and the
    idea's totals (which the caller hides while the round hides totals)."""
    points: int
    spent: int
    allowance: int
    entry_points: int
    entry_backers: int

    @property
    def left(self) -> int:
        return self.allowance - self.spent


def allocate(user: User, funding_round_id: int, entry_id: int, points: int) -> Allocation:
    """Set the points `user` gives an entered idea (0 takes them all back). Idempotent, so
    a double click or a retried request changes nothing."""
    if not isinstance(points, int) or not 0 <= points <= MAX_ALLOWANCE:
        raise InvalidInput(_l("Give a whole number of points, 0 or more."))
    for attempt in range(DEADLOCK_RETRIES):
        try:
            return _allocate_once(user, funding_round_id, entry_id, points)
        except OperationalError as error:  # PostgreSQL broke a deadlock: run it again
            if getattr(error.orig, "sqlstate", None) not in ("40P01", "40001") or (
                    attempt == DEADLOCK_RETRIES - 1):
                raise
            db.session.rollback()
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _allocate_once(user: User, funding_round_id: int, entry_id: int, points: int) -> Allocation:
    keys = (FundingWallet.round_id == funding_round_id, FundingWallet.user_id == user.id)
    with write_transaction() as session:
        round_row = session.execute(
            select(FundingRound.opens_at, FundingRound.closes_at, FundingRound.closed_at,
                   FundingRound.allowance)
            .where(FundingRound.id == funding_round_id)
            .with_for_update(read=True, key_share=True)).one_or_none()
        if round_row is None:
            raise NotFound(_l("This funding round does not exist."))
        now = utcnow()
        if round_row.closed_at is not None or now >= round_row.closes_at:
            raise NotAllowed(_l("This round is closed: its points are final."))
        if now < round_row.opens_at:
            raise NotAllowed(_l("This round has not opened yet."))
        entry = session.execute(
            select(FundingEntry.round_id, Idea.author_id, Idea.status, Idea.deleted_at,
                   Idea.hidden_at)
            .join(Idea, Idea.id == FundingEntry.idea_id)
            .where(FundingEntry.id == entry_id)).one_or_none()
        if entry is None or entry.round_id != funding_round_id:
            raise NotFound(_l("This idea is not in the round."))
        if entry.author_id == user.id:
            raise NotAllowed(_l("You cannot give points to your own idea."))
        if not _is_eligible(session, funding_round_id, user):
            raise NotAllowed(_l("This round is open to some departments only, and yours is "
                                "not one of them."))
        insert_ignoring_duplicates(session, FundingWallet, {
            "round_id": funding_round_id, "user_id": user.id,
            "allowance": round_row.allowance, "spent": 0, "updated_at": now})
        spent_before = session.scalar(select(FundingWallet.spent).where(*keys).with_for_update())
        mine = (FundingAllocation.entry_id == entry_id, FundingAllocation.user_id == user.id)
        old = session.scalar(select(FundingAllocation.points).where(*mine)) or 0
        delta = points - old
        if delta > 0 and (entry.deleted_at is not None or entry.hidden_at is not None
                          or entry.status not in ENTRY_STATUSES):
            raise NotAllowed(_l("This idea can no longer be funded: you can only take your "
                                "points back."))
        if delta == 0:
            totals = session.execute(select(FundingEntry.points, FundingEntry.backers)
                                     .where(FundingEntry.id == entry_id)).one()
            return Allocation(points, spent_before, round_row.allowance, *totals)
        spent = session.scalar(
            update(FundingWallet)
            .where(*keys, FundingWallet.spent + delta <= FundingWallet.allowance,
                   FundingWallet.spent + delta >= 0)
            .values(spent=FundingWallet.spent + delta, updated_at=now)
            .returning(FundingWallet.spent))
        if spent is None:
            raise InvalidInput(_l("You have %(left)d points left: give at most %(most)d here.",
                                  left=round_row.allowance - spent_before,
                                  most=old + round_row.allowance - spent_before))
        if old == 0:
            session.execute(insert(FundingAllocation).values(
                entry_id=entry_id, user_id=user.id, round_id=funding_round_id, points=points,
                created_at=now, updated_at=now))
        elif points == 0:
            session.execute(delete(FundingAllocation).where(*mine))
        else:
            session.execute(update(FundingAllocation).where(*mine)
                            .values(points=points, updated_at=now))
        totals = session.execute(
            update(FundingEntry).where(FundingEntry.id == entry_id).values(
                points=FundingEntry.points + delta,
                backers=FundingEntry.backers + (int(points > 0) - int(old > 0)),
                root_sum=FundingEntry.root_sum + (math.sqrt(points) - math.sqrt(old)))
            .returning(FundingEntry.points, FundingEntry.backers)).one()
        session.execute(update(FundingRound).where(FundingRound.id == funding_round_id).values(
            points_spent=FundingRound.points_spent + delta,
            backer_count=FundingRound.backer_count + (int(spent > 0) - int(spent_before > 0))))
    return Allocation(points, spent, round_row.allowance, *totals)


def _is_eligible(session: Session, funding_round_id: int, user: User) -> bool:
    chosen = select(FundingRoundDepartment.department_id).where(
        FundingRoundDepartment.round_id == funding_round_id)
    return bool(session.scalar(select(
        not_(exists(chosen)) | exists(chosen.where(
            FundingRoundDepartment.department_id == user.department_id)))))


# --- closing and dividing the pool --------------------------------------------------------

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
        select(Idea.id, Idea.status, Idea.deleted_at, Idea.hidden_at)
        .where(Idea.id.in_([e.idea_id for e in entries])))}
    points_by_entry: dict[int, list[int]] = defaultdict(list)
    for entry_id, points in session.execute(
            select(FundingAllocation.entry_id, FundingAllocation.points)
            .where(FundingAllocation.round_id == funding_round.id)):
        points_by_entry[entry_id].append(points)
    candidates = []
    for entry in entries:
        idea = ideas[entry.idea_id]
        counted = (idea.deleted_at is None and idea.hidden_at is None
                   and idea.status in ENTRY_STATUSES)
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

def answer_funding(leader: User, entry: FundingEntry, release: bool, rationale: str) -> None:
    """A leader confirms a funded idea (the money and people are released) or declines it,
    with a public rationale. An idea still in the queue is accepted or declined with it."""
    if not is_leader(leader):
        raise NotAllowed(_l("Only leaders can confirm or decline funding."))
    rationale = rationale.strip()
    if len(rationale) < MIN_RATIONALE_LENGTH:
        raise InvalidInput(_l("Explain the decision to everyone in at least %(n)d characters: "
                              "the rationale is shown publicly on the idea.",
                              n=MIN_RATIONALE_LENGTH))
    if not entry.awaits_answer:
        raise InvalidInput(_l("This funding has already been answered, or was not funded."))
    idea = db.session.get(Idea, entry.idea_id)
    ensure_idea_open_to_act(idea)
    if idea.status in (*QUEUE_STATUSES, IdeaStatus.NEEDS_INFO):
        status = IdeaStatus.ACCEPTED if release else IdeaStatus.DECLINED
        rationale = check_transition(idea, status, rationale)
        with write_transaction() as session:
            apply_status(session, leader, idea, status, rationale)  # settles the funding
        idea.status = status
        return
    if idea.status not in (IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS):
        raise InvalidInput(_l("This idea is no longer being decided on."))
    with write_transaction() as session:
        _settle(session, leader, idea, FundingAnswer.RELEASED if release
                else FundingAnswer.DECLINED, rationale)


def after_status_change(session: Session, actor: User, idea: Idea, status: IdeaStatus,
                        rationale: str) -> None:
    """Called by review.apply_status in the same transaction: accepting a funded idea
    releases its funds and starts its delivery; declining or merging it declines them."""
    if status == IdeaStatus.ACCEPTED:
        _settle(session, actor, idea, FundingAnswer.RELEASED, rationale)
        ensure_delivery(session, idea.id)
    elif status in (IdeaStatus.DECLINED, IdeaStatus.MERGED):
        _settle(session, actor, idea, FundingAnswer.DECLINED, rationale)
    elif status == IdeaStatus.IN_PROGRESS:
        ensure_delivery(session, idea.id)
    elif status == IdeaStatus.DONE:
        fan_out(session, NotificationKind.DELIVERY_UPDATE,
                union(backers_of(idea.id), team_of(idea.id)), idea_id=idea.id,
                status=IdeaStatus.DONE.value, exclude_user_id=actor.id)


def _settle(session: Session, actor: User, idea: Idea, answer: FundingAnswer,
            rationale: str) -> None:
    pending = list(session.scalars(select(FundingEntry).where(
        FundingEntry.idea_id == idea.id, FundingEntry.funded.is_(True),
        FundingEntry.answer.is_(None))))
    if not pending:
        return
    now, html = utcnow(), render_markdown(rationale)
    for entry in pending:
        entry.answer, entry.answered_at, entry.answered_by_id = answer, now, actor.id
        entry.answer_note, entry.answer_note_html = rationale, html
        record(session, actor, f"funding.{answer.value}", "funding_entry", entry.id,
               reason=rationale, idea=idea.public_id, amount=entry.awarded_amount,
               people_weeks=entry.awarded_people_weeks)
    session.flush()
    if answer == FundingAnswer.RELEASED:
        ensure_delivery(session, idea.id)
        add_first_milestones(session, idea.id, [e.first_milestone for e in pending], actor)
    audience = union(select(literal(idea.author_id).label("user_id")), backers_of(idea.id),
                     team_of(idea.id))
    fan_out(session, NotificationKind.FUNDING_ANSWER, audience, idea_id=idea.id,
            status=answer.value, exclude_user_id=actor.id)
