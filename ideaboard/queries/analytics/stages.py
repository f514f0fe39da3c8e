"""The funnel's stages, the rollup statements that count them, and reading the totals."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DateTime,
    Integer,
    Select,
    String,
    case,
    exists,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from ideaboard.extensions import db
from ideaboard.models import (
    Challenge,
    ChallengeCosign,
    Comment,
    Critique,
    Decision,
    Department,
    Escalation,
    FundingEntry,
    Idea,
    IdeaStatus,
    Level,
    Participation,
    ParticipationTotal,
    User,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.models.challenges import CHALLENGEABLE_STATUSES
from ideaboard.queries.periods import Quarter, last_quarters, quarter_index, whole_days_between

QUARTERS_SHOWN = 8
ACCEPTED_STATUSES = (IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)


def participation_events() -> list[Select]:
    """(user_id, at) for everything that counts as taking part; anonymous items are left out
    so that nothing anonymous is ever attributed to a group."""
    return [
        select(Vote.user_id.label("user_id"), Vote.created_at.label("at")),
        select(Idea.author_id, Idea.created_at).where(Idea.is_anonymous.is_(False)),
        select(Comment.author_id, Comment.created_at).where(Comment.is_anonymous.is_(False)),
        select(Critique.author_id, Critique.created_at).where(Critique.is_anonymous.is_(False)),
        select(Challenge.author_id, Challenge.created_at).where(
            Challenge.is_anonymous.is_(False)),
        select(ChallengeCosign.user_id, ChallengeCosign.created_at),
    ]


@dataclass(frozen=True)
class Periods:
    quarters: list[Quarter]

    @property
    def start(self) -> datetime:
        return self.quarters[0].start

    def start_of(self, column):
        """The start of `column`'s quarter among these quarters (NULL before them)."""
        return case(*[(column >= quarter.start, literal(quarter.start))
                      for quarter in reversed(self.quarters)], else_=literal(None))


def _took_part(periods: Periods) -> Select:
    events = union_all(*participation_events()).subquery("events")
    return (select(events.c.user_id, periods.start_of(events.c.at).label("quarter_start"),
                   func.max(events.c.at).label("last_at"))
            .where(events.c.at >= periods.start).group_by(events.c.user_id, "quarter_start"))


@dataclass(frozen=True)
class FunnelStage:
    """One step of the funnel, rolled up per person and quarter by services.analytics.

    `idea_condition` makes it a stage about the ideas a person posted in the quarter (named
    ones count in the person's groups, anonymous ones company-wide only); `people` builds any
    other stage as (user_id, quarter_start, last_at) rows. A stage with neither is the
    headcount. Only "took_part" is rebuilt incrementally (what people did never changes);
    every other stage is rebuilt for the whole window, since ideas move on."""
    key: str
    label: object
    idea_condition: Callable[[], object] | None = None
    people: Callable[[Periods], Select] | None = None

    @property
    def is_headcount(self) -> bool:
        return self.idea_condition is None and self.people is None

    def selector(self, periods: Periods, *, anonymous: bool = False) -> Select:
        """(user_id, quarter_start, last_at) rows, one per person and quarter."""
        if self.people is not None:
            return self.people(periods)
        inner = select(Idea.author_id.label("user_id"),
                       periods.start_of(Idea.created_at).label("quarter_start"),
                       Idea.created_at).where(
            Idea.is_anonymous.is_(anonymous), Idea.created_at >= periods.start,
            self.idea_condition()).subquery()
        return (select(inner.c.user_id, inner.c.quarter_start,
                       func.max(inner.c.created_at).label("last_at"))
                .group_by(inner.c.user_id, inner.c.quarter_start))


FUNNEL_STAGES: list[FunnelStage] = [
    FunnelStage("employees", _l("Employees")),
    FunnelStage("took_part", _l("Took part"), people=_took_part),
    FunnelStage("posted", _l("Posted an idea"), idea_condition=true),
    FunnelStage("escalated", _l("Reached leadership"),
                idea_condition=lambda: exists().where(Escalation.idea_id == Idea.id)),
    FunnelStage("answered", _l("Got an answer"),
                idea_condition=lambda: exists().where(
                    Decision.idea_id == Idea.id, Decision.status.in_(CHALLENGEABLE_STATUSES))),
    FunnelStage("accepted", _l("Accepted"),
                idea_condition=lambda: Idea.status.in_(ACCEPTED_STATUSES)),
    FunnelStage("funded", _l("Funded by colleagues"),  # funding rounds (issue 14)
                idea_condition=lambda: exists().where(FundingEntry.idea_id == Idea.id,
                                                      FundingEntry.funded.is_(True))),
    FunnelStage("delivered", _l("Delivered"),
                idea_condition=lambda: Idea.status == IdeaStatus.DONE),
]
TOOK_PART = "took_part"
REPEAT = "repeat"  # a measure beside the funnel: took part, and had taken part before
ANONYMOUS = "anonymous:"  # the rollup's prefix for people who posted anonymously


# --- reading the rollup ------------------------------------------------------------------------

Base = tuple[int | None, str]  # (department id, level value): the finest cell


