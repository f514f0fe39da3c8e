"""Dividing a round's pool, checked against worked examples done by hand in the comments."""
import math

import pytest

from ideaboard.models.division import (
    PROPORTIONAL,
    QUADRATIC,
    Candidate,
    divide_pool,
    worked_example,
)


def idea(key, ask, backers, points_each, people_weeks=0):
    return Candidate(key, ask, people_weeks, backer_points=(points_each,) * backers)


# The same three ideas under both rules. Pool ¥100,000, at least 2 backers.
#   A asks 50,000: 2 backers × 50 points  -> 100 points, weight (2·√50)² = 200
#   B asks 30,000: 25 backers × 2 points  ->  50 points, weight (25·√2)² = 1,250
#   C asks 35,000: 5 backers × 10 points  ->  50 points, weight (5·√10)² = 250
IDEAS = [idea(1, 50_000, 2, 50), idea(2, 30_000, 25, 2), idea(3, 35_000, 5, 10)]


def test_proportional_worked_example():
    # 200 points in all. A: 100/200 × 100,000 = 50,000 ≥ 50,000 → funded with its ask.
    # B: 50/200 × 100,000 = 25,000 < 30,000 → not funded; C: 25,000 < 35,000 → not funded.
    # Nothing is redistributed: 50,000 stays in the pool.
    division = divide_pool(PROPORTIONAL, 100_000, 0, IDEAS, min_backers=2)
    shares = division.by_key()
    assert [shares[k].weight for k in (1, 2, 3)] == [100, 50, 50]
    assert [round(shares[k].offer_amount) for k in (1, 2, 3)] == [50_000, 25_000, 25_000]
    assert [shares[k].funded for k in (1, 2, 3)] == [True, False, False]
    assert [shares[k].awarded_amount for k in (1, 2, 3)] == [50_000, 0, 0]
    assert (division.awarded_amount, division.left_amount) == (50_000, 50_000)


def test_quadratic_worked_example():
    # Weights 200 + 1,250 + 250 = 1,700.
    # Pass 1: B is offered 1,250/1,700 × 100,000 = 73,529 → capped at its ask, 30,000.
    # Pass 2: 70,000 left for A and C (200 + 250 = 450): A 31,111; C 38,889 → C capped at 35,000.
    # Pass 3: 35,000 left for A alone: 35,000 < 50,000 → A is not funded.
    # Funded: B (30,000) and C (35,000); 35,000 stays in the pool.
    division = divide_pool(QUADRATIC, 100_000, 0, IDEAS, min_backers=2)
    shares = division.by_key()
    assert [round(shares[k].weight, 6) for k in (1, 2, 3)] == [200, 1250, 250]
    assert [round(shares[k].offer_amount) for k in (1, 2, 3)] == [35_000, 30_000, 35_000]
    assert [shares[k].funded for k in (1, 2, 3)] == [False, True, True]
    assert [shares[k].awarded_amount for k in (1, 2, 3)] == [0, 30_000, 35_000]
    assert (division.awarded_amount, division.left_amount) == (65_000, 35_000)


def test_the_page_example_is_the_same_computation():
    assert [s.funded for s in worked_example(PROPORTIONAL).shares] == [True, False, False]
    assert [s.funded for s in worked_example(QUADRATIC).shares] == [False, True, True]


def test_ideas_below_the_minimum_of_backers_take_no_share():
    # D has 4 backers with a minimum of 5: it is left out, so E's share is the whole pool.
    # E: 5 backers × 2 points, asks 8,000 of a 10,000 pool → offered 10,000, funded with 8,000.
    ideas = [idea(4, 1_000, 4, 25), idea(5, 8_000, 5, 2)]
    for rule in (PROPORTIONAL, QUADRATIC):
        shares = divide_pool(rule, 10_000, 0, ideas, min_backers=5).by_key()
        assert not shares[4].counted and not shares[4].funded and shares[4].offer_amount == 0
        assert shares[5].funded and shares[5].awarded_amount == 8_000


