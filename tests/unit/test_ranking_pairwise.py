"""Bradley–Terry recovery of a known hidden order, its uncertainty band, and pair selection."""
from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from ideaboard.ranking.pairwise import choose_pair, fit_bradley_terry, pair_key, spearman


def simulate(seed: int, ideas: int = 30, per_idea: int = 20, people: int = 200):
    """People answer pairs chosen by `choose_pair`; the winner follows hidden strengths."""
    rng, hidden = random.Random(seed), np.linspace(-2.5, 2.5, ideas)
    np.random.default_rng(seed).shuffle(hidden)
    appearances = [0] * ideas
    answered: dict[int, set[tuple[int, int]]] = {}
    winners, losers = [], []
    while sum(appearances) < per_idea * ideas:
        person = rng.randrange(people)
        pair = choose_pair(list(range(ideas)), appearances, answered.setdefault(person, set()),
                           rng)
        assert pair is not None
        a, b = pair
        answered[person].add(pair_key(a, b))
        appearances[a] += 1
        appearances[b] += 1
        a_wins = rng.random() < 1 / (1 + np.exp(hidden[b] - hidden[a]))
        winners.append(a if a_wins else b)
        losers.append(b if a_wins else a)
    return hidden, appearances, fit_bradley_terry(ideas, np.array(winners), np.array(losers))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_hidden_order_is_recovered_after_20_comparisons_per_idea(seed):
    hidden, appearances, ranking = simulate(seed)
    assert sum(appearances) / len(appearances) == pytest.approx(20, abs=0.1)
    assert spearman(ranking.chances, hidden) >= 0.9
    assert spearman(ranking.strengths, hidden) >= 0.9


def test_the_band_is_honest_and_narrows_with_evidence():
    hidden, _appearances, ranking = simulate(0)
    n = hidden.size
    true_p = 1 / (1 + np.exp(-(hidden[:, None] - hidden[None, :])))
    np.fill_diagonal(true_p, 0)
    true_chance = true_p.sum(axis=1) / (n - 1)
    inside = (ranking.lows <= true_chance) & (true_chance <= ranking.highs)
    assert inside.mean() >= 0.85  # a 95 % band
    assert np.all((ranking.lows <= ranking.chances) & (ranking.chances <= ranking.highs))
    assert np.all((ranking.lows >= 0) & (ranking.highs <= 1))
    few = fit_bradley_terry(n, np.array([0, 1]), np.array([1, 2]))
    assert np.mean(few.highs - few.lows) > np.mean(ranking.highs - ranking.lows)


def test_an_idea_nobody_compared_sits_in_the_middle_with_a_wide_band():
    ranking = fit_bradley_terry(3, np.array([0, 0, 0]), np.array([1, 1, 1]))
    assert ranking.comparisons.tolist() == [3, 3, 0]
    assert ranking.chances[0] > ranking.chances[2] > ranking.chances[1]
    assert ranking.highs[2] - ranking.lows[2] > 0.3


def test_counts_weigh_like_repeated_comparisons():
    once = fit_bradley_terry(2, np.array([0, 0, 0]), np.array([1, 1, 1]))
    weighted = fit_bradley_terry(2, np.array([0]), np.array([1]), np.array([3]))
    np.testing.assert_allclose(once.strengths, weighted.strengths)


def test_pairs_favour_ideas_with_fewer_comparisons():
    rng = random.Random(4)
    appearances = [0, 0, 50, 50, 50, 50]
    shown = Counter()
    for _ in range(2000):
        pair = choose_pair(list(range(6)), appearances, set(), rng)
        shown.update(pair)
    assert min(shown[0], shown[1]) > 3 * max(shown[i] for i in range(2, 6))


def test_never_an_idea_against_itself_nor_a_pair_answered_before():
    rng = random.Random(5)
    ideas = [11, 12, 13, 14]
    answered = {pair_key(11, 12), pair_key(13, 11), pair_key(12, 14)}
    seen = set()
    for _ in range(500):
        a, b = choose_pair(ideas, [0, 0, 0, 0], answered, rng)
        assert a != b
        assert pair_key(a, b) not in answered
        seen.add(pair_key(a, b))
    assert seen == {pair_key(11, 14), pair_key(12, 13), pair_key(13, 14)}


def test_no_pair_is_left_once_everything_was_answered():
    ideas = [1, 2, 3]
    everything = {pair_key(1, 2), pair_key(1, 3), pair_key(2, 3)}
    assert choose_pair(ideas, [0, 0, 0], everything, random.Random(1)) is None
    assert choose_pair([1], [0], set(), random.Random(1)) is None
    assert choose_pair([], [], set(), random.Random(1)) is None
