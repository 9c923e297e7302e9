"""Invalid input raises ScoringInputError naming the field, with a Vietnamese message."""

from decimal import Decimal

import pytest

from scoring import (
    LeaderCriteria,
    PeriodInput,
    ScoringInputError,
    WorkItem,
    get_rule_set,
    score_period,
)

GENERAL = (10, 10, 10)


def _field_of(period: PeriodInput) -> str:
    with pytest.raises(ScoringInputError) as info:
        score_period(period)
    assert info.value.message
    return info.value.field


def _item_field(*args, **kwargs) -> str:
    with pytest.raises(ScoringInputError) as info:
        WorkItem(*args, **kwargs)
    assert info.value.message
    return info.value.field


def test_validation_negative_assigned_is_refused():
    """A negative assigned quantity is refused when the item is built, naming its field."""
    assert _item_field("X", -1, 1, 0) == "items[X].assigned"


def test_validation_negative_completed_is_refused():
    """A negative completed quantity names items[X].completed."""
    assert _item_field("X", 1, 1, -1) == "items[X].completed"


def test_validation_completed_above_assigned_is_refused():
    """Completing more than assigned is invalid without over-completion."""
    period = PeriodInput((WorkItem("X", 1, 1, 2),), GENERAL)
    assert _field_of(period) == "items[0].completed"


@pytest.mark.parametrize("coefficient", [0, -1])
def test_validation_non_positive_coefficient_is_refused(coefficient):
    """A zero or negative conversion coefficient is refused."""
    assert _item_field("X", 1, coefficient, 1) == "items[X].coefficient"


def test_validation_more_errors_than_four_per_product_is_refused():
    """Nine errors on two done products exceed 4 × 2."""
    period = PeriodInput((WorkItem("X", 2, 1, 2, major_errors=9),), GENERAL)
    assert _field_of(period) == "items[0].major_errors"


def test_validation_more_delays_than_four_per_product_is_refused():
    """Five delays on one done product exceed 4 × 1."""
    period = PeriodInput((WorkItem("X", 1, 1, 1, delays=5),), GENERAL)
    assert _field_of(period) == "items[0].delays"


def test_validation_errors_on_undone_product_are_refused():
    """An error on a product not completed is invalid (4 × 0 = 0)."""
    period = PeriodInput((WorkItem("X", 1, 1, 0, major_errors=1),), GENERAL)
    assert _field_of(period) == "items[0].major_errors"


def test_validation_exempt_errors_above_errors_are_refused():
    """More exempt errors than errors is invalid."""
    period = PeriodInput((WorkItem("X", 1, 1, 1, major_errors=1, exempt_errors=2),), GENERAL)
    assert _field_of(period) == "items[0].exempt_errors"


def test_validation_exempt_delays_above_delays_are_refused():
    """More exempt delays than delays is invalid."""
    period = PeriodInput((WorkItem("X", 1, 1, 1, exempt_delays=1),), GENERAL)
    assert _field_of(period) == "items[0].exempt_delays"


def test_validation_general_points_above_max_are_refused():
    """10.5 points on a criterion worth 10 names general[1]."""
    period = PeriodInput((WorkItem("X", 1, 1, 1),), (10, "10.5", 10))
    assert _field_of(period) == "general[1]"


def test_validation_negative_general_points_are_refused():
    """Negative general points name general[2]."""
    with pytest.raises(ScoringInputError) as info:
        PeriodInput((WorkItem("X", 1, 1, 1),), (10, 10, -1))
    assert info.value.field == "general[2]"


def test_validation_wrong_number_of_general_points_is_refused():
    """Two points for three criteria names general."""
    assert _field_of(PeriodInput((WorkItem("X", 1, 1, 1),), (10, 10))) == "general"


def test_validation_nothing_assigned_is_refused():
    """A period with no assigned units cannot be scored."""
    assert _field_of(PeriodInput((), GENERAL)) == "items"


def test_validation_unknown_forced_fail_is_refused():
    """An unknown forced-fail code names forced_fail."""
    period = PeriodInput((WorkItem("X", 1, 1, 1),), GENERAL, forced_fail="late")
    assert _field_of(period) == "forced_fail"


def test_validation_leader_only_reason_on_non_leader_still_fails_the_person():
    """leader_corruption for someone no longer in a leader post still forces KHTNV."""
    period = PeriodInput((WorkItem("X", 1, 1, 1),), GENERAL, forced_fail="leader_corruption")
    result = score_period(period)
    assert (result.grade.value, result.forced_fail) == ("KHTNV", "leader_corruption")


def test_validation_negative_leader_criterion_is_refused():
    """A negative organising percent names leader_criteria.organising."""
    with pytest.raises(ScoringInputError) as info:
        LeaderCriteria(100, -1)
    assert info.value.field == "leader_criteria.organising"


def test_validation_non_number_quantity_is_refused():
    """A quantity that is not a number is refused when the item is built."""
    with pytest.raises(ScoringInputError) as info:
        WorkItem("X", "mười", 1, 1)
    assert info.value.field == "items[X].assigned"


def test_validation_fractional_error_count_is_refused():
    """Error counts are whole numbers."""
    with pytest.raises(ScoringInputError):
        WorkItem("X", 1, 1, 1, major_errors=Decimal("0.5"))


def test_validation_unknown_rule_set_is_refused():
    """An unknown rule set names rule_set."""
    with pytest.raises(ScoringInputError) as info:
        get_rule_set("nd999_2030")
    assert info.value.field == "rule_set"


def test_validation_message_is_vietnamese():
    """Messages are written in Vietnamese for the person who entered the data."""
    with pytest.raises(ScoringInputError) as info:
        score_period(PeriodInput((WorkItem("X", 1, 0, 1),), GENERAL))
    assert info.value.message == "Hệ số quy đổi phải lớn hơn 0."
