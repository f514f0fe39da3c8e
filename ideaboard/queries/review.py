"""The review queue, one item's review page, the decided list and an idea's public timeline."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, has_app_context
from sqlalchemy import TextClause, case, func, literal_column, or_, select, text, tuple_
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.elements import ColumnElement

from ideaboard.caching import cached_many, store_many
from ideaboard.extensions import db
from ideaboard.models import (
    Comment,
    Decision,
    Department,
    Escalation,
    Idea,
    IdeaFollow,
    IdeaStatus,
    IdeaTag,
    InfoAnswer,
    Role,
    Stance,
    User,
    Vote,
)
from ideaboard.models.base import fits_database_integer, utcnow
from ideaboard.models.ideas import awaiting_answer, in_review_queue_sql
from ideaboard.queries.ideas import cursor_integer, pack_cursor, unpack_cursor
from ideaboard.services.notifications import QUEUE_STATUSES
from ideaboard.services.settings import small_group_minimum
from ideaboard.visibility import readable_ideas

MIN_GROUP_SIZE = 5
_WORD = re.compile(r"[A-Za-z]{4,}|[\u4e00-\u9fff]{2,}")


@dataclass
class QueueRow:
    idea: Idea
    escalation: Escalation

    @property
    def days_left(self) -> int:
        return math.ceil((self.escalation.due_at - utcnow()).total_seconds() / 86400)

    @property
    def days_overdue(self) -> int:
        return self.idea.days_overdue()


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


@dataclass(frozen=True)
class QueueFilter:
    """What a leader narrows the queue to. The default: everything, soonest due first."""
    campaign_id: int | None = None
    owner_id: int | None = None  # one leader's items ("mine" is the viewer's id)
    unowned: bool = False        # nobody has claimed it yet
    overdue: bool = False
    newest: bool = False         # newest escalations first, so a new one is on page one

    @property
    def narrowed(self) -> bool:
        return bool(self.campaign_id or self.owner_id or self.unowned or self.overdue)


@cache
def _in_queue(dialect: str) -> TextClause:
    """The queue's condition as ix_idea_review_queue is defined, so a page is read in that
    index's order and stops at the LIMIT: no sort of the queue."""
    return text(in_review_queue_sql("idea", likely=dialect == "sqlite"))


def review_queue(after: str | None = None, limit: int = 30,
                 filters: QueueFilter = QueueFilter()) -> QueuePage:
    """Escalated and under-review ideas, soonest due (so most overdue) first, or newest
    escalation first; keyset pages read in index order with a LIMIT either way, so a long
    queue costs the same per page as a short one (ix_idea_review_queue, ix_escalation_created)."""
    dialect = db.engine.dialect.name
    query = (select(Idea, Escalation).join(Escalation, Escalation.idea_id == Idea.id)
             .where(_in_queue(dialect))
             .options(joinedload(Idea.campaign), joinedload(Escalation.owner)))
    if filters.campaign_id is not None:
        query = query.where(_checked_per_row(Idea.campaign_id == filters.campaign_id, dialect))
    if filters.owner_id is not None:
        query = query.where(_checked_per_row(Escalation.owner_id == filters.owner_id, dialect))
    elif filters.unowned:
        query = query.where(_checked_per_row(Escalation.owner_id.is_(None), dialect))
    if filters.overdue:
        query = query.where(Idea.review_due_at < utcnow())
    key = ((Escalation.created_at, Escalation.id) if filters.newest
           else (Idea.review_due_at, Idea.id))
    position = _queue_position(after)
    if position is not None:
        query = query.where((tuple_(*key) < tuple_(*position)) if filters.newest
                            else (tuple_(*key) > tuple_(*position)))
    order = (Escalation.created_at.desc(), Escalation.id.desc()) if filters.newest else key
    rows = [QueueRow(idea, escalation) for idea, escalation in db.session.execute(
        query.order_by(*order).limit(limit + 1))]
    last = rows[limit - 1] if len(rows) > limit else None
    if last is None:
        return QueuePage(rows[:limit], None)
    if filters.newest:
        position = [last.escalation.created_at.isoformat(), last.escalation.id]
    else:
        position = [last.idea.review_due_at.isoformat(), last.idea.id]
    return QueuePage(rows[:limit], pack_cursor(position))


