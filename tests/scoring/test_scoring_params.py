"""Parameters are data: defaults, overrides, validation; every default is overridden once here."""

from dataclasses import replace
from decimal import Decimal

import pytest

from scoring import (
    Criterion,
    ForcedFailReason,
    Grade,
    LeaderCriteria,
    Params,
    PeriodInput,
    ScoringInputError,
    WorkItem,
    check_quota,
    leader_unit_results,
    score_period,
)
from scoring.quota import QuotaEntry


def test_params_defaults_match_decree_335():
    """Defaults: criteria a, b, c at 10 each, weight 70, 0.25 deductions, thresholds 90/70/50."""
    p = Params()
    assert [(c.code, c.max_points) for c in p.general_criteria] == [
        ("a", 10),
        ("b", 10),
        ("c", 10),
    ]
    assert p.general_criteria[2].label == "Tinh thần đổi mới, sáng tạo, dám nghĩ, dám làm"
    assert p.general_max == 30
    assert (p.task_weight, p.error_deduction, p.delay_deduction) == (
        70,
        Decimal("0.25"),
        Decimal("0.25"),
    )
    assert (p.criterion_cap, p.allow_over_completion, p.max_deductions_per_product) == (
        100,
        False,
        4,
    )
    assert (p.threshold_htxs, p.threshold_htt, p.threshold_htnv) == (90, 70, 50)
    assert [r.code for r in p.forced_fail_reasons] == [
        "discipline",
        "degradation",
        "leader_corruption",
    ]
    assert (p.quota_ratio, p.quota_rounding) == (Decimal("0.20"), "floor")
    assert (p.display_places, p.display_rounding) == (2, "ROUND_HALF_UP")
    assert (p.unit_results_all_pass, p.unit_results_any_fail) == (100, 50)


def test_params_replace_coerces_strings_to_decimal():
    """replace() accepts JSON-like values: "0.5" becomes Decimal("0.5")."""
    assert Params().replace(error_deduction="0.5").error_deduction == Decimal("0.5")


def test_params_replace_unknown_name_raises():
    """An unknown parameter name is refused, naming the field."""
    with pytest.raises(ScoringInputError) as info:
        Params().replace(bonus=1)
    assert info.value.field == "params.bonus"


def test_params_from_dict_round_trips_to_dict():
    """from_dict(to_dict()) gives back equal parameters."""
    p = Params(quota_rounding="ceil", display_places=3)
    assert Params.from_dict(p.to_dict()) == p


def test_params_weights_must_sum_to_100():
    """General maxima plus task weight must equal 100."""
    with pytest.raises(ScoringInputError) as info:
        Params(task_weight=60)
    assert info.value.field == "params.task_weight"


def test_params_thresholds_must_increase():
    """Thresholds out of order are refused."""
    with pytest.raises(ScoringInputError):
        Params(threshold_htt=95)


def test_params_quota_ratio_above_one_is_refused():
    """A quota ratio above 1 is refused."""
    with pytest.raises(ScoringInputError) as info:
        Params(quota_ratio="1.5")
    assert info.value.field == "params.quota_ratio"


def test_params_general_criteria_and_task_weight_change_the_scale():
    """Four criteria worth 40 with a task weight of 60: all done and full marks give 100."""
    criteria = (
        Criterion("a", "A", 10),
        Criterion("b", "B", 10),
        Criterion("c", "C", 10),
        Criterion("d", "D", 10),
    )
    p = Params(general_criteria=criteria, task_weight=60)
    result = score_period(PeriodInput((WorkItem("X", 1, 1, 1),), (10, 10, 10, 10)), p)
    assert (result.task_points, result.total) == (60, 100)


def test_params_error_deduction_changes_b(golden_period):
    """Error deduction 0.5: T1's one error takes 0.5 unit, b = 14.5 / 20 = 72.5."""
    result = score_period(golden_period, Params(error_deduction="0.5"))
    assert result.b == Decimal("72.5")


def test_params_delay_deduction_changes_c(golden_period):
    """Delay deduction 0.5: T1's two delays take 1 unit, c = 14 / 20 = 70."""
    result = score_period(golden_period, Params(delay_deduction="0.5"))
    assert result.c == Decimal("70")


def test_params_large_deduction_floors_item_credit_at_zero():
    """Deduction 1, 4 errors on 2 done products: the quality credit stops at 0, not −2."""
    p = Params(error_deduction=1)
    items = (WorkItem("X", 2, 1, 2, major_errors=4), WorkItem("Y", 2, 1, 2))
    assert score_period(PeriodInput(items, (10, 10, 10)), p).b == 50


