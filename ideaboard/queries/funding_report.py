"""A round's report for its owner, leaders and admins: participation, points, how the pool
was divided, the funded ideas and how long leadership took to answer each, and who gets
funded by the author's level and department. Every breakdown obeys the small-group rule
(fold_small_groups, the one place it lives); nothing names a backer."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    Department,
    FundingAllocation,
    FundingEntry,
    FundingRound,
    FundingWallet,
    Idea,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.funding import EntryView, project, round_page
from ideaboard.queries.review import GroupSupport, fold_small_groups
from ideaboard.services.settings import small_group_minimum


@dataclass
class Group:
    """One row of a breakdown: `members` is what the small-group rule counts."""
    name: str
    members: int = 0
    eligible: int = 0
    entered: int = 0
    funded: int = 0
    amount: int = 0
    people_weeks: int = 0

    def add(self, other: Group) -> None:
        for name in ("members", "eligible", "entered", "funded", "amount", "people_weeks"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def fold(groups: list[Group], other_name: str, minimum: int) -> list[Group]:
    """Keep the groups fold_small_groups would show; add the rest up under `other_name`."""
    breakdown = fold_small_groups([GroupSupport(g.name, g.members, 0) for g in groups],
                                  other_name, minimum)
    shown = [g.name for g in breakdown.groups]
    by_name = {g.name: g for g in groups}
    rows = [by_name[name] for name in shown]
    if breakdown.other is not None:
        other = Group(other_name)
        for group in groups:
            if group.name not in shown:
                other.add(group)
        rows.append(other)
    return rows


@dataclass
class Answer:
    view: EntryView
    days: float | None  # from close to leadership's answer; None while waiting
    waiting_days: float | None = None


@dataclass
class RoundReport:
    funding_round: FundingRound
    entries: list[EntryView]
    eligible: int
    participants: int
    points_spent: int
    minimum: int
    participation: list[Group] = field(default_factory=list)
    by_department: list[Group] = field(default_factory=list)
    by_level: list[Group] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def participation_share(self) -> float:
        return self.participants / self.eligible if self.eligible else 0.0

    @property
    def points_available(self) -> int:
        return self.eligible * self.funding_round.allowance

    @property
    def points_lapsed(self) -> int:
        return max(0, self.points_available - self.points_spent)

    @property
    def funded(self) -> list[EntryView]:
        return [v for v in self.entries if v.share and v.share.funded]

    @property
    def awarded_amount(self) -> int:
        return sum(v.share.awarded_amount for v in self.funded)

    @property
    def awarded_people_weeks(self) -> int:
        return sum(v.share.awarded_people_weeks for v in self.funded)

    @property
    def widest_offer(self) -> float:
        return max([1.0] + [max(v.entry.ask_amount, v.share.offer_amount if v.share else 0)
                            for v in self.entries])


def round_report(funding_round: FundingRound, other_department: str, other_level: str,
                 level_names: dict[str, str], now: datetime | None = None) -> RoundReport:
    now = now or utcnow()
    page = round_page(funding_round, None)
    if not funding_round.is_closed and funding_round.totals_hidden():
        # the report's readers see the running totals the page hides
        projection = project(funding_round, [v.entry for v in page.entries])
        for view in page.entries:
            view.share = projection.by_key().get(view.entry.id)
    minimum = small_group_minimum()
    eligible_users = select(User.id, User.department_id).where(User.deactivated_at.is_(None))
    if funding_round.departments:
        eligible_users = eligible_users.where(
            User.department_id.in_([d.id for d in funding_round.departments]))
    eligible = funding_round.eligible_count if funding_round.eligible_count is not None else (
        db.session.scalar(select(func.count()).select_from(eligible_users.subquery())))
    report = RoundReport(funding_round, page.entries, eligible, funding_round.backer_count,
                         funding_round.points_spent, minimum)
    report.participation = fold(_participation(funding_round, eligible_users.subquery(),
                                               other_department), other_department, minimum)
    report.by_department, report.by_level = _funded_by_author(
        funding_round, page.entries, other_department, other_level, level_names, minimum)
    if funding_round.is_closed:
        for view in report.funded:
            entry = view.entry
            if entry.answered_at is not None:
                days = (entry.answered_at - funding_round.closed_at).total_seconds() / 86400
                report.answers.append(Answer(view, round(max(days, 0.0), 1)))
            else:
                waiting = (now - funding_round.closed_at).total_seconds() / 86400
                report.answers.append(Answer(view, None, round(waiting, 1)))
    return report


def _participation(funding_round: FundingRound, eligible, other_department: str) -> list[Group]:
    """Per department: eligible employees, and those who gave points (the members)."""
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    groups: dict[str, Group] = defaultdict(lambda: Group(""))
    for department_id, count in db.session.execute(
            select(eligible.c.department_id, func.count()).group_by(eligible.c.department_id)):
        name = names.get(department_id, other_department)
        groups[name].name = name
        groups[name].eligible += count
    for department_id, count in db.session.execute(
            select(User.department_id, func.count())
            .join(FundingWallet, FundingWallet.user_id == User.id)
            .where(FundingWallet.round_id == funding_round.id, FundingWallet.spent > 0)
            .group_by(User.department_id)):
        name = names.get(department_id, other_department)
        groups[name].name = name
        groups[name].members += count
    return list(groups.values())


def _funded_by_author(funding_round: FundingRound, entries: list[EntryView],
                      other_department: str, other_level: str, level_names: dict[str, str],
                      minimum: int) -> tuple[list[Group], list[Group]]:
    """Entered and funded ideas by the author's department and level; a group is shown
    when at least `minimum` different authors entered ideas from it."""
    authors = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({v.idea.author_id for v in entries}))
        .options(joinedload(User.department)))} if entries else {}
    departments: dict[str, Group] = {}
    levels: dict[str, Group] = {}
    seen: dict[str, set[int]] = defaultdict(set)
    for view in entries:
        author = authors.get(view.idea.author_id)
        if author is None:
            continue
        for table, key, name in (
                (departments, "d:", author.department.name if author.department
                 else other_department),
                (levels, "l:", level_names.get(author.level.value, author.level.value))):
            group = table.setdefault(name, Group(name))
            if author.id not in seen[key + name]:
                seen[key + name].add(author.id)
                group.members += 1
            group.entered += 1
            if view.share is not None and view.share.funded:
                group.funded += 1
                group.amount += view.share.awarded_amount
                group.people_weeks += view.share.awarded_people_weeks
    return (fold(list(departments.values()), other_department, minimum),
            fold(list(levels.values()), other_level, minimum))


def allocation_count(funding_round: FundingRound) -> int:
    """How many (backer, idea) pairs there are: a number, never who."""
    return db.session.scalar(select(func.count()).select_from(FundingAllocation).where(
        FundingAllocation.round_id == funding_round.id))


def report_entries_for_csv(funding_round: FundingRound) -> list[tuple[FundingEntry, Idea]]:
    return list(db.session.execute(
        select(FundingEntry, Idea).join(Idea, Idea.id == FundingEntry.idea_id)
        .where(FundingEntry.round_id == funding_round.id).order_by(FundingEntry.id)).tuples())
