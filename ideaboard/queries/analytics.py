"""Voice-equity analytics: does every voice reach the top?

The funnel, per calendar quarter (UTC), by level or by department, relative to headcount:
- employees: today's active employees in the group (the same people in every quarter);
- took part: voted, posted, commented, critiqued a plan, raised or co-signed a challenge in
  the quarter;
- posted: posted an idea under their name in the quarter; and of the ideas posted that
  quarter, the authors whose idea reached leadership (escalated), got an answer (a decision
  with a public rationale), was accepted (accepted, in progress or done) and delivered (done).
Also per quarter: time to answer (median whole days from an idea's first escalation to its
first answer, for ideas posted that quarter) and repeat participation (took part in the
quarter and in an earlier one). A stage is one entry in FUNNEL_STAGES: a new stage (funding)
is one more entry there.

Privacy rules (tests/unit/test_analytics.py tries to break them):
1. Small groups: a group is shown on its own only with at least `small_group_minimum`
   people; smaller groups are counted together as "Other". If "Other" would be too small,
   the smallest shown groups join it; if nothing can be shown safely, nothing is.
2. No subtraction across filters: a filter ("managers only") is offered only for a group
   shown on its own in its own breakdown. No two cells the page can show — in one view or
   in any two — count nested sets of people that differ by fewer than the minimum: a
   cell that would break this joins its view's "Other" (and if "Other" cannot be made
   safe, the view shows nothing). So subtracting one view's figure from another's never
   describes fewer than the minimum people. (plan_views; combining three or more views is
   not guarded.)
3. No subtraction across periods: every quarter of a view counts the same people (today's
   employees in the group), so two quarters differ only in what people did, never in who is
   counted; nobody can be isolated by comparing quarters.
4. Anonymous posts are never attributed to a group: they are counted company-wide on a line
   of their own, so a group's counts cannot be matched against anonymous ideas.
Figures come from the `participation` rollup (services.analytics rebuilds it hourly, stage by
stage, from this list, and adds it up by department × level into `participation_total`) and
three aggregate statements per page, whatever the amount of data.
"""
from __future__ import annotations

