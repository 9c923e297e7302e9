"""The worked check of DOMAIN.md, to the last decimal."""

from dataclasses import replace
from decimal import Decimal

from scoring import Grade, score_period


def test_golden_month_matches_domain_to_the_last_decimal(golden_period):
    """T3 not done: a 75, b 73.75, c 72.5, task 73.75 → 51.625 points, total 78.625, HTT."""
    result = score_period(golden_period)
    assert result.a == Decimal("75")
    assert result.b == Decimal("73.75")
    assert result.c == Decimal("72.5")
    assert result.task_score == Decimal("73.75")
    assert result.task_points == Decimal("51.625")
    assert result.general_points == Decimal("27")
    assert result.total == Decimal("78.625")
    assert str(result.total_display) == "78.63"
    assert result.grade is Grade.HTT


def test_golden_month_with_t3_done_is_htxs(golden_period):
    """T3 done on time: a 100, b 98.75, c 97.5, total 96.125, HTXS."""
    t1, t2, t3 = golden_period.items
    period = replace(golden_period, items=(t1, t2, replace(t3, completed=Decimal(1))))
    result = score_period(period)
    assert (result.a, result.b, result.c) == (Decimal(100), Decimal("98.75"), Decimal("97.5"))
    assert result.task_score == Decimal("98.75")
    assert result.task_points == Decimal("69.125")
    assert result.total == Decimal("96.125")
    assert result.grade is Grade.HTXS


def test_golden_month_results_are_exact_and_print_plainly(golden_period):
    """Results are exact rationals; stored and JSON forms print without noise (78.625)."""
    from fractions import Fraction

    from scoring import result_to_dict

    result = score_period(golden_period)
    assert (result.a, result.c, result.total) == (75, Fraction(145, 2), Fraction(629, 8))
    data = result_to_dict(result)
    assert [data[k] for k in ("a", "c", "total")] == ["75", "72.5", "78.625"]
    assert str(result.total_stored) == "78.625000"


def test_golden_month_explanation_is_ordered(golden_period):
    """The explanation lists items, then a, b, c, task score, task points, general, total, grade."""
    codes = [step.code for step in score_period(golden_period).explanation]
    assert codes == [
        "item:T1",
        "item:T2",
        "item:T3",
        "a",
        "b",
        "c",
        "task_score",
        "task_points",
        "general_points",
        "total",
        "grade",
    ]


def test_golden_month_explanation_carries_results(golden_period):
    """Each step's result is the value it explains (b step → 73.75, grade step → HTT)."""
    steps = {step.code: step for step in score_period(golden_period).explanation}
    assert steps["b"].result == Decimal("73.75")
    assert steps["item:T1"].inputs["quality_units"] == Decimal("9.75")
    assert steps["grade"].result == "HTT"


def test_golden_month_forced_fail_overrides_grade(golden_period):
    """A forced-fail reason gives KHTNV even with T3 done and a total of 96.125."""
    t1, t2, t3 = golden_period.items
    period = replace(
        golden_period, items=(t1, t2, replace(t3, completed=Decimal(1))), forced_fail="discipline"
    )
    result = score_period(period)
    assert result.total == Decimal("96.125")
    assert result.grade is Grade.KHTNV
    assert result.forced_fail == "discipline"
