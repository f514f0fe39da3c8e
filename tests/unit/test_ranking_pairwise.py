"""Bradley–Terry recovery of a known hidden order, its uncertainty band, and pair selection."""
from __future__ import annotations

import random
import time
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


def test_large_campaigns_take_the_sparse_path_and_agree_with_the_dense_one():
    """Above DENSE_LIMIT ideas the fit works on the compared pairs only (memory and time grow
    with the comparisons, not with ideas squared); it must rank as the exact fit does."""
    hidden = np.linspace(-2, 2, 60)
    rng, winners, losers = random.Random(2), [], []
    for _ in range(1200):  # a fresh set of choices from the same hidden strengths
        a, b = rng.sample(range(60), 2)
        a_wins = rng.random() < 1 / (1 + np.exp(hidden[b] - hidden[a]))
        winners.append(a if a_wins else b)
        losers.append(b if a_wins else a)
    exact = fit_bradley_terry(60, np.array(winners), np.array(losers))
    sparse = fit_bradley_terry(60, np.array(winners), np.array(losers), dense_limit=10)
    np.testing.assert_allclose(sparse.strengths, exact.strengths, atol=1e-4)
    np.testing.assert_allclose(sparse.chances, exact.chances, atol=1e-4)
    assert np.all((sparse.lows <= sparse.chances) & (sparse.chances <= sparse.highs))
    assert np.max(np.abs(sparse.highs - exact.highs)) < 0.05  # a diagonal band, close enough


def test_a_campaign_of_5000_ideas_is_ranked_quickly():
    rng = np.random.default_rng(1)
    n = 5_000
    a, b = rng.integers(0, n, 40_000), rng.integers(0, n, 40_000)
    keep = a != b
    started = time.perf_counter()
    ranking = fit_bradley_terry(n, a[keep], b[keep])
    assert time.perf_counter() - started < 30
    assert ranking.chances.shape == (n,) and np.all(np.isfinite(ranking.highs))