def test_money_and_people_weeks_must_both_be_reached():
    # Pool ¥60,000 and 10 people-weeks; both ideas have equal weight, so each is offered
    # half, ¥30,000 and 5 people-weeks, capped at what it asked.
    #   F asks ¥20,000 and 4 people-weeks → both covered → funded.
    #   G asks ¥30,000 and 6 people-weeks → money covered, people-weeks not → not funded.
    ideas = [idea(6, 20_000, 3, 9, people_weeks=4), idea(7, 30_000, 3, 9, people_weeks=6)]
    division = divide_pool(PROPORTIONAL, 60_000, 10, ideas, min_backers=3)
    shares = division.by_key()
    assert (shares[6].offer_amount, shares[6].offer_people_weeks) == (20_000, 4)
    assert (shares[7].offer_amount, shares[7].offer_people_weeks) == (30_000, 5)
    assert shares[6].funded and (shares[6].awarded_amount, shares[6].awarded_people_weeks) == (
        20_000, 4)
    assert not shares[7].funded and shares[7].awarded_people_weeks == 0
    assert (division.left_amount, division.left_people_weeks) == (40_000, 6)


def test_an_idea_asking_only_people_weeks_takes_no_money():
    # H asks only people-weeks, so the money is divided among the others: I gets it all.
    ideas = [idea(8, 0, 3, 4, people_weeks=2), idea(9, 9_000, 3, 4)]
    shares = divide_pool(QUADRATIC, 9_000, 2, ideas, min_backers=1).by_key()
    assert shares[8].offer_amount == 0 and shares[8].offer_people_weeks == 2
    assert shares[8].funded and shares[9].funded and shares[9].offer_amount == 9_000


def test_quadratic_redistributes_until_no_offer_exceeds_an_ask():
    # Three ideas of equal weight (1 backer × 1 point) in a pool of 90: 30 each at first.
    # J asks 10 → capped; 80 left for K and L: 40 each → K (asks 20) capped; 60 for L → L
    # (asks 100) is not funded. Proportional would offer 30 each: J and K funded, L not.
    ideas = [idea(10, 10, 1, 1), idea(11, 20, 1, 1), idea(12, 100, 1, 1)]
    quadratic = divide_pool(QUADRATIC, 90, 0, ideas, min_backers=1).by_key()
    assert [quadratic[k].offer_amount for k in (10, 11, 12)] == [10, 20, 60]
    proportional = divide_pool(PROPORTIONAL, 90, 0, ideas, min_backers=1).by_key()
    assert [proportional[k].offer_amount for k in (10, 11, 12)] == [10, 20, 30]
    assert [s.funded for s in (quadratic[10], quadratic[11], quadratic[12])] == [
        True, True, False]


@pytest.mark.parametrize("rule", [PROPORTIONAL, QUADRATIC])
def test_never_more_than_the_pool_is_paid_out(rule):
    import random

    rng = random.Random(5)
    for _ in range(200):
        ideas = [Candidate(k, rng.randint(1, 50_000), rng.choice([0, 0, rng.randint(1, 8)]),
                           backer_points=tuple(rng.randint(1, 60)
                                               for _ in range(rng.randint(0, 9))))
                 for k in range(rng.randint(1, 8))]
        pool, weeks = rng.randint(1, 120_000), rng.randint(0, 20)
        division = divide_pool(rule, pool, weeks, ideas, min_backers=rng.randint(1, 4))
        assert division.awarded_amount <= pool and division.awarded_people_weeks <= weeks
        for share, candidate in zip(division.shares, ideas, strict=True):
            if share.funded:
                assert share.awarded_amount == candidate.ask_amount


def test_running_root_sum_gives_the_same_weight():
    exact = Candidate(1, 10, 0, backer_points=(4, 9, 16))
    running = Candidate(1, 10, 0, points=29, backers=3, root_sum=2 + 3 + 4)
    assert math.isclose(exact.sum_of_roots ** 2, running.sum_of_roots ** 2)
    assert running.sum_of_roots ** 2 == 81
