"""The read side of funding rounds: the index, a round's page with the viewer's wallet,
an idea's funding panel and the funded ideas awaiting leadership's confirmation.

Nothing here says who backed what, except to the backer about their own points.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ideaboard.extensions import db
from ideaboard.models import (
    FundingAllocation,
    FundingEntry,
    FundingRound,
    FundingWallet,
    Idea,
    IdeaStatus,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.division import Candidate, Division, Share, divide_pool
from ideaboard.models.funding import ENTRY_STATUSES
from ideaboard.permissions import is_signed_in
from ideaboard.visibility import IdeaState, open_to_action


@dataclass
class Wallet:
    """The viewer's own points in a round (an untouched wallet has spent nothing)."""
    allowance: int
    spent: int = 0

    @property
    def left(self) -> int:
        return self.allowance - self.spent

    @property
    def share_spent(self) -> float:
        return self.spent / self.allowance if self.allowance else 0.0


@dataclass
class EntryView:
    entry: FundingEntry
    idea: Idea
    share: Share | None = None  # the division at close, or "if it closed now"
    mine: int = 0  # the viewer's own points on it

    @property
    def progress(self) -> float:
        """How much of the ask the (projected) offer covers, 0–1 (money first, else people)."""
        share, entry = self.share, self.entry
        if share is None:
            return 0.0
        parts = [offer / ask for ask, offer in (
            (entry.ask_amount, share.offer_amount),
            (entry.ask_people_weeks, share.offer_people_weeks)) if ask > 0]
        return max(0.0, min(1.0, min(parts))) if parts else 0.0

    @property
    def backers_needed(self) -> int:
        return max(0, self.entry.round.min_backers - self.entry.backers)


@dataclass
class RoundPage:
    funding_round: FundingRound
    entries: list[EntryView]
    wallet: Wallet | None  # None: the viewer may not take part
    projection: Division | None = None

    @property
    def given(self) -> list[EntryView]:
        return [view for view in self.entries if view.mine]


def round_by_slug(slug: str) -> FundingRound | None:
    return db.session.scalar(select(FundingRound).where(FundingRound.slug == slug)
                             .options(joinedload(FundingRound.owner)))


@dataclass
class RoundIndex:
    open: list[FundingRound] = field(default_factory=list)
    upcoming: list[FundingRound] = field(default_factory=list)
    closed: list[FundingRound] = field(default_factory=list)
    wallets: dict[int, Wallet] = field(default_factory=dict)


def round_index(viewer: User | None, closed_limit: int = 20) -> RoundIndex:
    """Rounds taking points, the ones about to open, and the latest closed ones."""
    now = utcnow()
    running = list(db.session.scalars(select(FundingRound).where(FundingRound.closed_at.is_(None))
                                      .order_by(FundingRound.closes_at, FundingRound.id)))
    closed = list(db.session.scalars(select(FundingRound).where(
        FundingRound.closed_at.is_not(None)).order_by(FundingRound.closed_at.desc(),
                                                      FundingRound.id.desc())
        .limit(closed_limit)))
    index = RoundIndex(open=[r for r in running if r.opens_at <= now],
                       upcoming=[r for r in running if r.opens_at > now], closed=closed)
    index.wallets = wallets_of(viewer, [r for r in running if r.is_eligible(viewer)])
    return index


def wallets_of(viewer: User | None, rounds: list[FundingRound]) -> dict[int, Wallet]:
    """The viewer's wallet in each round they may take part in, in one query."""
    if not is_signed_in(viewer) or not rounds:
        return {}
    spent = dict(db.session.execute(select(FundingWallet.round_id, FundingWallet.spent).where(
        FundingWallet.user_id == viewer.id,
        FundingWallet.round_id.in_([r.id for r in rounds]))).all())
    return {r.id: Wallet(r.allowance, spent.get(r.id, 0)) for r in rounds}


def _entries_query():
    return (select(FundingEntry).join(Idea, Idea.id == FundingEntry.idea_id)
            .options(contains_eager(FundingEntry.idea).joinedload(Idea.author),
                     contains_eager(FundingEntry.idea).joinedload(Idea.campaign)))


