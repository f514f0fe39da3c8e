"""Pairwise comparisons ("which of these two would help more?"): a Bradley–Terry ranking with
an uncertainty band, and the choice of the next pair to show someone.

Bradley–Terry: idea i beats idea j with probability σ(θ_i − θ_j), σ the logistic function.
The strengths θ are the maximum a posteriori estimate under a weak normal prior θ ~ N(0, σ₀²)
(σ₀² = 4: an idea that wins everything is not given infinite strength, and ideas nobody has
compared yet sit at 0), found by Newton's method on the summed win matrix; the inverse of the
Hessian there is the Laplace approximation of the posterior covariance.

What people read is each idea's chance of beating a randomly chosen other idea,
p_i = mean over j ≠ i of σ(θ_i − θ_j), with a 95 % band from the delta method on the logit
scale (so the band stays inside 0–1 and is wider for ideas with few comparisons).

Pair selection follows All Our Ideas' "catch-up" idea: ideas seen in fewer comparisons are
drawn more often, so a late idea catches up and every idea gets seen.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PRIOR_VARIANCE = 4.0
Z_95 = 1.959963984540054


@dataclass
class PairwiseRanking:
    """Per idea index: strength, chance of beating a random other idea and its 95 % band,
    wins and decisive comparisons (skips are not comparisons)."""
    strengths: np.ndarray
    chances: np.ndarray
    lows: np.ndarray
    highs: np.ndarray
    wins: np.ndarray
    comparisons: np.ndarray
    iterations: int


DENSE_LIMIT = 400  # ideas; above it, sparse per-idea Newton steps and a diagonal band
CHANCE_BLOCK = 512  # rows of the n × n win-probability matrix computed at a time


def fit_bradley_terry(n_items: int, winners: np.ndarray, losers: np.ndarray,
                      counts: np.ndarray | None = None, *,
                      prior_variance: float = PRIOR_VARIANCE, max_iterations: int = 50,
                      tolerance: float = 1e-9, dense_limit: int = DENSE_LIMIT,
                      ) -> PairwiseRanking:
    """Fit from comparison outcomes: winners[k] beat losers[k], counts[k] times (default 1).

    Up to `dense_limit` ideas: full Newton steps and the full posterior covariance (O(n³),
    milliseconds for a campaign's few hundred ideas). Beyond: one Newton step per idea at a
    time over the pairs actually compared (O(comparisons) per sweep, Jacobi iteration; the
    Hessian is diagonally dominant, so it converges) and a band from the diagonal of the
    Hessian, so a very large campaign stays answerable in memory and time.
    """
    winners = np.asarray(winners, dtype=np.int64)
    losers = np.asarray(losers, dtype=np.int64)
    counts = (np.ones(winners.size) if counts is None
              else np.asarray(counts, dtype=np.float64))
    wins = np.bincount(winners, weights=counts, minlength=n_items)
    comparisons = wins + np.bincount(losers, weights=counts, minlength=n_items)
    precision = 1.0 / prior_variance
    if n_items > dense_limit:
        return _fit_sparse(n_items, winners, losers, counts, wins, comparisons, precision,
                           max_iterations * 20, tolerance)
    wins_matrix = np.zeros((n_items, n_items))
    np.add.at(wins_matrix, (winners, losers), counts)
    played = wins_matrix + wins_matrix.T

    theta = np.zeros(n_items)
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007  (reported)
        p = _sigmoid(theta[:, None] - theta[None, :])
        gradient = wins - (played * p).sum(axis=1) - precision * theta
        weights = played * p * (1.0 - p)
        hessian = np.diag(weights.sum(axis=1) + precision) - weights  # minus the Hessian
        step = np.linalg.solve(hessian, gradient)
        theta = theta + step
        if np.max(np.abs(step), initial=0.0) < tolerance:
            break
    p = _sigmoid(theta[:, None] - theta[None, :])
    weights = played * p * (1.0 - p)
    covariance = np.linalg.inv(np.diag(weights.sum(axis=1) + precision) - weights)
    chances, lows, highs = _chances_with_band(theta, covariance)
    return PairwiseRanking(strengths=theta, chances=chances, lows=lows, highs=highs,
                           wins=wins, comparisons=comparisons, iterations=iterations)


def _fit_sparse(n_items: int, winners: np.ndarray, losers: np.ndarray, counts: np.ndarray,
                wins: np.ndarray, comparisons: np.ndarray, precision: float,
                max_iterations: int, tolerance: float) -> PairwiseRanking:
    theta = np.zeros(n_items)
    iterations = 0
    curvature = np.full(n_items, precision)
    for iterations in range(1, max_iterations + 1):  # noqa: B007  (reported)
        p = _sigmoid(theta[winners] - theta[losers])  # each recorded winner's chance
        surprise = (1.0 - p) * counts
        gradient = (np.bincount(winners, weights=surprise, minlength=n_items)
                    - np.bincount(losers, weights=surprise, minlength=n_items)
                    - precision * theta)
        spread = p * (1.0 - p) * counts
        curvature = (np.bincount(winners, weights=spread, minlength=n_items)
                     + np.bincount(losers, weights=spread, minlength=n_items) + precision)
        step = gradient / curvature
        theta = theta + step
        if np.max(np.abs(step), initial=0.0) < max(tolerance, 1e-7):
            break
    chances = np.empty(n_items)
    slope_self = np.empty(n_items)
    slope_others = np.empty(n_items)
    variance = 1.0 / curvature
    for start in range(0, n_items, CHANCE_BLOCK):
        block = slice(start, min(n_items, start + CHANCE_BLOCK))
        p = _sigmoid(theta[block, None] - theta[None, :])
        p[np.arange(p.shape[0]), np.arange(block.start, block.stop)] = 0.0
        slopes = p * (1.0 - p)
        chances[block] = p.sum(axis=1) / (n_items - 1)
        slope_self[block] = slopes.sum(axis=1) / (n_items - 1)
        slope_others[block] = (slopes ** 2 @ variance) / (n_items - 1) ** 2
    spread = np.sqrt(slope_self ** 2 * variance + slope_others)
    lows, highs = _logit_band(chances, spread)
    return PairwiseRanking(strengths=theta, chances=chances, lows=lows, highs=highs,
                           wins=wins, comparisons=comparisons, iterations=iterations)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for large |x|


def _chances_with_band(theta: np.ndarray,
                       covariance: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = theta.size
    if n < 2:
        half = np.full(n, 0.5)
        return half, np.zeros(n), np.ones(n)
    p = _sigmoid(theta[:, None] - theta[None, :])
    np.fill_diagonal(p, 0.0)
    chances = p.sum(axis=1) / (n - 1)
    slopes = p * (1.0 - p)  # dσ(θ_i − θ_j)/dθ_i, zero on the diagonal
    gradient = -slopes / (n - 1)  # ∂p_i/∂θ_j for j ≠ i
    gradient[np.diag_indices(n)] = slopes.sum(axis=1) / (n - 1)
    variance = np.einsum("ij,jk,ik->i", gradient, covariance, gradient)
    lows, highs = _logit_band(chances, np.sqrt(np.maximum(variance, 0.0)))
    return chances, lows, highs


def _logit_band(chances: np.ndarray, standard_error: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 95 % band for chances with the given standard errors, built on the logit scale
    (so it stays inside 0–1)."""
    clipped = np.clip(chances, 1e-9, 1 - 1e-9)
    logit = np.log(clipped / (1.0 - clipped))
    spread = Z_95 * standard_error / (clipped * (1.0 - clipped))
    return _sigmoid(logit - spread), _sigmoid(logit + spread)


def pair_key(a: int, b: int) -> tuple[int, int]:
    """A pair regardless of the order it was shown in."""
    return (a, b) if a < b else (b, a)


def choose_pair(candidates: Sequence[int], appearances: Sequence[int],
                answered: set[tuple[int, int]], rng: random.Random,
                ) -> tuple[int, int] | None:
    """The next pair for one person, or None when they have answered every pair.

    candidates: idea ids this person may compare (never their own); appearances: how often
    each was in an answered pair, by anyone; answered: this person's pairs as `pair_key`s.
    Each idea is drawn with weight 1/(1 + appearances)², the first of the pair and then its
    partner among the ideas not yet paired with it by this person; the order on screen is
    random, so neither side is favoured.
    """
    pool = {idea: 1.0 / (1.0 + seen) ** 2 for idea, seen in zip(candidates, appearances,
                                                               strict=True)}
    while len(pool) >= 2:
        ideas = list(pool)
        first = rng.choices(ideas, weights=[pool[i] for i in ideas])[0]
        partners = [i for i in ideas if i != first and pair_key(first, i) not in answered]
        if not partners:
            del pool[first]  # this person has compared it with everything
            continue
        second = rng.choices(partners, weights=[pool[i] for i in partners])[0]
        return (first, second) if rng.random() < 0.5 else (second, first)
    return None


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Rank correlation (no ties expected): how well a recovered order matches a known one."""
    ranks_a = np.argsort(np.argsort(np.asarray(a)))
    ranks_b = np.argsort(np.argsort(np.asarray(b)))
    n = len(ranks_a)
    return 1.0 - 6.0 * float(np.sum((ranks_a - ranks_b) ** 2)) / (n * (n * n - 1))
