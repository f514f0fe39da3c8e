"""Leaders' public track record: how each leader answers what reaches them.

Every figure comes from one aggregate statement, whatever the amount of data:
- decisions made: decisions with a public rationale (accepted, declined, needs information,
  merged) the leader published;
- days to answer: for each round of review (the idea's escalation, and each reopening by a
  challenge) the time from the round's start to its first such decision, credited to the
  leader who made it; the median of those, and the share made by the round's due date;
- overdue now: review-queue items the leader owns whose due date has passed;
- challenged: the leader's decisions whose challenge reached its co-signers (a challenge that
  expired or was closed does not count), and how many of those were overturned.
"Last 90 days" counts decisions and answers published in the last 90 days.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    Challenge,
    ChallengeStatus,
    Decision,
    Escalation,
    Idea,
    Role,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.challenges import CHALLENGEABLE_STATUSES
from ideaboard.models.ideas import awaiting_answer
from ideaboard.queries.ideas import pack_cursor, unpack_cursor
from ideaboard.queries.periods import days_between

RECENT_DAYS = 90
ANSWERS = CHALLENGEABLE_STATUSES  # decisions with a public rationale
LEADER_ROLES = (Role.LEADER, Role.ADMIN)


@dataclass
class Record:
    """One window (last 90 days, or all time) of one leader, or of leadership as a whole."""
    decisions: int = 0
    answered: int = 0
    on_time: int = 0
    median_days: float | None = None
    challenged: int = 0
    overturned: int = 0

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


@dataclass
class LeaderRecord:
    user_id: int
    name: str
    recent: Record = field(default_factory=Record)
    all_time: Record = field(default_factory=Record)
    awaiting_now: int = 0
    overdue_now: int = 0


def _stats(since: datetime, now: datetime, per_leader: bool):
    """The three aggregate subqueries (decisions, answers, queue now), keyed by `who`: the
    leader's id, or 0 for leadership as a whole."""
    def who(column):
        return column.label("who") if per_leader else literal(0).label("who")

    rounds = union_all(
        select(Escalation.idea_id, Escalation.created_at.label("start"),
               Escalation.due_at.label("due")),
        select(Challenge.idea_id, Challenge.prior_escalated_at, Challenge.prior_due_at)
        .where(Challenge.prior_escalated_at.is_not(None)),
    ).cte("rounds")
    first_answer = (select(Decision.id).where(Decision.idea_id == rounds.c.idea_id,
                                              Decision.status.in_(ANSWERS),
                                              Decision.created_at >= rounds.c.start)
                    .order_by(Decision.created_at, Decision.id).limit(1)
                    .correlate(rounds).scalar_subquery())
    answered = select(rounds.c.start, rounds.c.due,
                      first_answer.label("decision_id")).cte("answered")
    answers = (select(who(Decision.author_id),
                      days_between(Decision.created_at, answered.c.start).label("days"),
                      case((Decision.created_at <= answered.c.due, 1), else_=0).label("on_time"),
                      case((Decision.created_at >= since, 1), else_=0).label("recent"))
               .select_from(answered).join(Decision, Decision.id == answered.c.decision_id)
               .cte("answers"))
    ranked = select(
        answers,
        func.row_number().over(partition_by=answers.c.who,
                               order_by=answers.c.days).label("rn_all"),
        func.count().over(partition_by=answers.c.who).label("n_all"),
        func.row_number().over(partition_by=(answers.c.who, answers.c.recent),
                               order_by=answers.c.days).label("rn_recent"),
        func.count().over(partition_by=(answers.c.who, answers.c.recent)).label("n_recent"),
    ).cte("ranked")

    def middle(rn, n):  # the one or two middle rows: their mean is the median
        return or_(rn == (n + 1) // 2, rn == (n + 2) // 2)

    recent = ranked.c.recent == 1
    answer_stats = select(
        ranked.c.who,
        func.count().label("answered_all"),
        func.sum(ranked.c.on_time).label("on_time_all"),
        func.avg(case((middle(ranked.c.rn_all, ranked.c.n_all), ranked.c.days))).label(
            "median_all"),
        func.sum(ranked.c.recent).label("answered_recent"),
        func.sum(case((recent, ranked.c.on_time), else_=0)).label("on_time_recent"),
        func.avg(case((and_(recent, middle(ranked.c.rn_recent, ranked.c.n_recent)),
                       ranked.c.days))).label("median_recent"),
    ).group_by(ranked.c.who).subquery("answer_stats")

    flags = select(
        Challenge.decision_id,
        func.max(case((Challenge.reopened_at.is_not(None), 1), else_=0)).label("challenged"),
        func.max(case((Challenge.status == ChallengeStatus.OVERTURNED, 1), else_=0)).label(
            "overturned"),
    ).group_by(Challenge.decision_id).subquery("flags")
    is_recent = Decision.created_at >= since
    challenged = func.coalesce(flags.c.challenged, 0)
    overturned = func.coalesce(flags.c.overturned, 0)
    decision_stats = (select(
        who(Decision.author_id),
        func.count().label("decisions_all"),
        func.sum(case((is_recent, 1), else_=0)).label("decisions_recent"),
        func.sum(challenged).label("challenged_all"),
        func.sum(case((is_recent, challenged), else_=0)).label("challenged_recent"),
        func.sum(overturned).label("overturned_all"),
        func.sum(case((is_recent, overturned), else_=0)).label("overturned_recent"))
        .select_from(Decision).outerjoin(flags, flags.c.decision_id == Decision.id)
        .where(Decision.status.in_(ANSWERS))
        .group_by("who").subquery("decision_stats"))

    queue_stats = (select(
        who(Escalation.owner_id),
        func.count().label("awaiting_now"),
        func.sum(case((Idea.review_due_at < now, 1), else_=0)).label("overdue_now"))
        .select_from(Escalation).join(Idea, Idea.id == Escalation.idea_id)
        .where(*awaiting_answer(),
               *([Escalation.owner_id.is_not(None)] if per_leader else []))
        .group_by("who").subquery("queue_stats"))
    return decision_stats, answer_stats, queue_stats


def _number(value) -> int:
    return int(value or 0)


def _fill(row, target) -> None:
    for window, record in (("recent", target.recent), ("all", target.all_time)):
        record.decisions = _number(getattr(row, f"decisions_{window}"))
        record.answered = _number(getattr(row, f"answered_{window}"))
        record.on_time = _number(getattr(row, f"on_time_{window}"))
        median = getattr(row, f"median_{window}")
        record.median_days = float(median) if median is not None else None
        record.challenged = _number(getattr(row, f"challenged_{window}"))
        record.overturned = _number(getattr(row, f"overturned_{window}"))
    target.awaiting_now = _number(row.awaiting_now)
    target.overdue_now = _number(row.overdue_now)


STAT_COLUMNS = ("decisions_all", "decisions_recent", "challenged_all", "challenged_recent",
                "overturned_all", "overturned_recent", "answered_all", "on_time_all",
                "median_all", "answered_recent", "on_time_recent", "median_recent",
                "awaiting_now", "overdue_now")


@dataclass
class RecordPage:
    leaders: list[LeaderRecord]
    next_cursor: str | None


def leader_records(after: str | None = None, limit: int = 50,
                   user_id: int | None = None) -> RecordPage:
    """Current leaders and administrators by name (keyset pages), or one person by id,
    each with both windows: one statement."""
    now = utcnow()
    decisions, answers, queue = _stats(now - timedelta(days=RECENT_DAYS), now, True)
    columns = [getattr(s.c, name) for name in STAT_COLUMNS
               for s in (decisions, answers, queue) if name in s.c]
    query = (select(User.id, User.display_name, *columns)
             .outerjoin(decisions, decisions.c.who == User.id)
             .outerjoin(answers, answers.c.who == User.id)
             .outerjoin(queue, queue.c.who == User.id))
    if user_id is not None:
        query = query.where(User.id == user_id)
    else:
        query = query.where(User.role.in_(LEADER_ROLES), User.deactivated_at.is_(None))
        position = unpack_cursor(after)
        if position and len(position) == 2 and isinstance(position[0], str):
            query = query.where(tuple_(User.display_name, User.id) > (position[0],
                                                                      _int(position[1])))
        query = query.order_by(User.display_name, User.id).limit(limit + 1)
    rows = db.session.execute(query).all()
    leaders = []
    for row in rows:
        record = LeaderRecord(row.id, row.display_name)
        _fill(row, record)
        leaders.append(record)
    last = leaders[limit - 1] if user_id is None and len(leaders) > limit else None
    return RecordPage(leaders[:limit], pack_cursor([last.name, last.user_id]) if last else None)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@dataclass
class LeadershipTotals(LeaderRecord):
    unassigned_overdue: int = 0


def leadership_totals() -> LeadershipTotals:
    """The same figures for leadership as a whole: one statement."""
    now = utcnow()
    decisions, answers, queue = _stats(now - timedelta(days=RECENT_DAYS), now, False)
    columns = [getattr(s.c, name) for name in STAT_COLUMNS
               for s in (decisions, answers, queue) if name in s.c]
    unassigned = (select(func.count()).select_from(Escalation)
                  .join(Idea, Idea.id == Escalation.idea_id)
                  .where(*awaiting_answer(), Escalation.owner_id.is_(None),
                         Idea.review_due_at < now)
                  .scalar_subquery())
    base = select(literal(0).label("who")).subquery("base")
    row = db.session.execute(
        select(*columns, unassigned.label("unassigned_overdue"))
        .select_from(base)
        .outerjoin(decisions, decisions.c.who == base.c.who)
        .outerjoin(answers, answers.c.who == base.c.who)
        .outerjoin(queue, queue.c.who == base.c.who)).one()
    totals = LeadershipTotals(0, "")
    _fill(row, totals)
    totals.unassigned_overdue = _number(row.unassigned_overdue)
    return totals


def is_or_was_a_decider(user: User) -> bool:
    """Whose page exists: current leaders and administrators, and anyone who decided."""
    if user.role in LEADER_ROLES:
        return True
    return db.session.scalar(select(func.count()).select_from(
        select(Decision.id).where(Decision.author_id == user.id).limit(1).subquery())) > 0


@dataclass
class DecisionRow:
    decision: Decision
    challenged: bool
    overturned: bool


def recent_decisions(user: User, limit: int = 20) -> list[DecisionRow]:
    """The leader's latest decisions with a public rationale, and what challenges did."""
    reached = (select(func.max(case((Challenge.reopened_at.is_not(None), 1), else_=0)))
               .where(Challenge.decision_id == Decision.id).scalar_subquery())
    turned = (select(func.max(case((Challenge.status == ChallengeStatus.OVERTURNED, 1),
                                   else_=0)))
              .where(Challenge.decision_id == Decision.id).scalar_subquery())
    rows = db.session.execute(
        select(Decision, cast(func.coalesce(reached, 0), Integer),
               cast(func.coalesce(turned, 0), Integer))
        .join(Idea, Idea.id == Decision.idea_id)
        .where(Decision.author_id == user.id, Decision.status.in_(ANSWERS),
               Idea.deleted_at.is_(None), Idea.hidden_at.is_(None))
        .options(joinedload(Decision.idea))
        .order_by(Decision.created_at.desc(), Decision.id.desc()).limit(limit)).all()
    return [DecisionRow(decision, bool(c), bool(o)) for decision, c, o in rows]


def owned_overdue(user: User, limit: int = 20) -> list[Idea]:
    return list(db.session.scalars(
        select(Idea).join(Escalation, Escalation.idea_id == Idea.id)
        .where(Escalation.owner_id == user.id, *awaiting_answer(),
               Idea.review_due_at < utcnow())
        .order_by(Idea.review_due_at, Idea.id).limit(limit)))