import csv
import io
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
DIMENSIONS = ("level", "department")
ACCEPTED_STATUSES = (IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
LEVEL_LABELS = {Level.FRONTLINE: _l("Frontline"), Level.MANAGER: _l("Manager"),
                Level.SENIOR: _l("Senior"), Level.EXECUTIVE: _l("Executive")}


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


# --- the privacy rules ----------------------------------------------------------------------

@dataclass(frozen=True)
class Partition:
    """The groups a view shows on their own (largest first), and those counted as "Other"."""
    shown: list[str]
    other: frozenset[str]


def safe_cells(view: dict[str, int], parent: dict[str, int] | None, minimum: int,
               forced: set[str] | frozenset[str] = frozenset()) -> Partition | None:
    """Rules 1 and 2 of the module docstring for one view; None when nothing in it can be
    shown safely.

    `view` holds each group's people in this view, `parent` the same groups' people without
    the view's filter (None for an unfiltered view); `forced` groups go to "Other" whatever
    their size (plan_views decides them, comparing all views)."""
    present = sorted(key for key, n in view.items() if n > 0)
    shown = [key for key in present if view[key] >= minimum and key not in forced]
    other = set(present) - set(shown)

    def people(keys) -> int:
        return sum(view[key] for key in keys)

    def complement_ok(keys) -> bool:
        if parent is None:
            return True
        difference = sum(parent.get(key, 0) for key in keys) - people(keys)
        return difference == 0 or difference >= minimum

    def other_ok() -> bool:
        return not other or (people(other) >= minimum and complement_ok(other))

    changed = True
    while changed:
        changed = False
        for key in list(shown):
            if not complement_ok({key}):
                shown.remove(key)
                other.add(key)
                changed = True
        if not other_ok() and shown:
            smallest = min(shown, key=lambda key: (view[key], key))
            shown.remove(smallest)
            other.add(smallest)
            changed = True
    if not present or not other_ok():
        return None
    return Partition(sorted(shown, key=lambda key: (-view[key], key)), frozenset(other))


ViewKey = tuple[str, str | None]  # (dimension, filter group or None)


@dataclass
class ShownCell:
    view: ViewKey
    members: frozenset[str]  # the view's groups in the cell ("total" for the view's total)
    bases: frozenset[Base]   # the department × level cells it counts (non-empty ones)
    people: int
    is_other: bool = False
    is_total: bool = False


def plan_views(data: BaseData, minimum: int) -> dict[ViewKey, Partition | None]:
    """Every view the page can show (both breakdowns, unfiltered and with each filter
    offered), arranged so that no two cells anywhere — in one view or in two — count nested
    sets of people that differ by fewer than `minimum` (rule 2, across all pairs of views).

    Start from each view's own rules; then, while two shown cells nest with a difference of
    1 … minimum − 1 people, fold one of them into its view's "Other" (a filtered view's cell
    before an unfiltered one's, then the smaller, then the department breakdown's); if the
    cell is an "Other" or a total, its view folds its smallest group too, or is dropped.
    """
    bases = {base: n for base, n in data.headcount.items() if n > 0}
    forced: dict[ViewKey, set[str]] = defaultdict(set)
    dropped: set[ViewKey] = set()
    while True:
        plan = _partitions(data, minimum, forced, dropped)
        cells = _shown_cells(plan, bases)
        conflict = _nested_conflict(cells, minimum)
        if conflict is None:
            return plan
        victim = min(conflict, key=lambda c: (c.view[1] is None, c.is_total, c.people,
                                              c.view[0] != "department"))
        partition = plan[victim.view]
        if not (victim.is_other or victim.is_total):
            forced[victim.view] |= victim.members
        elif partition is not None and partition.shown:
            forced[victim.view].add(min(partition.shown, key=lambda key: (
                populations(data, *victim.view).get(key, 0), key)))
        else:
            dropped.add(victim.view)


def _partitions(data: BaseData, minimum: int, forced: dict[ViewKey, set[str]],
                dropped: set[ViewKey]) -> dict[ViewKey, Partition | None]:
    plan: dict[ViewKey, Partition | None] = {}
    for dimension in DIMENSIONS:
        key = (dimension, None)
        plan[key] = (None if key in dropped else
                     safe_cells(populations(data, dimension, None), None, minimum, forced[key]))
    for dimension in DIMENSIONS:
        unfiltered = plan[(OTHER_DIMENSION[dimension], None)]
        for filter_key in (unfiltered.shown if unfiltered else []):
            key = (dimension, filter_key)
            plan[key] = (None if key in dropped else safe_cells(
                populations(data, dimension, filter_key), populations(data, dimension, None),
                minimum, forced[key]))
    return plan


def _shown_cells(plan: dict[ViewKey, Partition | None],
                 bases: dict[Base, int]) -> list[ShownCell]:
    cells = []
    for (dimension, filter_key), partition in plan.items():
        if partition is None:
            continue
        other_dimension = OTHER_DIMENSION[dimension]

        def in_view(base: Base, members=None, _d=dimension, _o=other_dimension,
                    _f=filter_key) -> bool:
            return ((members is None or group_key(_d, base) in members)
                    and (_f is None or group_key(_o, base) == _f))

        groups = [(frozenset({key}), False) for key in partition.shown]
        if partition.other:
            groups.append((partition.other, True))
        for members, is_other in groups:
            chosen = frozenset(b for b in bases if in_view(b, members))
            cells.append(ShownCell((dimension, filter_key), members, chosen,
                                   sum(bases[b] for b in chosen), is_other=is_other))
        everyone = frozenset(b for b in bases if in_view(b))
        cells.append(ShownCell((dimension, filter_key), frozenset({"total"}), everyone,
                               sum(bases[b] for b in everyone), is_total=True))
    return cells


def _nested_conflict(cells: list[ShownCell], minimum: int) -> tuple[ShownCell, ...] | None:
    """Two shown cells whose people nest and differ by 1 … minimum − 1, or None. Cells
    are found through the department × level cells they count, so this stays fast."""
    containing: dict[Base, list[int]] = defaultdict(list)
    for index, cell in enumerate(cells):
        for base in cell.bases:
            containing[base].append(index)
    for small in cells:
        if not small.bases:
            continue
        anchor = next(iter(small.bases))
        for index in containing[anchor]:
            large = cells[index]
            difference = large.people - small.people
            if 0 < difference < minimum and small.bases < large.bases:
                return small, large
    return None


# --- views -----------------------------------------------------------------------------------

def group_key(dimension: str, base: Base) -> str:
    department_id, level = base
    if dimension == "level":
        return f"level:{level}"
    return f"department:{department_id if department_id is not None else 'none'}"


OTHER_DIMENSION = {"level": "department", "department": "level"}


@dataclass
class Cell:
    key: str
    label: str
    members: frozenset[str]
    headcount: int
    is_other: bool = False
    is_total: bool = False


@dataclass
class AnalyticsView:
    dimension: str
    quarters: list[Quarter]
    quarter: int  # index into quarters
    stages: list[FunnelStage]
    trend_stage: FunnelStage
    minimum: int
    cells: list[Cell] = field(default_factory=list)
    total: Cell | None = None
    filter_key: str | None = None
    filter_label: str | None = None
    filter_refused: bool = False
    filter_options: list[tuple[str, str]] = field(default_factory=list)
    suppressed: bool = False
    values: dict[tuple[str, str, int], int] = field(default_factory=dict)
    answer_median: dict[tuple[str, int], float | None] = field(default_factory=dict)
    answer_count: dict[tuple[str, int], int] = field(default_factory=dict)
    anonymous: Counter = field(default_factory=Counter)
    counted_at: datetime | None = None

    @property
    def rows(self) -> list[Cell]:
        return self.cells + ([self.total] if self.total else [])

    @property
    def funnel_stages(self) -> list[FunnelStage]:
        return [stage for stage in self.stages if not stage.is_headcount]

    @property
    def idea_stages(self) -> list[FunnelStage]:
        return [stage for stage in self.stages if stage.idea_condition is not None]

    def count(self, cell: Cell, measure: str, q: int) -> int:
        if measure == "employees":
            return cell.headcount
        return self.values.get((cell.key, measure, q), 0)

    def rate(self, cell: Cell, measure: str, q: int) -> float | None:
        return self.count(cell, measure, q) / cell.headcount if cell.headcount else None


def _label(dimension: str, key: str, data: BaseData) -> str:
    value = key.split(":", 1)[1]
    if dimension == "level":
        return str(LEVEL_LABELS[Level(value)])
    if value == "none":
        return str(_l("No department"))
    return data.departments.get(int(value), "?")


def _median(histogram: Counter) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    wanted, found, seen = {(total - 1) // 2, total // 2}, [], 0
    for days, n in sorted(histogram.items()):
        for position in sorted(wanted):
            if seen <= position < seen + n:
                found.append(days)
        seen += n
    return sum(found) / len(found)


def populations(data: BaseData, dimension: str, filter_key: str | None) -> dict[str, int]:
    counts: Counter = Counter()
    for base, n in data.headcount.items():
        if filter_key is None or group_key(OTHER_DIMENSION[dimension], base) == filter_key:
            counts[group_key(dimension, base)] += n
    return dict(counts)


def build_view(data: BaseData, *, dimension: str = "level", filter_key: str | None = None,
               quarter: str | None = None, trend: str | None = None, minimum: int,
               stages: list[FunnelStage] | None = None) -> AnalyticsView:
    """The view a page (and its CSV) shows, with rules 1–3 applied."""
    stages = stages or FUNNEL_STAGES
    dimension = dimension if dimension in DIMENSIONS else "level"
    chosen = Quarter.parse(quarter)
    index = (data.quarters.index(chosen) if chosen in data.quarters
             else len(data.quarters) - 1)
    trend_stage = next((s for s in stages if s.key == trend and not s.is_headcount),
                       next(s for s in stages if s.key == "took_part"))
    view = AnalyticsView(dimension, data.quarters, index, stages, trend_stage, minimum,
                         anonymous=data.anonymous, counted_at=data.counted_at)
    other = OTHER_DIMENSION[dimension]
    plan = plan_views(data, minimum)
    view.filter_options = [(key, _label(other, key, data))
                           for (dim, key), partition in plan.items()
                           if dim == dimension and key is not None and partition is not None]
    if filter_key and filter_key not in dict(view.filter_options):
        view.filter_refused, filter_key = True, None
    view.filter_key = filter_key
    view.filter_label = dict(view.filter_options).get(filter_key) if filter_key else None
    shown = populations(data, dimension, filter_key)
    partition = plan[(dimension, filter_key)]
    if partition is None:
        view.suppressed = True
        return view
    view.cells = [Cell(key, _label(dimension, key, data), frozenset({key}), shown[key])
                  for key in partition.shown]
    if partition.other:
        view.cells.append(Cell("other", str(_l("Other")), partition.other,
                               sum(shown[key] for key in partition.other), is_other=True))
    view.total = Cell("total", str(_l("Everyone") if not filter_key else view.filter_label),
                      frozenset(shown), sum(shown.values()), is_total=True)
    _fill_values(view, data, filter_key)
    return view


def _fill_values(view: AnalyticsView, data: BaseData, filter_key: str | None) -> None:
    def in_view(base: Base, cell: Cell) -> bool:
        return (group_key(view.dimension, base) in cell.members and (
            filter_key is None
            or group_key(OTHER_DIMENSION[view.dimension], base) == filter_key))

    measures = [stage.key for stage in view.funnel_stages] + [REPEAT]
    for cell in view.rows:
        for q in range(len(view.quarters)):
            for measure in measures:
                view.values[(cell.key, measure, q)] = sum(
                    n for base, n in data.counts.get((measure, q), {}).items()
                    if in_view(base, cell))
            histogram: Counter = Counter()
            for (hq, base), days in data.answer_days.items():
                if hq == q and in_view(base, cell):
                    histogram.update(days)
            view.answer_median[(cell.key, q)] = _median(histogram)
            view.answer_count[(cell.key, q)] = sum(histogram.values())


# --- CSV: exactly what the page shows ---------------------------------------------------------

def view_csv(view: AnalyticsView) -> str:
    """One file, one row per figure on the page, with the table it belongs to."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "group", "quarter", "measure", "count", "share_of_headcount"])
    if view.suppressed:
        return out.getvalue()
    chosen = view.quarters[view.quarter].key

    def share(value: float | None) -> str:
        return f"{value:.4f}" if value is not None else ""

    for cell in view.rows:
        for stage in view.stages:
            writer.writerow(["funnel", cell.label, chosen, stage.key,
                             view.count(cell, stage.key, view.quarter),
                             share(view.rate(cell, stage.key, view.quarter))])
    for cell in view.rows:
        for q, quarter in enumerate(view.quarters):
            writer.writerow(["trend", cell.label, quarter.key, view.trend_stage.key,
                             view.count(cell, view.trend_stage.key, q),
                             share(view.rate(cell, view.trend_stage.key, q))])
    for cell in view.rows:
        for q, quarter in enumerate(view.quarters):
            median = view.answer_median[(cell.key, q)]
            writer.writerow(["time_to_answer", cell.label, quarter.key, "median_days",
                             "" if median is None else f"{median:g}", ""])
            writer.writerow(["time_to_answer", cell.label, quarter.key, "ideas_answered",
                             view.answer_count[(cell.key, q)], ""])
    for cell in view.rows:
        for q, quarter in enumerate(view.quarters):
            writer.writerow(["repeat", cell.label, quarter.key, REPEAT,
                             view.count(cell, REPEAT, q), share(view.rate(cell, REPEAT, q))])
    for stage in view.idea_stages:
        writer.writerow(["posted_anonymously", "", chosen, stage.key,
                         view.anonymous.get((stage.key, view.quarter), 0), ""])
    return out.getvalue()