def round_page(funding_round: FundingRound, viewer: User | None) -> RoundPage:
    """The entered ideas with their totals (unless hidden), the division — final once
    closed, "if it closed now" while open — and the viewer's own points and wallet."""
    rows = list(db.session.scalars(_entries_query().where(
        FundingEntry.round_id == funding_round.id, Idea.deleted_at.is_(None))))
    for entry in rows:
        set_committed_value(entry, "round", funding_round)  # loaded, not a change to write
    hidden = funding_round.totals_hidden()
    mine = _my_allocations(viewer, [entry.id for entry in rows])
    projection = None
    if funding_round.is_closed:
        shares = {entry.id: _final_share(entry) for entry in rows}
    elif hidden:
        shares = {}
    else:
        projection = project(funding_round, rows)
        shares = projection.by_key()
    views = [EntryView(entry, entry.idea, shares.get(entry.id), mine.get(entry.id, 0))
             for entry in rows]
    views.sort(key=_order(funding_round))
    wallet = None
    if (funding_round.is_eligible(viewer) and not funding_round.is_closed) or (
            funding_round.is_closed and mine):
        wallet = wallets_of(viewer, [funding_round]).get(funding_round.id)
    return RoundPage(funding_round, views, wallet, projection)


def after_allocation(funding_round: FundingRound, viewer: User, entry_id: int
                     ) -> tuple[RoundPage, EntryView | None]:
    """What the page redraws after the viewer changed their points on one idea: their
    wallet (with where the points went) and that idea's bar — the division "if it closed
    now" from every idea's counters, without loading the ideas' authors and texts."""
    columns = (Idea.id, Idea.public_id, Idea.title, Idea.author_id, Idea.status,
               Idea.deleted_at, Idea.hidden_at)
    rows = list(db.session.scalars(
        select(FundingEntry).join(Idea, Idea.id == FundingEntry.idea_id)
        .where(FundingEntry.round_id == funding_round.id)
        .options(contains_eager(FundingEntry.idea).load_only(*columns))
        # the allocation moved the counters by SQL: read them, not the identity map's copy
        .execution_options(populate_existing=True)))
    for entry in rows:
        set_committed_value(entry, "round", funding_round)
    mine = _my_allocations(viewer, [entry.id for entry in rows])
    shares = {} if funding_round.totals_hidden() else project(funding_round, rows).by_key()
    views = [EntryView(entry, entry.idea, shares.get(entry.id), mine.get(entry.id, 0))
             for entry in rows]
    wallet = wallets_of(viewer, [funding_round]).get(funding_round.id)
    changed = next((view for view in views if view.entry.id == entry_id), None)
    return RoundPage(funding_round, [v for v in views if v.mine], wallet), changed


def _order(funding_round: FundingRound):
    if funding_round.is_closed:
        return lambda v: (not v.entry.funded, -(v.entry.offer_amount or 0), -v.entry.points,
                          v.entry.id)
    if funding_round.totals_hidden():
        return lambda v: (-v.mine, v.entry.id)
    return lambda v: (-v.progress, -v.entry.points, v.entry.id)


def _final_share(entry: FundingEntry) -> Share:
    """The division stored at close (an idea left out has no weight, or too few backers)."""
    counted = bool(entry.weight) and entry.backers >= entry.round.min_backers
    return Share(entry.id, entry.weight or 0.0, counted=counted,
                 offer_amount=entry.offer_amount or 0.0,
                 offer_people_weeks=entry.offer_people_weeks or 0.0, funded=entry.funded,
                 awarded_amount=entry.awarded_amount,
                 awarded_people_weeks=entry.awarded_people_weeks)


def project(funding_round: FundingRound, entries: list[FundingEntry]) -> Division:
    """The division if the round closed now, from the running counters (Σ√points kept by
    each allocation), leaving out ideas that could no longer be funded."""
    candidates = [Candidate(e.id, e.ask_amount, e.ask_people_weeks,
                            points=e.points if _still_counts(e.idea) else 0,
                            backers=e.backers if _still_counts(e.idea) else 0,
                            root_sum=max(0.0, e.root_sum) if _still_counts(e.idea) else 0.0)
                  for e in entries]
    return divide_pool(funding_round.division_rule.value, funding_round.pool_amount,
                       funding_round.pool_people_weeks, candidates, funding_round.min_backers)