def _checked_per_row(condition: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    """A filter checked on each row of the queue's index walk. SQLite's planner would
    otherwise search the campaign's or the owner's index (every idea or escalation they
    ever had) and sort what it finds."""
    return func.likelihood(condition, literal_column("0.99")) if dialect == "sqlite" else condition


def newest_escalations(limit: int = 3, within_days: int = 7) -> list[QueueRow]:
    """The latest escalations still awaiting an answer, shown above the queue whatever its
    order or page, so a new one is found without paging (ix_escalation_created)."""
    since = utcnow() - timedelta(days=within_days)
    return [QueueRow(idea, escalation) for idea, escalation in db.session.execute(
        select(Idea, Escalation).join(Escalation, Escalation.idea_id == Idea.id)
        .where(_in_queue(db.engine.dialect.name), Escalation.created_at >= since)
        .options(joinedload(Idea.campaign), joinedload(Escalation.owner))
        .order_by(Escalation.created_at.desc(), Escalation.id.desc()).limit(limit))]


def _queue_position(cursor: str | None) -> tuple[datetime, int] | None:
    try:
        moment, idea_id = unpack_cursor(cursor) or (None, None)
        if idea_id is None:
            return None
        return datetime.fromisoformat(moment), cursor_integer(idea_id)
    except (ValueError, TypeError):
        return None


def _decided_position(cursor: str | None) -> tuple[datetime, int] | None:
    """"<decided_at>_<id>", or None when malformed or out of range (first page)."""
    try:
        stamp, idea_id = (cursor or "")[:100].rsplit("_", 1)
        position = datetime.fromisoformat(stamp), int(idea_id)
    except ValueError:
        return None
    return position if fits_database_integer(position[1]) else None


QUEUE_COUNTS_KEY = "review:queue-counts"


def queue_counts() -> dict[str, int]:
    """How many ideas await an answer and how many of them are overdue. Counting reads the
    whole queue (two searches of ix_idea_status_due), and the home page, the queue and every
    digest show these numbers, so they are kept in the app's cache (per worker, or shared in
    Redis) for QUEUE_COUNTS_SECONDS (0: count every time): a count may lag a decision by that
    long, never a list."""
    seconds = current_app.config["QUEUE_COUNTS_SECONDS"]
    if seconds > 0:
        kept = (cached_many([QUEUE_COUNTS_KEY]) or [None])[0]
        if kept is not None:
            return dict(kept)
    awaiting = select(func.count()).select_from(Idea).where(*awaiting_answer())
    overdue = awaiting.where(Idea.review_due_at < utcnow())
    row = db.session.execute(select(awaiting.scalar_subquery(),
                                    overdue.scalar_subquery())).one()
    counts = {"awaiting": row[0], "overdue": row[1]}
    if seconds > 0:
        store_many({QUEUE_COUNTS_KEY: counts}, timeout=seconds)
    return dict(counts)


def escalation_for(idea: Idea) -> Escalation | None:
    return db.session.scalar(select(Escalation).where(Escalation.idea_id == idea.id).options(
        joinedload(Escalation.owner), joinedload(Escalation.created_by)))


def timeline(idea: Idea) -> list[Decision]:
    return list(db.session.scalars(
        select(Decision).where(Decision.idea_id == idea.id)
        .options(joinedload(Decision.author), joinedload(Decision.merged_into))
        .order_by(Decision.id)))


def info_answers(idea: Idea, viewer: User | None) -> dict[int, list[InfoAnswer]]:
    """The author's answers to "needs information", by the decision they answer; an
    anonymous answer appears at its public time (its author sees it at once)."""
    viewer_id = viewer.id if viewer is not None and viewer.is_authenticated else None
    rows = db.session.scalars(
        select(InfoAnswer).where(InfoAnswer.idea_id == idea.id,
                                 (InfoAnswer.public_at <= utcnow())
                                 | (InfoAnswer.author_id == viewer_id))
        .options(joinedload(InfoAnswer.author)).order_by(InfoAnswer.id))
    answers: dict[int, list[InfoAnswer]] = {}
    for answer in rows:
        answers.setdefault(answer.decision_id, []).append(answer)
    return answers


def is_following(user: User | None, idea: Idea) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(IdeaFollow, (user.id, idea.id)) is not None


def strongest_comments(idea: Idea, stance: Stance, limit: int = 3) -> list[Comment]:
    return list(db.session.scalars(
        select(Comment).where(Comment.idea_id == idea.id, Comment.stance == stance,
                              Comment.deleted_at.is_(None))
        .options(joinedload(Comment.author))
        .order_by(Comment.helpful_count.desc(), Comment.id).limit(limit)))


def similar_ideas(idea: Idea, limit: int = 5) -> list[Idea]:
    """Ideas sharing tags or distinctive title words: enough to spot duplicates."""
    words = sorted(set(_WORD.findall(idea.title)), key=len, reverse=True)[:4]
    shared_tags = select(IdeaTag.idea_id).where(IdeaTag.tag_id.in_(
        select(IdeaTag.tag_id).where(IdeaTag.idea_id == idea.id)))
    matches = [Idea.id.in_(shared_tags)] + [Idea.title.ilike(f"%{w}%") for w in words]
    overlap = sum(case((m, 1), else_=0) for m in matches)
    return list(db.session.scalars(
        select(Idea).where(Idea.id != idea.id, Idea.deleted_at.is_(None), or_(*matches))
        .order_by(overlap.desc(), Idea.score.desc()).limit(limit)))


@dataclass
class GroupSupport:
    name: str
    supporters: int
    opposers: int

    @property
    def voters(self) -> int:
        return self.supporters + self.opposers


@dataclass
class Breakdown:
    groups: list[GroupSupport] = field(default_factory=list)
    other: GroupSupport | None = None


def fold_small_groups(groups: list[GroupSupport], other_name: str,
                      minimum: int | None = None) -> Breakdown:
    """Show a group only with at least `minimum` voters; fold the rest into "other".

    If "other" itself would be smaller than the minimum (so it could be worked out by
    subtraction), the smallest shown groups are folded into it too. The minimum defaults to
    the admins' setting (never below MIN_GROUP_SIZE).
    """
    if minimum is None:  # moderation and administration (issue 7): the admin setting
        minimum = small_group_minimum() if has_app_context() else MIN_GROUP_SIZE
    shown = sorted((g for g in groups if g.voters >= minimum), key=lambda g: -g.voters)
    other = GroupSupport(other_name, 0, 0)
    for group in groups:
        if group.voters < minimum:
            other.supporters += group.supporters
            other.opposers += group.opposers
    while 0 < other.voters < minimum and shown:
        smallest = shown.pop()
        other.supporters += smallest.supporters
        other.opposers += smallest.opposers
    if 0 < other.voters < minimum:
        return Breakdown(groups=[], other=None)  # too few voters to show anything safely
    return Breakdown(groups=shown, other=other if other.voters else None)


def support_by_department(idea: Idea, other_name: str) -> Breakdown:
    rows = db.session.execute(
        select(func.coalesce(Department.name, ""),
               func.count().filter(Vote.value == 1), func.count().filter(Vote.value == -1))
        .select_from(Vote).join(User, User.id == Vote.user_id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(Vote.idea_id == idea.id).group_by(Department.name)).all()
    return fold_small_groups([GroupSupport(name or other_name, s, o) for name, s, o in rows],
                             other_name)


def queue_owner_choices() -> list[User]:
    """The leaders who own an idea awaiting an answer: the queue's owner filter offers these
    few, not every leader of the company (hundreds of options on every queue page)."""
    owners = (select(Escalation.owner_id).join(Idea, Idea.id == Escalation.idea_id)
              .where(*awaiting_answer(), Escalation.owner_id.is_not(None)))
    return list(db.session.scalars(select(User).where(User.id.in_(owners))
                                   .order_by(User.display_name)))


def leader_choices() -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role.in_([Role.LEADER, Role.ADMIN]), User.deactivated_at.is_(None))
        .order_by(User.display_name)))


