"""Score maths: Wilson lower bound and the Hot key."""
from datetime import datetime, timedelta

import pytest

from ideaboard.models.ranking import HOT_HALF_LIFE_SECONDS, hot_score, wilson_lower_bound


def test_wilson_is_zero_without_votes():
    assert wilson_lower_bound(0, 0) == 0.0


@pytest.mark.parametrize(("supporters", "total", "expected"), [
    (1, 1, 0.2065), (10, 10, 0.7225), (9, 10, 0.5958), (60, 100, 0.5020), (100, 100, 0.9630),
])
def test_wilson_matches_reference_values(supporters, total, expected):
    assert wilson_lower_bound(supporters, total) == pytest.approx(expected, abs=1e-3)


def test_more_evidence_beats_a_perfect_small_sample():
    assert wilson_lower_bound(95, 100) > wilson_lower_bound(5, 5)


def test_hot_prefers_newer_at_equal_merit_and_halves_per_week():
    created = datetime(2026, 3, 1)
    later = created + timedelta(seconds=HOT_HALF_LIFE_SECONDS)
    assert hot_score(0.5, later) > hot_score(0.5, created)
    # a week newer with half the merit ties with the older one
    assert hot_score(0.25, later) == pytest.approx(hot_score(0.5, created))