def _still_counts(idea: Idea) -> bool:
    return open_to_action(IdeaState.of(idea)) and idea.status in ENTRY_STATUSES


def _my_allocations(viewer: User | None, entry_ids: list[int]) -> dict[int, int]:
    if not is_signed_in(viewer) or not entry_ids:
        return {}
    return dict(db.session.execute(select(FundingAllocation.entry_id, FundingAllocation.points)
                                   .where(FundingAllocation.user_id == viewer.id,
                                          FundingAllocation.entry_id.in_(entry_ids))).all())


def entry_in_round(funding_round: FundingRound, entry_id: int) -> FundingEntry | None:
    return db.session.scalar(select(FundingEntry).where(
        FundingEntry.id == entry_id, FundingEntry.round_id == funding_round.id)
        .options(joinedload(FundingEntry.idea)))


def entry_by_id(entry_id: int) -> FundingEntry | None:
    return db.session.scalar(select(FundingEntry).where(FundingEntry.id == entry_id).options(
        joinedload(FundingEntry.idea), joinedload(FundingEntry.round)))


def enterable_ideas(author: User, limit: int = 50) -> list[Idea]:
    """The author's own named ideas that may enter a round, newest first."""
    return list(db.session.scalars(select(Idea).where(
        Idea.author_id == author.id, Idea.is_anonymous.is_(False), Idea.deleted_at.is_(None),
        Idea.hidden_at.is_(None), Idea.status.in_(ENTRY_STATUSES))
        .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit)))


def open_rounds_for_entries() -> list[FundingRound]:
    return list(db.session.scalars(select(FundingRound).where(
        FundingRound.closed_at.is_(None), FundingRound.closes_at > utcnow())
        .order_by(FundingRound.closes_at)))


# --- an idea's funding panel --------------------------------------------------------------

@dataclass
class IdeaFunding:
    entries: list[EntryView] = field(default_factory=list)
    wallets: dict[int, Wallet] = field(default_factory=dict)
    rounds_to_enter: list[FundingRound] = field(default_factory=list)

    @property
    def current(self) -> EntryView | None:
        return next((v for v in self.entries if not v.entry.round.is_closed), None)


def idea_funding(idea: Idea, viewer: User | None, may_enter: bool) -> IdeaFunding:
    """The rounds the idea is in, with its bar and the viewer's points; for its author, the
    open rounds it could still enter."""
    entries = list(db.session.scalars(select(FundingEntry).where(FundingEntry.idea_id == idea.id)
                                      .options(joinedload(FundingEntry.round),
                                               joinedload(FundingEntry.answered_by))
                                      .order_by(FundingEntry.id.desc())))
    mine = _my_allocations(viewer, [e.id for e in entries])
    views = []
    for entry in entries:
        set_committed_value(entry, "idea", idea)
        funding_round = entry.round
        if funding_round.is_closed:
            share = _final_share(entry)
        elif funding_round.totals_hidden():
            share = None
        else:
            others = list(db.session.scalars(_entries_query().where(
                FundingEntry.round_id == funding_round.id)))
            share = project(funding_round, others).by_key().get(entry.id)
        views.append(EntryView(entry, idea, share, mine.get(entry.id, 0)))
    running = [v.entry.round for v in views if not v.entry.round.is_closed]
    result = IdeaFunding(views, wallets_of(viewer, [r for r in running if r.is_eligible(viewer)]))
    if may_enter and not running:
        result.rounds_to_enter = open_rounds_for_entries()
    return result


def awaiting_confirmation(limit: int = 50) -> list[FundingEntry]:
    """Funded ideas leadership already accepted, whose funding still needs a leader's
    confirmation (ideas in the queue are answered through the queue), soonest due first."""
    return list(db.session.scalars(
        select(FundingEntry).join(FundingRound, FundingRound.id == FundingEntry.round_id)
        .join(Idea, Idea.id == FundingEntry.idea_id)
        .where(FundingEntry.funded.is_(True), FundingEntry.answer.is_(None),
               Idea.status.in_([IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS]),
               Idea.deleted_at.is_(None))
        .options(contains_eager(FundingEntry.round), contains_eager(FundingEntry.idea))
        .order_by(FundingRound.answer_due_at, FundingEntry.id).limit(limit)))
