"""What a page (and its CSV) shows: cells, figures per quarter, and the CSV of exactly that."""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ideaboard.models import Level
from ideaboard.queries.analytics.privacy import (
    DIMENSIONS,
    OTHER_DIMENSION,
    group_key,
    plan_views,
    populations,
)
from ideaboard.queries.analytics.stages import (
    FUNNEL_STAGES,
    REPEAT,
    Base,
    BaseData,
    FunnelStage,
)
from ideaboard.queries.periods import Quarter

LEVEL_LABELS = {Level.FRONTLINE: _l("Frontline"), Level.MANAGER: _l("Manager"),
                Level.SENIOR: _l("Senior"), Level.EXECUTIVE: _l("Executive")}
# --- views -----------------------------------------------------------------------------------



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