def test_params_criterion_cap_caps_a_b_c():
    """A cap of 80 limits a, b and c to 80."""
    result = score_period(
        PeriodInput((WorkItem("X", 1, 1, 1),), (10, 10, 10)), Params(criterion_cap=80)
    )
    assert (result.a, result.b, result.c) == (80, 80, 80)


def test_params_allow_over_completion_lifts_cap_and_accepts_extra_work():
    """With over-completion allowed, 12 done of 10 gives a = 120 and no error."""
    p = Params(allow_over_completion=True)
    result = score_period(PeriodInput((WorkItem("X", 10, 1, 12),), (10, 10, 10)), p)
    assert result.a == 120


def test_params_max_deductions_per_product_limits_errors():
    """With at most 2 deductions per product, 3 errors on one done product are invalid."""
    period = PeriodInput((WorkItem("X", 1, 1, 1, major_errors=3),), (10, 10, 10))
    score_period(period)  # valid under the default of 4
    with pytest.raises(ScoringInputError) as info:
        score_period(period, Params(max_deductions_per_product=2))
    assert info.value.field == "items[0].major_errors"


def test_params_thresholds_override_grades():
    """Thresholds 95/80/60 make 90 an HTT, 79 an HTNV and 59 a KHTNV."""
    p = Params(threshold_htxs=95, threshold_htt=80, threshold_htnv=60)
    from scoring import grade_for_total

    grades = [grade_for_total(Decimal(t), p) for t in (95, 90, 79, 59)]
    assert grades == [Grade.HTXS, Grade.HTT, Grade.HTNV, Grade.KHTNV]


def test_params_forced_fail_reasons_are_data(golden_period):
    """A custom reason list accepts its own codes and refuses the defaults it dropped."""
    p = Params(forced_fail_reasons=({"code": "absence", "label": "Bỏ việc"},))
    assert score_period(replace(golden_period, forced_fail="absence"), p).grade is Grade.KHTNV
    with pytest.raises(ScoringInputError):
        score_period(replace(golden_period, forced_fail="discipline"), p)
    assert p.forced_fail_reasons == (ForcedFailReason("absence", "Bỏ việc"),)


def test_params_quota_ratio_and_rounding_set_allowed():
    """Ratio 0.5 of 3 HTT: floor allows 1, ceil 2, half_up 2."""
    entries = [QuotaEntry(str(i), Grade.HTT, "ubnd") for i in range(3)]
    allowed = [
        check_quota(entries, Params(quota_ratio="0.5", quota_rounding=mode)).checks[0].allowed
        for mode in ("floor", "ceil", "half_up")
    ]
    assert allowed == [1, 2, 2]


def test_params_quota_ratio_outstanding_applies_to_named_agencies():
    """Outstanding agencies use quota_ratio_outstanding (0.4 of 5 HTT = 2 allowed)."""
    entries = [QuotaEntry(str(i), Grade.HTT, "ubnd") for i in range(5)]
    report = check_quota(
        entries, Params(quota_ratio_outstanding="0.4"), outstanding_agencies={"ubnd"}
    )
    assert report.checks[0].allowed == 2


def test_params_display_places_and_rounding(golden_period):
    """One decimal place rounding down shows 78.625 as 78.6; the grade is unchanged."""
    p = Params(display_places=1, display_rounding="ROUND_DOWN")
    result = score_period(golden_period, p)
    assert str(result.total_display) == "78.6"
    assert result.grade is Grade.HTT


def test_params_unit_results_percents_are_data():
    """Unit results percents 90 / 40 replace 100 / 50."""
    p = Params(unit_results_all_pass=90, unit_results_any_fail=40)
    assert leader_unit_results([Grade.HTT], p) == 90
    assert leader_unit_results([Grade.HTT, Grade.KHTNV], p) == 40


def test_params_leader_criteria_above_cap_are_refused():
    """A leader criterion above the cap is invalid unless over-completion is allowed."""
    period = PeriodInput((WorkItem("X", 1, 1, 1),), (10, 10, 10), LeaderCriteria(110, 100))
    with pytest.raises(ScoringInputError) as info:
        score_period(period)
    assert info.value.field == "leader_criteria.unit_results"
    assert score_period(period, Params(allow_over_completion=True)).unit_results == 110
