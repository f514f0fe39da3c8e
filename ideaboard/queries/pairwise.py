"""The read side of pairwise comparisons: the next pair for someone, and the ranking.

Every function here issues a fixed number of statements whatever the campaign's size; the
ranking itself is computed in memory from the summed wins (ideaboard.ranking.pairwise).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from ideaboard.extensions import db
from ideaboard.models import Campaign, Department, Idea, IdeaStatus, PairwiseChoice, User
from ideaboard.queries.review import Breakdown, GroupSupport, fold_small_groups
from ideaboard.ranking.pairwise import choose_pair, fit_bradley_terry

EXCERPT_LENGTH = 280


def comparable_ideas() -> list:
    """Ideas that can be shown in a pair or ranked: listed, and not merged away."""
    return [Idea.deleted_at.is_(None), Idea.hidden_at.is_(None),
            Idea.status != IdeaStatus.MERGED]


def excerpt(idea: Idea, length: int = EXCERPT_LENGTH) -> str:
    """The idea's text as plain words (from the sanitised HTML), cut at a word."""
    # body_html is sanitised on write (ideaboard/text.py); striptags() returns plain text
    text = " ".join(Markup(idea.body_html or "").striptags().split())  # noqa: S704
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(",.;:，。；：") + "…"


@dataclass
class Pair:
    left: Idea
    right: Idea


@dataclass
class ComparingState:
    """What the compare page shows one person: their next pair (None when they have answered
    every pair there is), how many pairs they answered, and how many ideas take part."""
    pair: Pair | None
    answered: int
    ideas: int


def comparing_state(campaign: Campaign, user: User,
                    rng: random.Random | None = None) -> ComparingState:
    """Two statements: the campaign's comparable ideas (not the viewer's own), and the pairs
    this person already answered."""
    ideas = list(db.session.scalars(
        select(Idea).where(Idea.campaign_id == campaign.id, Idea.author_id != user.id,
                           *comparable_ideas())
        .options(load_only(Idea.id, Idea.public_id, Idea.title, Idea.body_html,
                           Idea.comparison_count, Idea.campaign_id, Idea.author_id,
                           Idea.status, Idea.deleted_at, Idea.hidden_at))
        .order_by(Idea.id)
        # the counters move by SQL increments: never trust a copy already in the session
        .execution_options(populate_existing=True)))
    answered = {(first, second) for first, second in db.session.execute(
        select(PairwiseChoice.first_idea_id, PairwiseChoice.second_idea_id).where(
            PairwiseChoice.campaign_id == campaign.id, PairwiseChoice.user_id == user.id))}
    by_id = {idea.id: idea for idea in ideas}
    chosen = choose_pair([idea.id for idea in ideas], [idea.comparison_count for idea in ideas],
                         answered, rng or random.Random())
    pair = Pair(by_id[chosen[0]], by_id[chosen[1]]) if chosen else None
    return ComparingState(pair, len(answered), len(ideas))


def ideas_of_pair(campaign: Campaign, left: str, right: str) -> tuple[Idea, Idea] | None:
    """The two ideas a pair form names, by public id, in one statement; None if either is
    not an idea of this campaign."""
    ideas = {idea.public_id: idea for idea in db.session.scalars(
        select(Idea).where(Idea.campaign_id == campaign.id,
                           Idea.public_id.in_((left, right))))}
    if left not in ideas or right not in ideas:
        return None
    return ideas[left], ideas[right]


@dataclass
class RankedIdea:
    idea: Idea
    chance: float      # of beating a randomly chosen other idea
    low: float         # 95 % band
    high: float
    wins: int
    comparisons: int   # decisive ones: "can't decide" is not a comparison


@dataclass
class PairwiseResults:
    ranked: list[RankedIdea]
    people: int        # who took part
    choices: int       # decisive answers
    skips: int         # "can't decide"
    by_department: Breakdown


def pairwise_results(campaign: Campaign, other_department: str) -> PairwiseResults:
    """The Bradley–Terry ranking of a campaign's comparable ideas, from summed wins (one
    statement), with totals and the people who took part by department, folded by the
    small-group rule. Nobody's own choices are ever read out."""
    ideas = list(db.session.scalars(
        select(Idea).where(Idea.campaign_id == campaign.id, *comparable_ideas())
        .order_by(Idea.id)))
    index = {idea.id: n for n, idea in enumerate(ideas)}
    rows = db.session.execute(
        select(PairwiseChoice.winner_idea_id, PairwiseChoice.first_idea_id,
               PairwiseChoice.second_idea_id, func.count())
        .where(PairwiseChoice.campaign_id == campaign.id)
        .group_by(PairwiseChoice.winner_idea_id, PairwiseChoice.first_idea_id,
                  PairwiseChoice.second_idea_id)).all()
    winners, losers, counts = [], [], []
    skips = 0
    for winner, first, second, count in rows:
        beaten = second if winner == first else first
        if winner is None:
            skips += count
        elif winner in index and beaten in index:
            winners.append(index[winner])
            losers.append(index[beaten])
            counts.append(count)
    people_rows = [(name or other_department, people) for name, people in db.session.execute(
        select(Department.name, func.count(func.distinct(User.id)))
        .select_from(PairwiseChoice).join(User, User.id == PairwiseChoice.user_id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(PairwiseChoice.campaign_id == campaign.id)
        .group_by(Department.name))]
    by_department = fold_small_groups(
        [GroupSupport(name, people, 0) for name, people in people_rows], other_department)
    ranked: list[RankedIdea] = []
    if ideas:
        fit = fit_bradley_terry(len(ideas), np.array(winners, dtype=np.int64),
                                np.array(losers, dtype=np.int64), np.array(counts, dtype=float))
        ranked = [RankedIdea(idea, float(fit.chances[n]), float(fit.lows[n]),
                             float(fit.highs[n]), int(fit.wins[n]), int(fit.comparisons[n]))
                  for n, idea in enumerate(ideas)]
        # ideas nobody has compared yet go last: their 50 % is the prior, not a result
        ranked.sort(key=lambda row: (row.comparisons == 0, -row.chance, row.idea.id))
    return PairwiseResults(ranked, sum(people for _name, people in people_rows),
                           int(sum(counts)), skips, by_department)

