"""The broad-support ("common ground") score: high only when support spans viewpoints.

The model follows the Community Notes scorer (twitter/communitynotes): every vote is
explained as

    vote(u, i)  ≈  b_u  +  b_i  +  f_u · f_i          (support = +1, oppose = −1)

- f_u is the voter's viewpoint and f_i the idea's position on the same single axis: the
  part of the support that comes from sharing a viewpoint;
- b_u is the voter's leniency (some people support nearly everything);
- b_i, the idea's intercept, is what is left: support that neither viewpoint nor leniency
  explains. It is the score, between −1 and 1.

An idea backed by one bloc is explained by the factor (its voters share a viewpoint), so its
intercept stays low; an idea supported by colleagues who usually disagree can only be
explained by its intercept. The fit minimises

    Σ_votes (vote − b_u − b_i − f_u f_i)²
      + λ_i Σ b_i² + λ_u Σ b_u² + λ_f Σ f_i² + λ_v Σ (f_u − g_d(u))² + λ_g Σ g_d²

subject to Σ_votes b_u = 0 and Σ_votes f_u = 0, where g_d is a department's shared viewpoint.
Three choices differ from Community Notes, on purpose:

- No learned global mean: the two constraints keep the platform's overall mood in the idea
  intercepts, so the score is absolute (0.40 ≈ "a neutral colleague supports it 70:30") and
  an idea with little evidence shrinks towards 0 (evenly split), never towards the average.
  Centring the viewpoints also stops the factor from becoming a second intercept.
- Departments are a prior, never an input to the score: a voter's viewpoint is pulled
  towards their department's viewpoint g_d, which the fit itself learns from the votes (and
  towards 0 for people without a department). Colleagues of one department then share
  evidence, so a department's habit of voting as a bloc is learnt from fewer votes.
  Departments start at random viewpoints (seeded) so the fit can leave the saddle at 0.
- Alternating least squares instead of gradient descent: each half-step solves a 2 × 2
  ridge regression per idea (or per voter) exactly, in a few numpy passes over the votes,
  so the fit is deterministic and 1M votes take seconds on one core.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ideaboard.ranking import BROAD_SUPPORT_MIN_VOTES


@dataclass(frozen=True)
class Penalties:
    """Regularisation, in votes: λ = 10 on the idea intercept weighs like ten extra votes
    split evenly. Intercepts are held five times tighter than factors (as in Community
    Notes), so support is explained by viewpoint whenever viewpoint can explain it."""
    idea_intercept: float = 10.0
    voter_intercept: float = 5.0
    idea_factor: float = 2.0
    voter_factor: float = 2.0     # pull of a voter's viewpoint towards their department's
    group_factor: float = 1.0     # pull of a department's viewpoint towards 0


@dataclass
class BroadSupportFit:
    """Per idea index: `scores` (the intercepts; NaN below the minimum number of votes),
    the raw intercepts and factors, and vote counts; per voter and per group their fit."""
    scores: np.ndarray
    idea_intercepts: np.ndarray
    idea_factors: np.ndarray
    idea_votes: np.ndarray
    voter_intercepts: np.ndarray
    voter_factors: np.ndarray
    group_factors: np.ndarray
    sweeps: int
    converged: bool
    loss: float


def _solve_2x2(a11, a12, a22, r1, r2) -> tuple[np.ndarray, np.ndarray]:
    """Many symmetric 2 × 2 systems at once (positive definite: every diagonal has a λ)."""
    det = a11 * a22 - a12 * a12
    return (a22 * r1 - a12 * r2) / det, (a11 * r2 - a12 * r1) / det


def fit_broad_support(ideas: np.ndarray, voters: np.ndarray, votes: np.ndarray,
                      voter_groups: np.ndarray | None = None, *,
                      n_ideas: int | None = None, n_voters: int | None = None,
                      penalties: Penalties = Penalties(), seed: int = 20240601,
                      max_sweeps: int = 100, tolerance: float = 5e-4,
                      min_votes: int = BROAD_SUPPORT_MIN_VOTES) -> BroadSupportFit:
    """Fit the model to one array entry per vote.

    ideas, voters: indexes from 0 (one pair per vote, no duplicates); votes: +1 or −1;
    voter_groups: per voter, their department's index from 0, or −1 for none.
    Stops when no idea's intercept moved by more than `tolerance` in a sweep (scores are
    shown to two decimals), or after `max_sweeps`. On votes with a real viewpoint structure
    that takes 10–30 sweeps; on votes with none (random), a one-factor fit keeps drifting
    slowly along noise, and stopping there leaves scores within a few hundredths.
    """
    ideas = np.asarray(ideas, dtype=np.int64)
    voters = np.asarray(voters, dtype=np.int64)
    y = np.asarray(votes, dtype=np.float64)
    n_ideas = int(n_ideas if n_ideas is not None else (ideas.max() + 1 if ideas.size else 0))
    n_voters = int(n_voters if n_voters is not None else (voters.max() + 1 if voters.size else 0))
    groups = (np.full(n_voters, -1, dtype=np.int64) if voter_groups is None
              else np.asarray(voter_groups, dtype=np.int64))
    n_groups = int(groups.max() + 1) if groups.size and groups.max() >= 0 else 0
    lam = penalties

    idea_votes = np.bincount(ideas, minlength=n_ideas).astype(np.float64)
    voter_votes = np.bincount(voters, minlength=n_voters).astype(np.float64)
    in_group = groups >= 0
    group_sizes = np.bincount(groups[in_group], minlength=n_groups).astype(np.float64)

    rng = np.random.default_rng(seed)
    group_factors = rng.normal(0.0, 0.5, n_groups)
    voter_intercepts = np.zeros(n_voters)
    voter_factors = _prior(group_factors, groups) + rng.normal(0.0, 0.1, n_voters)
    idea_intercepts = np.zeros(n_ideas)
    idea_factors = np.zeros(n_ideas)

    previous = idea_intercepts
    converged = False
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):  # noqa: B007  (reported in the result)
        # ideas: a ridge regression of (vote − b_u) on [1, f_u] per idea
        fu = voter_factors[voters]
        rest = y - voter_intercepts[voters]
        idea_intercepts, idea_factors = _solve_2x2(
            idea_votes + lam.idea_intercept,
            np.bincount(ideas, weights=fu, minlength=n_ideas),
            np.bincount(ideas, weights=fu * fu, minlength=n_ideas) + lam.idea_factor,
            np.bincount(ideas, weights=rest, minlength=n_ideas),
            np.bincount(ideas, weights=rest * fu, minlength=n_ideas))
        # voters: the same per voter, viewpoints pulled towards their department's, with
        # the vote-weighted means of b_u and f_u held at 0 (Lagrange multipliers)
        fi = idea_factors[ideas]
        rest = y - idea_intercepts[ideas]
        voter_intercepts, voter_factors = _voter_step(
            voter_votes, fi, rest, voters, n_voters,
            _prior(group_factors, groups), lam)
        # departments: the mean of their voters' viewpoints, shrunk towards 0
        if n_groups:
            group_factors = (lam.voter_factor * np.bincount(
                groups[in_group], weights=voter_factors[in_group], minlength=n_groups)
                / (lam.voter_factor * group_sizes + lam.group_factor))
        voter_factors, group_factors, idea_factors = _rebalance(
            voter_factors, group_factors, idea_factors, groups, lam)
        change = float(np.max(np.abs(idea_intercepts - previous))) if n_ideas else 0.0
        if change <= tolerance:
            converged = True
            break
        previous = idea_intercepts

    loss = _loss(y, ideas, voters, idea_intercepts, idea_factors, voter_intercepts,
                 voter_factors, group_factors, groups, lam)
    scores = np.where(idea_votes >= min_votes, idea_intercepts, np.nan)
    return BroadSupportFit(scores=scores, idea_intercepts=idea_intercepts,
                           idea_factors=idea_factors, idea_votes=idea_votes,
                           voter_intercepts=voter_intercepts, voter_factors=voter_factors,
                           group_factors=group_factors, sweeps=sweeps, converged=converged,
                           loss=float(loss))


def _prior(group_factors: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each voter's prior viewpoint: their department's, or 0 without one."""
    if not group_factors.size:
        return np.zeros(groups.size)
    return np.where(groups >= 0, group_factors[np.maximum(groups, 0)], 0.0)


