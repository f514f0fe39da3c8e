"""How a funding round's pool is divided at close. Pure functions, so the rules are easy to
test against worked examples (tests/unit/test_division.py) and the round page can show one
computed by the very same code.

Both rules weigh the ideas that have at least the round's minimum of distinct backers:

- **proportional**: an idea's weight is its points. Each idea is offered the pool times its
  share of the weight, capped at its ask. Nothing is redistributed.
- **quadratic matching**: an idea's weight is the square of the sum of the square roots of
  its backers' points, (Σ√p)², so 25 people giving 2 points weigh (25·√2)² = 1,250 while 2
  people giving 50 weigh (2·√50)² = 200. Offers are capped at the ask and what a capped idea
  does not need is divided again among the others, by weight, until no offer exceeds an ask.

An idea is **funded** when its offer covers its whole ask (money and people-weeks, each part
it asked for) and it has the minimum of backers; it then receives exactly its ask. A funded
project cannot start half-funded, so an offer that falls short is not paid: that money stays
in the pool. Money and people-weeks are divided separately, among the ideas that asked for
each. Every funded idea receives its ask, so what is paid out never exceeds the pool.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PROPORTIONAL, QUADRATIC = "proportional", "quadratic"
_TOLERANCE = 1e-9  # float noise when an offer exactly meets an ask


@dataclass(frozen=True)
class Candidate:
    """One entered idea as the division sees it."""
    key: int
    ask_amount: int
    ask_people_weeks: int
    backer_points: Sequence[int] = ()  # each backer's points (quadratic needs them)
    points: int | None = None   # totals, when the backers' points are not at hand
    backers: int | None = None
    root_sum: float | None = None  # Σ√points, kept as a running counter

    @property
    def total_points(self) -> int:
        return self.points if self.points is not None else sum(self.backer_points)

    @property
    def backer_count(self) -> int:
        return self.backers if self.backers is not None else sum(
            1 for p in self.backer_points if p > 0)

    @property
    def sum_of_roots(self) -> float:
        if self.root_sum is not None and not self.backer_points:
            return self.root_sum
        return sum(math.sqrt(p) for p in self.backer_points if p > 0)


@dataclass
class Share:
    """What the division offers one idea, and whether it is funded."""
    key: int
    weight: float
    counted: bool  # has the minimum of backers
    offer_amount: float = 0.0
    offer_people_weeks: float = 0.0
    funded: bool = False
    awarded_amount: int = 0
    awarded_people_weeks: int = 0


@dataclass
class Division:
    shares: list[Share] = field(default_factory=list)
    pool_amount: int = 0
    pool_people_weeks: int = 0

    @property
    def awarded_amount(self) -> int:
        return sum(s.awarded_amount for s in self.shares)

    @property
    def awarded_people_weeks(self) -> int:
        return sum(s.awarded_people_weeks for s in self.shares)

    @property
    def left_amount(self) -> int:
        return self.pool_amount - self.awarded_amount

    @property
    def left_people_weeks(self) -> int:
        return self.pool_people_weeks - self.awarded_people_weeks

    @property
    def funded(self) -> list[Share]:
        return [s for s in self.shares if s.funded]

    def by_key(self) -> dict[int, Share]:
        return {s.key: s for s in self.shares}


def weight_of(candidate: Candidate, rule: str) -> float:
    if rule == QUADRATIC:
        return candidate.sum_of_roots ** 2
    return float(candidate.total_points)


def _proportional_offers(pool: int, weights: dict[int, float]) -> dict[int, float]:
    total = sum(weights.values())
    return {key: pool * weight / total for key, weight in weights.items()} if total else {}


def _matched_offers(pool: int, weights: dict[int, float], asks: dict[int, int]
                    ) -> dict[int, float]:
    """Offers by weight, capped at the ask; what capped ideas leave is divided again among
    the rest, until no offer exceeds its ask (water-filling)."""
    offers: dict[int, float] = {}
    remaining, active = float(pool), dict(weights)
    while active:
        total = sum(active.values())
        if total <= 0:
            break
        round_offers = {key: remaining * weight / total for key, weight in active.items()}
        capped = [key for key, offer in round_offers.items()
                  if offer + _TOLERANCE * max(1, asks[key]) >= asks[key]]
        if not capped:
            offers.update(round_offers)
            break
        for key in capped:
            offers[key] = float(asks[key])
            remaining -= asks[key]
            del active[key]
    return offers


def _divide_resource(rule: str, pool: int, shares: dict[int, Share],
                     asks: dict[int, int]) -> dict[int, float]:
    """One resource (money or people-weeks) among the counted ideas that asked for it."""
    weights = {key: shares[key].weight for key, ask in asks.items()
               if ask > 0 and shares[key].counted}
    if pool <= 0 or not weights:
        return {}
    if rule == QUADRATIC:
        return _matched_offers(pool, weights, asks)
    return {key: min(float(asks[key]), offer)
            for key, offer in _proportional_offers(pool, weights).items()}


def divide_pool(rule: str, pool_amount: int, pool_people_weeks: int,
                candidates: Iterable[Candidate], min_backers: int) -> Division:
    """Divide a round's pool among its entered ideas by `rule`; see the module docstring."""
    candidates = list(candidates)
    shares = {}
    for candidate in candidates:
        weight = weight_of(candidate, rule)
        shares[candidate.key] = Share(
            candidate.key, weight, counted=candidate.backer_count >= min_backers and weight > 0)
    money = _divide_resource(rule, pool_amount, shares,
                             {c.key: c.ask_amount for c in candidates})
    people = _divide_resource(rule, pool_people_weeks, shares,
                              {c.key: c.ask_people_weeks for c in candidates})
    for candidate in candidates:
        share = shares[candidate.key]
        share.offer_amount = money.get(candidate.key, 0.0)
        share.offer_people_weeks = people.get(candidate.key, 0.0)
        covered = all(offer + _TOLERANCE * max(1, ask) >= ask for ask, offer in (
            (candidate.ask_amount, share.offer_amount),
            (candidate.ask_people_weeks, share.offer_people_weeks)) if ask > 0)
        share.funded = share.counted and covered
        if share.funded:
            share.awarded_amount = candidate.ask_amount
            share.awarded_people_weeks = candidate.ask_people_weeks
    return Division(list(shares.values()), pool_amount, pool_people_weeks)


# The worked example the round page explains each rule with (same code as the close).
EXAMPLE_POOL = 100_000
EXAMPLE_MIN_BACKERS = 2
EXAMPLE_IDEAS = (
    # key, ask, backers × points each
    (1, 50_000, 2, 50),
    (2, 30_000, 25, 2),
    (3, 35_000, 5, 10),
)


def worked_example(rule: str) -> Division:
    return divide_pool(rule, EXAMPLE_POOL, 0, [
        Candidate(key, ask, 0, backer_points=(points,) * backers)
        for key, ask, backers, points in EXAMPLE_IDEAS], EXAMPLE_MIN_BACKERS)