@dataclass
class DecidedPage:
    items: list[tuple[Idea, Decision | None]]
    next_cursor: str | None


def decided(limit: int = 30, before: str | None = None,
            viewer: User | None = None) -> DecidedPage:
    """Recently decided ideas with their latest decision, newest first (keyset on decided_at),
    among the ideas this viewer may list (ideaboard/visibility.py)."""
    query = (select(Idea).where(Idea.decided_at.is_not(None), readable_ideas(viewer),
                                Idea.status.in_([s.value for s in IdeaStatus
                                                 if s not in (IdeaStatus.OPEN, *QUEUE_STATUSES)]))
             .options(joinedload(Idea.campaign), joinedload(Idea.author))
             .order_by(Idea.decided_at.desc(), Idea.id.desc())
             .limit(limit + 1))
    position = _decided_position(before)
    if position is not None:
        stamp, idea_id = position
        query = query.where((Idea.decided_at < stamp) | (
            (Idea.decided_at == stamp) & (Idea.id < idea_id)))
    ideas = list(db.session.scalars(query))
    next_cursor = (f"{ideas[limit - 1].decided_at.isoformat()}_{ideas[limit - 1].id}"
                   if len(ideas) > limit else None)
    ideas = ideas[:limit]
    latest = aliased(Decision)
    decisions = {d.idea_id: d for d in db.session.scalars(
        select(latest).where(latest.id.in_(
            select(func.max(Decision.id)).where(Decision.idea_id.in_([i.id for i in ideas]))
            .group_by(Decision.idea_id))).options(joinedload(latest.author),
                                                  joinedload(latest.merged_into)))}
    return DecidedPage([(idea, decisions.get(idea.id)) for idea in ideas], next_cursor)