def _voter_step(voter_votes: np.ndarray, fi: np.ndarray, rest: np.ndarray,
                voters: np.ndarray, n_voters: int, prior: np.ndarray,
                lam: Penalties) -> tuple[np.ndarray, np.ndarray]:
    """Exact minimiser over (b_u, f_u) for every voter under the two centring constraints.

    Without constraints each voter solves A [b, f] = r. The constraints add −ν₁ n_u and
    −ν₂ n_u to the right-hand side, so the solution moves linearly in (ν₁, ν₂); a 2 × 2
    system over all voters then finds the multipliers that make both weighted means 0.
    """
    a11 = voter_votes + lam.voter_intercept
    a12 = np.bincount(voters, weights=fi, minlength=n_voters)
    a22 = np.bincount(voters, weights=fi * fi, minlength=n_voters) + lam.voter_factor
    r1 = np.bincount(voters, weights=rest, minlength=n_voters)
    r2 = np.bincount(voters, weights=rest * fi, minlength=n_voters) + lam.voter_factor * prior
    b0, f0 = _solve_2x2(a11, a12, a22, r1, r2)
    b1, f1 = _solve_2x2(a11, a12, a22, voter_votes, np.zeros(n_voters))  # effect of ν₁
    b2, f2 = _solve_2x2(a11, a12, a22, np.zeros(n_voters), voter_votes)  # effect of ν₂
    n = voter_votes
    m11, m12, m21, m22 = n @ b1, n @ b2, n @ f1, n @ f2
    det = m11 * m22 - m12 * m21
    t1, t2 = n @ b0, n @ f0
    if abs(det) < 1e-12:  # degenerate (e.g. a single voter): nothing to centre
        return b0, f0
    nu1 = (m22 * t1 - m12 * t2) / det
    nu2 = (m11 * t2 - m21 * t1) / det
    return b0 - nu1 * b1 - nu2 * b2, f0 - nu1 * f1 - nu2 * f2