@dataclass
class BaseData:
    """Counts by department × level, the finest grain; views add them up."""
    quarters: list[Quarter]
    headcount: Counter = field(default_factory=Counter)
    counts: dict[tuple[str, int], Counter] = field(default_factory=lambda: defaultdict(Counter))
    answer_days: dict[tuple[int, Base], Counter] = field(
        default_factory=lambda: defaultdict(Counter))
    anonymous: Counter = field(default_factory=Counter)  # (stage key, q) → people
    departments: dict[int, str] = field(default_factory=dict)
    counted_at: datetime | None = None


def totals_by_group(periods: Periods, counted_at: datetime) -> Select:
    """What services.analytics writes to participation_total: the rollup by department ×
    level for today's employees, repeat participants, the headcount, and the anonymous
    posters without a group."""
    active = (User.id == Participation.user_id, User.deactivated_at.is_(None))
    in_window = Participation.quarter_start >= periods.start
    now = literal(counted_at, DateTime)
    named = (select(User.department_id, User.level, Participation.stage,
                    Participation.quarter_start, func.count(), now)
             .where(*active, in_window, ~Participation.stage.startswith(ANONYMOUS))
             .group_by(User.department_id, User.level, Participation.stage,
                       Participation.quarter_start))
    earlier = aliased(Participation)
    repeat = (select(User.department_id, User.level, literal(REPEAT, String),
                     Participation.quarter_start, func.count(), now)
              .where(*active, in_window, Participation.stage == TOOK_PART,
                     exists().where(earlier.user_id == Participation.user_id,
                                    earlier.stage == TOOK_PART,
                                    earlier.quarter_start < Participation.quarter_start))
              .group_by(User.department_id, User.level, Participation.quarter_start))
    anonymous = (select(literal(None, Integer), literal(None, String), Participation.stage,
                        Participation.quarter_start, func.count(), now)
                 .where(in_window, Participation.stage.startswith(ANONYMOUS))
                 .group_by(Participation.stage, Participation.quarter_start))
    headcount = (select(User.department_id, User.level, literal("employees", String),
                        literal(None, DateTime), func.count(), now)
                 .where(User.deactivated_at.is_(None))
                 .group_by(User.department_id, User.level))
    return union_all(named, repeat, anonymous, headcount)


def load_base(now: datetime | None = None) -> BaseData:
    """Three statements: the rollup's totals by department × level (a few thousand rows,
    as of the last refresh), the answer-time histogram, and the departments' names."""
    periods = Periods(last_quarters(now or utcnow(), QUARTERS_SHOWN))
    data = BaseData(periods.quarters)
    index = {quarter.start: q for q, quarter in enumerate(periods.quarters)}
    for row in db.session.execute(select(
            ParticipationTotal.department_id, ParticipationTotal.level,
            ParticipationTotal.stage, ParticipationTotal.quarter_start,
            ParticipationTotal.people, ParticipationTotal.counted_at)):
        department_id, level, stage, quarter_start, n, data.counted_at = row
        if stage == "employees":
            data.headcount[(department_id, level)] += n
        elif quarter_start not in index:
            continue
        elif stage.startswith(ANONYMOUS):
            data.anonymous[(stage.removeprefix(ANONYMOUS), index[quarter_start])] += n
        else:
            data.counts[(stage, index[quarter_start])][(department_id, level)] += n
    _load_answer_days(data, periods)
    data.departments = dict(db.session.execute(select(Department.id, Department.name)).all())
    return data


def _load_answer_days(data: BaseData, periods: Periods) -> None:
    """A histogram of whole days from first escalation to first answer, per cell and cohort
    quarter: medians of any group of cells come from it exactly, to the day."""
    rounds = union_all(
        select(Escalation.idea_id, Escalation.created_at.label("start")),
        select(Challenge.idea_id, Challenge.prior_escalated_at)
        .where(Challenge.prior_escalated_at.is_not(None))).subquery("rounds")
    first_round = (select(rounds.c.idea_id, func.min(rounds.c.start).label("start"))
                   .group_by(rounds.c.idea_id).subquery("first_round"))
    first_answer = (select(Decision.idea_id, func.min(Decision.created_at).label("at"))
                    .where(Decision.status.in_(CHALLENGEABLE_STATUSES))
                    .group_by(Decision.idea_id).subquery("first_answer"))
    answered = (select(User.department_id, User.level,
                       quarter_index(Idea.created_at, periods.quarters).label("q"),
                       whole_days_between(first_answer.c.at, first_round.c.start).label("days"))
                .select_from(Idea)
                .join(first_round, first_round.c.idea_id == Idea.id)
                .join(first_answer, first_answer.c.idea_id == Idea.id)
                .join(User, User.id == Idea.author_id)
                .where(Idea.is_anonymous.is_(False), Idea.created_at >= periods.start,
                       User.deactivated_at.is_(None),
                       first_answer.c.at >= first_round.c.start).subquery("answered"))
    rows = db.session.execute(
        select(answered.c.department_id, answered.c.level, answered.c.q, answered.c.days,
               func.count())
        .where(answered.c.q.is_not(None))
        .group_by(answered.c.department_id, answered.c.level, answered.c.q, answered.c.days))
    for department_id, level, q, days, n in rows:
        data.answer_days[(q, (department_id, Level(level).value))][days] += n

