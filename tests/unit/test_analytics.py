"""Voice-equity analytics on a generated company with known numbers.

Every figure the views show is checked against a count made here, from the generator's own
record of who did what (never with the module's SQL); small groups are folded; and attempts to
learn about fewer than the minimum people by comparing two filters or two periods find
nothing.
"""
from __future__ import annotations

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from ideaboard.extensions import db
from ideaboard.models import (
    Campaign,
    Comment,
    Decision,
    Department,
    Escalation,
    EscalationReason,
    Idea,
    IdeaStatus,
    Level,
    Participation,
    User,
    Vote,
)
from ideaboard.queries.analytics import (
    FUNNEL_STAGES,
    OTHER_DIMENSION,
    build_view,
    group_key,
    load_base,
    populations,
    safe_cells,
    view_csv,
)
from ideaboard.queries.periods import Quarter, last_quarters
from ideaboard.services.analytics import refresh_participation

NOW = datetime(2026, 11, 15, 12, 0)
MINIMUM = 5
QUARTERS = last_quarters(NOW, 8)
# department → levels of its people (sizes chosen so that folding and the complement rule
# both have work to do: Legal and HR are under 5; 18 of Sales' 20 are frontline; 3 executives)
COMPANY = {
    "Sales": ["frontline"] * 18 + ["manager"] * 2,
    "Operations": ["frontline"] * 6 + ["manager"] * 5 + ["senior"],
    "Research": ["frontline"] * 2 + ["manager"] * 2 + ["senior"] * 2,
    "Legal": ["senior", "senior", "executive"],
    "HR": ["manager", "executive"],
    "Board": ["executive"] * 1 + ["senior"] * 4,
}


@dataclass
class Truth:
    """What the generator did, person by person."""
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (dept, level)
    department_ids: dict[str, int] = field(default_factory=dict)
    took_part: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    first_seen: dict[int, datetime] = field(default_factory=dict)
    ideas: list[dict] = field(default_factory=list)  # named ideas in the window
    anonymous: list[dict] = field(default_factory=list)

    def seen(self, user_id: int, moment: datetime) -> None:
        q = quarter_of(moment)
        if q is not None:
            self.took_part[q].add(user_id)
        if user_id not in self.first_seen or moment < self.first_seen[user_id]:
            self.first_seen[user_id] = moment


def quarter_of(moment: datetime) -> int | None:
    for index, quarter in enumerate(QUARTERS):
        if quarter.start <= moment < quarter.end:
            return index
    return None


def at(q: int, rng: random.Random) -> datetime:
    quarter = QUARTERS[q] if q >= 0 else QUARTERS[0].previous()
    span = min(quarter.end, NOW) - quarter.start
    return quarter.start + timedelta(seconds=rng.uniform(60, span.total_seconds() - 3600))


def generate(seed: int = 15) -> Truth:
    rng = random.Random(seed)
    truth = Truth()
    campaign_id = db.session.scalar(db.select(Campaign.id).where(Campaign.is_standing))
    users = []
    for name, levels in COMPANY.items():
        department = Department(name=name)
        db.session.add(department)
        db.session.flush()
        for n, level in enumerate(levels):
            users.append(User(email=f"{name.lower()}{n}@example.com", display_name=f"{name} {n}",
                              password_hash="x", department_id=department.id,
                              level=Level(level)))
    former = User(email="former@example.com", display_name="Former", password_hash="x",
                  deactivated_at=NOW - timedelta(days=400))
    db.session.add_all([*users, former])
    db.session.flush()
    truth.department_ids = _departments()
    names = {d: k for k, d in truth.department_ids.items()}
    for user in users:
        truth.people[user.id] = (names[user.department_id], user.level.value)
    # One idea per quarter (by someone who has left) for everyone to vote and comment on.
    anchors = {}
    for q in range(-1, len(QUARTERS)):
        anchor = Idea(campaign_id=campaign_id, author_id=former.id, title=f"Anchor {q}",
                      body="b", body_html="b", created_at=at(q, rng))
        db.session.add(anchor)
        anchors[q] = anchor
    db.session.flush()
    for user in users:
        for q in range(-1, len(QUARTERS)):
            if rng.random() < 0.45:
                moment = at(q, rng)
                db.session.add(Vote(idea_id=anchors[q].id, user_id=user.id, value=1,
                                    created_at=moment, updated_at=moment))
                truth.seen(user.id, moment)
            if rng.random() < 0.15:
                moment, anonymous = at(q, rng), rng.random() < 0.3
                db.session.add(Comment(idea_id=anchors[q].id, author_id=user.id, body="c",
                                       body_html="c", is_anonymous=anonymous,
                                       created_at=moment, updated_at=moment))
                if not anonymous:
                    truth.seen(user.id, moment)
            if q >= 0 and rng.random() < 0.3:
                _idea(truth, rng, campaign_id, user.id, q, anonymous=rng.random() < 0.2)
    db.session.commit()
    refresh_participation(now=NOW, full=True)
    return truth


