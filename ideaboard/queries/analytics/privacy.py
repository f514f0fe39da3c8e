"""Rules 1–3 of the package docstring: which groups a view may show, across all views."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ideaboard.queries.analytics.stages import Base, BaseData

DIMENSIONS = ("level", "department")
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



def group_key(dimension: str, base: Base) -> str:
    department_id, level = base
    if dimension == "level":
        return f"level:{level}"
    return f"department:{department_id if department_id is not None else 'none'}"


OTHER_DIMENSION = {"level": "department", "department": "level"}


def populations(data: BaseData, dimension: str, filter_key: str | None) -> dict[str, int]:
    counts: Counter = Counter()
    for base, n in data.headcount.items():
        if filter_key is None or group_key(OTHER_DIMENSION[dimension], base) == filter_key:
            counts[group_key(dimension, base)] += n
    return dict(counts)
