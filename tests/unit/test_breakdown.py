"""Breakdowns never show a group smaller than 5, directly or by subtraction."""
from ideaboard.queries.review import GroupSupport, fold_small_groups


def names(breakdown):
    return [g.name for g in breakdown.groups]


def test_a_department_with_four_voters_is_folded_into_other():
    result = fold_small_groups([GroupSupport("Sales", 6, 1), GroupSupport("Finance", 3, 1),
                                GroupSupport("Ops", 2, 3)], "Other")
    assert names(result) == ["Sales"]
    assert (result.other.supporters, result.other.opposers) == (5, 4)


def test_other_is_never_left_small_enough_to_be_worked_out_by_subtraction():
    result = fold_small_groups([GroupSupport("Sales", 10, 0), GroupSupport("Ops", 6, 0),
                                GroupSupport("Finance", 2, 0)], "Other")
    assert all(g.voters >= 5 for g in result.groups)
    assert result.other.voters >= 5
    assert names(result) == ["Sales"]  # Ops folded in to hide Finance's two voters


def test_too_few_voters_overall_shows_nothing():
    result = fold_small_groups([GroupSupport("Sales", 2, 1)], "Other")
    assert result.groups == [] and result.other is None


def test_groups_of_five_are_shown():
    result = fold_small_groups([GroupSupport("Sales", 5, 0), GroupSupport("Ops", 3, 2)], "Other")
    assert names(result) == ["Sales", "Ops"] and result.other is None