def _departments() -> dict[str, int]:
    return dict(db.session.execute(db.select(Department.name, Department.id)).all())


STATUSES = [IdeaStatus.OPEN, IdeaStatus.ESCALATED, IdeaStatus.DECLINED, IdeaStatus.ACCEPTED,
            IdeaStatus.IN_PROGRESS, IdeaStatus.DONE, IdeaStatus.NEEDS_INFO]


def _idea(truth: Truth, rng: random.Random, campaign_id: int, author_id: int, q: int,
          anonymous: bool) -> None:
    created = at(q, rng)
    status = rng.choice(STATUSES)
    idea = Idea(campaign_id=campaign_id, author_id=author_id, title="Idea", body="b",
                body_html="b", is_anonymous=anonymous, status=status, created_at=created,
                updated_at=created)
    db.session.add(idea)
    db.session.flush()
    record = {"author": author_id, "q": q, "status": status, "escalated": False,
              "answer_days": None}
    if status != IdeaStatus.OPEN:
        start = created + timedelta(days=rng.uniform(0.5, 3))
        db.session.add(Escalation(idea_id=idea.id, reason=EscalationReason.THRESHOLD_MET,
                                  created_at=start, due_at=start + timedelta(days=14)))
        record["escalated"] = True
        if status != IdeaStatus.ESCALATED:
            answered = start + timedelta(days=rng.randint(0, 30), hours=rng.uniform(0, 23))
            first = (IdeaStatus.ACCEPTED if status in (IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
                     else status)
            db.session.add(Decision(idea_id=idea.id, status=first, rationale="r" * 30,
                                    author_id=author_id, created_at=answered))
            record["answer_days"] = (answered - start).days
    if anonymous:
        truth.anonymous.append(record)
    else:
        truth.ideas.append(record)
        truth.seen(author_id, created)


@pytest.fixture
def company(app) -> Truth:
    return generate()


# --- independent counts -----------------------------------------------------------------------

def members_of(truth: Truth, dimension: str, cell_members, filter_key=None) -> set[int]:
    """People whose group (in `dimension`) is one of the cell's, within the filter."""
    def key(user_id: int, which: str) -> str:
        dept, level = truth.people[user_id]
        if which == "level":
            return f"level:{level}"
        return f"department:{truth.department_ids[dept]}"
    return {u for u in truth.people if key(u, dimension) in cell_members
            and (filter_key is None or key(u, OTHER_DIMENSION[dimension]) == filter_key)}


def expected(truth: Truth, stage: str, q: int, people: set[int]) -> int:
    if stage == "employees":
        return len(people)
    if stage == "took_part":
        return len(truth.took_part[q] & people)
    if stage == "repeat":
        return len({u for u in truth.took_part[q] & people
                    if truth.first_seen[u] < QUARTERS[q].start})
    ideas = [i for i in truth.ideas if i["q"] == q and i["author"] in people]
    condition = {
        "posted": lambda i: True,
        "escalated": lambda i: i["escalated"],
        "answered": lambda i: i["answer_days"] is not None,
        "accepted": lambda i: i["status"] in (IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS,
                                              IdeaStatus.DONE),
        "funded": lambda i: i.get("funded", False),  # the generated company has no rounds
        "delivered": lambda i: i["status"] == IdeaStatus.DONE,
    }[stage]
    return len({i["author"] for i in ideas if condition(i)})


def all_views(data):
    """Every view the page can show: both breakdowns, unfiltered and with each filter."""
    for dimension in ("level", "department"):
        unfiltered = build_view(data, dimension=dimension, minimum=MINIMUM)
        yield unfiltered
        for key, _label in unfiltered.filter_options:
            yield build_view(data, dimension=dimension, filter_key=key, minimum=MINIMUM)


# --- the tests --------------------------------------------------------------------------------

def test_every_figure_matches_an_independent_count(company):
    data = load_base(NOW)
    checked = 0
    for view in all_views(data):
        assert not view.suppressed
        for cell in view.rows:
            people = members_of(company, view.dimension, cell.members, view.filter_key)
            assert cell.headcount == len(people)
            for q in range(len(QUARTERS)):
                for stage in [s.key for s in FUNNEL_STAGES] + ["repeat"]:
                    assert view.count(cell, stage, q) == expected(company, stage, q, people), (
                        view.dimension, view.filter_key, cell.label, stage, q)
                    checked += 1
                days = [i["answer_days"] for i in company.ideas
                        if i["q"] == q and i["author"] in people
                        and i["answer_days"] is not None]
                assert view.answer_count[(cell.key, q)] == len(days)
                assert view.answer_median[(cell.key, q)] == (
                    statistics.median(days) if days else None)
    assert checked > 1000


def test_rates_are_shares_of_headcount(company):
    view = build_view(load_base(NOW), dimension="department", minimum=MINIMUM)
    sales = next(c for c in view.cells if c.label == "Sales")
    for q in range(len(QUARTERS)):
        assert view.rate(sales, "took_part", q) == view.count(sales, "took_part", q) / 20


def test_small_groups_are_folded_into_other(company):
    data = load_base(NOW)
    by_department = build_view(data, dimension="department", minimum=MINIMUM)
    labels = [cell.label for cell in by_department.cells]
    assert labels == ["Sales", "Operations", "Research", "Board", "Other"]
    other = by_department.cells[-1]
    assert other.is_other and other.headcount == 5  # Legal 3 + HR 2
    by_level = build_view(data, dimension="level", minimum=MINIMUM)
    # 3 executives are too few, and so is any "Other" of them alone: the smallest group
    # shown (senior, 9) joins them
    assert [(c.label, c.headcount) for c in by_level.cells] == [
        ("Frontline", 26), ("Manager", 10), ("Other", 12)]
    for view in all_views(data):
        for cell in view.cells:
            assert cell.headcount >= MINIMUM


def test_the_minimum_comes_from_the_settings(company):
    data = load_base(NOW)
    view = build_view(data, dimension="department", minimum=13)
    assert [c.label for c in view.cells] == ["Sales", "Other"]


def test_a_subtraction_through_two_filters_finds_nothing(company):
    """Sales has 18 frontline people of 20: "frontline, by department" minus "everyone, by
    department" would describe Sales' 2 managers. The rule keeps Sales out of that view."""
    data = load_base(NOW)
    frontline = build_view(data, dimension="department", filter_key="level:frontline",
                           minimum=MINIMUM)
    everyone = build_view(data, dimension="department", minimum=MINIMUM)
    assert not any(cell.label == "Sales" for cell in frontline.cells)
    # Across every pair of cells any two views show, populations are either the same people
    # or differ by at least the minimum.
    shown = []
    for view in all_views(data):
        for cell in view.rows:
            shown.append(frozenset(members_of(company, view.dimension, cell.members,
                                              view.filter_key)))
    for a in shown:
        for b in shown:
            if a < b:
                assert len(b - a) >= MINIMUM, (len(a), len(b))
    # and the direct attempt: every figure of every filtered cell, taken from its parent
    for cell in frontline.rows:
        parent = next((p for p in everyone.rows if p.members == cell.members), None)
        if parent is None:
            continue
        assert parent.headcount - cell.headcount in (0,) or \
            parent.headcount - cell.headcount >= MINIMUM


def test_a_subtraction_through_two_periods_finds_nothing(company):
    """Every quarter of a view counts the same people, so two quarters never differ by a
    few people: a newcomer does not show up as a difference either."""
    data = load_base(NOW)
    before = {(v.dimension, v.filter_key, c.key): c.headcount
              for v in all_views(data) for c in v.rows}
    for view in all_views(data):
        for cell in view.rows:
            assert {view.count(cell, "employees", q) for q in range(len(QUARTERS))} == {
                cell.headcount}
    legal = _departments()["Legal"]
    db.session.add(User(email="new@example.com", display_name="Newcomer", password_hash="x",
                        department_id=legal, level=Level.SENIOR))
    db.session.commit()
    refresh_participation(now=NOW)
    after = load_base(NOW)
    for view in all_views(after):
        for cell in view.rows:
            old = before.get((view.dimension, view.filter_key, cell.key))
            if old is not None and old != cell.headcount:
                # a cell that changed by one person is a different cell now, never both:
                # the earlier quarters moved with it (same population in every quarter)
                assert {view.count(cell, "employees", q) for q in range(len(QUARTERS))} == {
                    cell.headcount}


def test_a_folded_group_cannot_be_used_as_a_filter(company):
    data = load_base(NOW)
    legal = f"department:{_departments()['Legal']}"
    view = build_view(data, dimension="level", filter_key=legal, minimum=MINIMUM)
    assert view.filter_refused and view.filter_key is None
    assert legal not in dict(view.filter_options)
    executive = build_view(data, dimension="department", filter_key="level:executive",
                           minimum=MINIMUM)
    assert executive.filter_refused


def test_anonymous_ideas_are_counted_company_wide_and_never_in_a_group(company):
    data = load_base(NOW)
    view = build_view(data, dimension="level", minimum=MINIMUM)
    for q in range(len(QUARTERS)):  # people who posted anonymously, whatever their group
        assert view.anonymous[("posted", q)] == len({i["author"] for i in company.anonymous
                                                     if i["q"] == q})
        assert view.anonymous[("escalated", q)] == len(
            {i["author"] for i in company.anonymous if i["q"] == q and i["escalated"]})
    # the group counts match the named ideas alone (checked in full above); anonymous
    # authors who posted nothing under their name are not "posted"
    only_anonymous = {i["author"] for i in company.anonymous} - {i["author"]
                                                                 for i in company.ideas}
    assert only_anonymous, "the generator should produce such people"


def test_the_csv_holds_exactly_what_is_shown(company):
    view = build_view(load_base(NOW), dimension="department", minimum=MINIMUM,
                      quarter=QUARTERS[5].key, trend="posted")
    lines = view_csv(view).splitlines()
    assert lines[0] == "table,group,quarter,measure,count,share_of_headcount"
    funnel = [line.split(",") for line in lines if line.startswith("funnel,")]
    assert {row[1] for row in funnel} == {c.label for c in view.rows}
    assert all(row[2] == QUARTERS[5].key for row in funnel)
    sales = next(c for c in view.cells if c.label == "Sales")
    assert f"funnel,Sales,{QUARTERS[5].key},posted,{view.count(sales, 'posted', 5)}," in \
        "\n".join(lines)
    assert not any("Legal" in line or "HR" in line for line in lines)
    trend = [line for line in lines if line.startswith("trend,")]
    assert len(trend) == len(view.rows) * len(QUARTERS)
    assert all(",posted," in line for line in trend)


def rollup() -> set[tuple]:
    return set(db.session.execute(db.select(
        Participation.user_id, Participation.quarter_start, Participation.stage)).all())


def test_the_rollup_is_exact_after_incremental_refreshes(company):
    rows = rollup()
    refresh_participation(now=NOW)  # an hourly run changes nothing
    assert rollup() == rows
    took_part = {(u, QUARTERS[q].start) for q, users in company.took_part.items()
                 for u in users}
    assert {(u, start) for u, start, stage in rows if stage == "took_part"
            and start >= QUARTERS[0].start and u in company.people} == took_part
    # a new vote in the current quarter is picked up by the next hourly run
    quiet = next(u for u in company.people if u not in company.took_part[len(QUARTERS) - 1])
    last = len(QUARTERS) - 1
    anchor = db.session.scalar(db.select(Idea.id).where(Idea.title == f"Anchor {last}"))
    db.session.add(Vote(idea_id=anchor, user_id=quiet, value=1, created_at=NOW,
                        updated_at=NOW))
    db.session.commit()
    refresh_participation(now=NOW)
    assert (quiet, QUARTERS[-1].start, "took_part") in rollup()


@pytest.mark.parametrize(("view", "parent", "result"), [
    ({"a": 10, "b": 6, "c": 2, "d": 3}, None, (["a", "b"], {"c", "d"})),
    ({"a": 10, "b": 2}, None, ([], {"a", "b"})),
    ({"a": 3}, None, None),
    ({"a": 8, "b": 7}, {"a": 10, "b": 7}, None),               # a's complement is 2
    ({"a": 8, "b": 7}, {"a": 10, "b": 12}, ([], {"a", "b"})),  # together they differ by 7
    ({"a": 8, "b": 7}, {"a": 13, "b": 7}, (["a", "b"], set())),
])
def test_safe_cells(view, parent, result):
    partition = safe_cells(view, parent, MINIMUM)
    if result is None:
        assert partition is None
    else:
        assert (partition.shown, set(partition.other)) == (result[0], result[1])


def test_group_keys():
    assert group_key("level", (3, "manager")) == "level:manager"
    assert group_key("department", (None, "manager")) == "department:none"
    assert populations  # used by the views above
    assert Quarter.parse("2026-Q3") == Quarter(2026, 3) and Quarter.parse("nonsense") is None