def _rebalance(voter_factors, group_factors, idea_factors, groups,
               lam: Penalties) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale viewpoints by c and idea positions by 1/c with the c that minimises the
    penalties: the fit to the votes is unchanged and the loss can only fall. Without it
    alternating steps crawl along this flat direction for hundreds of sweeps."""
    voter_side = (lam.voter_factor * np.sum((voter_factors - _prior(group_factors, groups)) ** 2)
                  + lam.group_factor * (group_factors @ group_factors))
    idea_side = lam.idea_factor * (idea_factors @ idea_factors)
    if voter_side <= 0 or idea_side <= 0:
        return voter_factors, group_factors, idea_factors
    c = (idea_side / voter_side) ** 0.25
    return voter_factors * c, group_factors * c, idea_factors / c


def _loss(y, ideas, voters, bi, fi, bu, fu, g, groups, lam: Penalties) -> float:
    residual = y - bu[voters] - bi[ideas] - fu[voters] * fi[ideas]
    return float(residual @ residual
                 + lam.idea_intercept * (bi @ bi) + lam.voter_intercept * (bu @ bu)
                 + lam.idea_factor * (fi @ fi)
                 + lam.voter_factor * np.sum((fu - _prior(g, groups)) ** 2)
                 + lam.group_factor * (g @ g))


def dense_indexes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Database ids → (the distinct ids in order, each entry's index among them)."""
    unique, index = np.unique(np.asarray(ids), return_inverse=True)
    return unique, index.astype(np.int64)
