"""The broad-support model on synthetic electorates built here: five departments of 40 people
whose viewpoints differ, a history of ideas they voted on, then the ideas under test."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pytest

from ideaboard.models.ranking import wilson_lower_bound
from ideaboard.ranking import BROAD_SUPPORT_BADGE, BROAD_SUPPORT_MIN_VOTES
from ideaboard.ranking.broad_support import fit_broad_support

DEPARTMENTS, PER_DEPARTMENT = 5, 40


@dataclass
class Electorate:
    """Votes as three parallel lists; ideas added by name."""
    rng: np.random.Generator
    groups: np.ndarray
    ideas: list[int] = field(default_factory=list)
    voters: list[int] = field(default_factory=list)
    votes: list[int] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)
    next_idea: int = 0

    def department(self, d: int) -> np.ndarray:
        return np.flatnonzero(self.groups == d)

    def some(self, d: int, k: int) -> np.ndarray:
        return self.rng.choice(self.department(d), k, replace=False)

    def idea(self, name: str | None = None) -> int:
        idea = self.next_idea
        self.next_idea += 1
        if name:
            self.names[name] = idea
        return idea

    def cast(self, idea: int, voters, value: int) -> None:
        for voter in voters:
            self.ideas.append(idea)
            self.voters.append(int(voter))
            self.votes.append(value)

    def tally(self, name: str) -> tuple[int, int]:
        values = [v for i, v in zip(self.ideas, self.votes, strict=True)
                  if i == self.names[name]]
        return values.count(1), len(values)

    def fit(self, **options):
        fit = fit_broad_support(np.array(self.ideas), np.array(self.voters),
                                np.array(self.votes), self.groups, **options)
        return {name: fit.scores[index] for name, index in self.names.items()}, fit


def electorate(seed: int = 1, history: int = 120) -> Electorate:
    """Departments sit at different points of one viewpoint axis (people vary around their
    department's point); each past idea has an appeal and a position on the axis, and a
    random 20–80 colleagues voted on it."""
    rng = np.random.default_rng(seed)
    size = DEPARTMENTS * PER_DEPARTMENT
    groups = np.repeat(np.arange(DEPARTMENTS), PER_DEPARTMENT)
    viewpoint = np.linspace(1.2, -1.2, DEPARTMENTS)[groups] + rng.normal(0, 0.3, size)
    leniency = rng.normal(0, 0.3, size)
    world = Electorate(rng, groups)
    for _ in range(history):
        idea, appeal, position = world.idea(), rng.normal(0.2, 0.8), rng.normal(0, 1)
        voters = rng.choice(size, size=rng.integers(20, 80), replace=False)
        support = 1 / (1 + np.exp(-2 * (appeal + leniency[voters] + position * viewpoint[voters])))
        for voter, supports in zip(voters, rng.random(voters.size) < support, strict=True):
            world.cast(idea, [voter], 1 if supports else -1)
    return world


@pytest.fixture(scope="module")
def scored() -> tuple[Electorate, dict[str, float]]:
    world = electorate()
    others = range(1, DEPARTMENTS)
    bloc = world.idea("bloc")  # the case: one department for, the rest against
    world.cast(bloc, world.department(0), 1)
    for d in others:
        world.cast(bloc, world.some(d, 8), -1)
    spread = world.idea("spread")
    for d in range(DEPARTMENTS):
        world.cast(spread, world.some(d, 8), 1)
    # the same tallies, 40 for and 8 against: only where the support comes from differs
    same_bloc = world.idea("same tallies, one department")
    world.cast(same_bloc, world.department(0), 1)
    for d in others:
        world.cast(same_bloc, world.some(d, 2), -1)
    same_spread = world.idea("same tallies, every department")
    for d in range(DEPARTMENTS):
        chosen = world.some(d, 10)
        world.cast(same_spread, chosen[:8], 1)
        if d:
            world.cast(same_spread, chosen[8:], -1)
    polarising = world.idea("polarising")  # two departments for, three against
    for d in range(DEPARTMENTS):
        world.cast(polarising, world.some(d, 20), 1 if d < 2 else -1)
    unanimous = world.idea("unanimous")
    world.cast(unanimous, range(DEPARTMENTS * PER_DEPARTMENT), 1)
    few = world.idea("few votes")
    world.cast(few, world.some(2, BROAD_SUPPORT_MIN_VOTES - 1), 1)
    scores, _fit = world.fit()
    return world, scores


def test_one_department_bloc_scores_below_support_from_every_department(scored):
    _world, scores = scored
    assert scores["bloc"] < scores["spread"]
    assert scores["bloc"] < BROAD_SUPPORT_BADGE <= scores["spread"]


def test_the_model_not_the_tallies_tells_a_bloc_from_broad_support(scored):
    """Both ideas have 40 supporters and 8 opposers, so the Wilson score cannot separate
    them; the factorisation recognises the bloc by its voters' shared viewpoint."""
    world, scores = scored
    bloc, spread = "same tallies, one department", "same tallies, every department"
    assert world.tally(bloc) == world.tally(spread) == (40, 48)
    assert wilson_lower_bound(40, 48) >= 0.6  # Top would rank both as strongly supported
    assert scores[bloc] < BROAD_SUPPORT_BADGE <= scores[spread]
    assert scores[spread] - scores[bloc] > 0.4


def test_a_polarising_idea_scores_low(scored):
    _world, scores = scored
    assert scores["polarising"] < BROAD_SUPPORT_BADGE
    assert scores["polarising"] < scores["spread"]


def test_a_unanimous_idea_scores_high(scored):
    _world, scores = scored
    assert scores["unanimous"] > 0.8
    assert scores["unanimous"] == max(scores.values())


def test_ideas_with_too_few_votes_get_no_score(scored):
    _world, scores = scored
    assert np.isnan(scores["few votes"])


def test_the_same_seed_gives_the_same_scores_and_other_seeds_agree():
    world = electorate(seed=3, history=80)
    spread = world.idea("spread")
    for d in range(DEPARTMENTS):
        world.cast(spread, world.some(d, 8), 1)
    first, fit = world.fit(seed=11)
    again, _ = world.fit(seed=11)
    other, _ = world.fit(seed=12)
    assert fit.converged
    np.testing.assert_array_equal(fit.scores, world.fit(seed=11)[1].scores)
    assert first == again
    assert abs(first["spread"] - other["spread"]) < 0.02
    finite = ~np.isnan(fit.scores)
    assert np.max(np.abs(fit.scores[finite] - world.fit(seed=12)[1].scores[finite])) < 0.05


def test_without_departments_the_fit_still_learns_viewpoints_from_votes():
    """Departments are only a prior: with none given, a faction is still found by how its
    members voted before."""
    world = electorate(seed=5)
    bloc = world.idea("bloc")
    world.cast(bloc, world.department(0), 1)
    for d in range(1, DEPARTMENTS):
        world.cast(bloc, world.some(d, 2), -1)
    world.groups = np.full(world.groups.size, -1)
    unanimous = world.idea("unanimous")
    world.cast(unanimous, range(DEPARTMENTS * PER_DEPARTMENT), 1)
    scores, _ = world.fit()
    assert scores["bloc"] < BROAD_SUPPORT_BADGE < scores["unanimous"]


def test_the_fit_on_100k_votes_finishes_within_a_generous_bound():
    rng = np.random.default_rng(7)
    voters, ideas = 2_000, 10_000
    keys = np.unique(rng.integers(0, ideas, 110_000) * voters + rng.integers(0, voters, 110_000))
    keys = keys[:100_000]
    share = rng.beta(5, 2, ideas)
    idea_index, voter_index = keys // voters, keys % voters
    votes = np.where(rng.random(keys.size) < share[idea_index], 1, -1)
    started = time.perf_counter()
    fit = fit_broad_support(idea_index, voter_index, votes, rng.integers(0, 6, voters),
                            n_ideas=ideas, n_voters=voters)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert np.isfinite(fit.loss)
    assert np.sum(~np.isnan(fit.scores)) > 5_000
