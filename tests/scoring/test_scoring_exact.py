"""Exact arithmetic: the grade is decided on the exact total, against an independent reference."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Grade, LeaderCriteria, Params, PeriodInput, WorkItem, score_period
from scoring.numbers import stored


def _one_item(assigned, done, general=(10, 10, 10)) -> PeriodInput:
    return PeriodInput(items=(WorkItem("T", assigned, 1, done),), general=general)


def test_exact_four_of_seven_is_seventy_and_htt():
    """4 of 7 done + 30 general is exactly 70 → HTT (it was 69.999… and HTNV)."""
    result = score_period(_one_item(7, 4))
    assert result.total == 70
    assert result.grade is Grade.HTT
    assert (str(result.total_stored), str(result.total_display)) == ("70.000000", "70.00")


def test_exact_two_of_seven_is_fifty_and_htnv():
    """2 of 7 done + 30 general: 30 + 0.7 × 200/7 is exactly 50 → HTNV."""
    result = score_period(_one_item(7, 2))
    assert (result.total, result.grade) == (50, Grade.HTNV)


def test_exact_six_of_seven_is_ninety_and_htxs():
    """6 of 7 done + 30 general: 30 + 0.7 × 600/7 is exactly 90 → HTXS."""
    result = score_period(_one_item(7, 6))
    assert (result.total, result.grade) == (90, Grade.HTXS)


def test_exact_thirds_land_on_the_threshold():
    """Thirds that add up to a whole: a = 1/3 × 100 three ways still totals exactly."""
    items = (
        WorkItem("A", 3, 1, 1),
        WorkItem("B", 3, 1, 3, major_errors=4, exempt_errors=0),
    )
    result = score_period(PeriodInput(items=items, general=(10, 10, 10)))
    reference = _reference(items, (10, 10, 10), Params())
    assert result.total == reference


def test_exact_stored_total_never_rounds_up_across_a_threshold():
    """A total just under 70 is stored floored (69.999999), never as 70.000000."""
    just_under = Fraction(70) - Fraction(1, 10**9)
    assert str(stored(just_under)) == "69.999999"


def test_exact_explanation_says_the_comparison_is_exact():
    """The grade step of 4 of 7 names HTT as reached and shows 70,00."""
    step = score_period(_one_item(7, 4)).explanation[-1]
    assert step.result == "HTT"
    assert "70,00 → HTT" in step.formula
    assert "đạt ngưỡng HTT 70" in step.formula


def test_exact_explanation_shows_exemptions_in_the_formula():
    """An exempted error appears in the quality formula as '(2 lỗi − 1 được miễn trừ)'."""
    item = WorkItem("T", 4, 1, 4, major_errors=2, exempt_errors=1)
    step = score_period(PeriodInput(items=(item,), general=(10, 10, 10))).explanation[0]
    assert "(2 lỗi − 1 được miễn trừ)" in step.formula
    assert "= 3,75" in step.formula


def test_exact_leader_step_shows_its_real_inputs():
    """The leader step says how many subordinates reached HTNV and that some are pending."""
    leader = LeaderCriteria(50, 80, team_size=5, team_passing=3, team_pending=1)
    result = score_period(PeriodInput((WorkItem("T", 1, 1, 1),), (10, 10, 10), leader))
    step = next(s for s in result.explanation if s.code == "leader_criteria")
    assert "3 / 5 cấp dưới đạt HTNV trở lên" in step.formula
    assert "1 cấp dưới chưa có điểm" in step.formula
    assert result.provisional


# An independent reference, written from DOMAIN.md's rules with Fractions only.


def _reference(items, general, params: Params) -> Fraction:
    rate_e, rate_d = Fraction(params.error_deduction), Fraction(params.delay_deduction)
    assigned = done = quality = on_time = Fraction(0)
    for item in items:
        k = Fraction(item.coefficient)
        units = Fraction(item.completed) * k
        assigned += Fraction(item.assigned) * k
        done += units
        quality += max(Fraction(0), units - rate_e * k * (item.major_errors - item.exempt_errors))
        on_time += max(Fraction(0), units - rate_d * k * (item.delays - item.exempt_delays))
    cap = Fraction(params.criterion_cap)
    a, b, c = (min(cap, x / assigned * 100) for x in (done, quality, on_time))
    task = (a + b + c) / 3
    return sum(Fraction(p) for p in general) + task * Fraction(params.task_weight) / 100


def _reference_grade(total: Fraction) -> Grade:
    if total >= 90:
        return Grade.HTXS
    if total >= 70:
        return Grade.HTT
    if total >= 50:
        return Grade.HTNV
    return Grade.KHTNV


coefficients = st.decimals(min_value="0.000001", max_value="1000", places=6)
quantities = st.decimals(min_value="0", max_value="1000000", places=6)


@st.composite
def items(draw, code="X"):
    """A valid item with any coefficient and quantity of at most 6 decimals."""
    assigned = draw(quantities.filter(lambda q: q > 0))
    completed = draw(st.decimals(min_value=0, max_value=assigned, places=6))
    limit = int(4 * completed)
    errors = draw(st.integers(min_value=0, max_value=min(limit, 50)))
    delays = draw(st.integers(min_value=0, max_value=min(limit, 50)))
    return WorkItem(
        code,
        assigned,
        draw(coefficients),
        completed,
        major_errors=errors,
        delays=delays,
        exempt_errors=draw(st.integers(min_value=0, max_value=errors)),
        exempt_delays=draw(st.integers(min_value=0, max_value=delays)),
    )


general_points = st.decimals(min_value=0, max_value=10, places=6)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(items(), min_size=1, max_size=8).map(
        lambda xs: tuple(WorkItem(f"T{i}", *_fields(x)) for i, x in enumerate(xs))
    ),
    st.tuples(general_points, general_points, general_points),
)
def test_exact_engine_matches_the_reference(work, general):
    """For any valid input, total and grade equal the independent exact reference."""
    result = score_period(PeriodInput(items=work, general=general))
    reference = _reference(work, general, Params())
    assert result.total == reference
    assert result.grade is _reference_grade(reference)
    assert (
        Fraction(result.total_stored)
        <= reference
        < Fraction(result.total_stored) + Fraction(1, 10**6)
    )


def _fields(item: WorkItem) -> tuple:
    return (
        item.assigned,
        item.coefficient,
        item.completed,
        item.major_errors,
        item.delays,
        item.exempt_errors,
        item.exempt_delays,
    )


# Totals constructed to land exactly on 50, 70 and 90 with task points that are not decimals
# until the very end (sevenths, thirds, elevenths of a converted unit).


def _on_threshold(threshold: int, assigned: int) -> list[int]:
    """The numbers done of ``assigned`` whose task points leave general points of 0 to 30 with
    at most 6 decimals that add up to exactly ``threshold``."""
    done = []
    for d in range(assigned + 1):
        general_total = threshold - Fraction(70 * d, assigned)
        if 0 <= general_total <= 30 and (general_total * 10**6).denominator == 1:
            done.append(d)
    return done


# Every (threshold, assigned, done) case, enumerated: filtering random draws discarded most of them
# (no k of 3 done lands on 50 with general points of 6 decimals) and tripped Hypothesis' health
# check; the cases are few enough (155) to run them all.
ON_THRESHOLD = [
    (threshold, assigned, d)
    for threshold in (50, 70, 90)
    for assigned in (7, 14, 35, 70, 3, 6, 11, 21)
    for d in _on_threshold(threshold, assigned)
]


@pytest.mark.parametrize(("threshold", "assigned", "done"), ON_THRESHOLD)
def test_exact_totals_on_thresholds_get_the_higher_grade(threshold, assigned, done):
    """A total built to equal 50, 70 or 90 exactly gets that threshold's grade, never below."""
    task_points = Fraction(70 * done, assigned)
    general_total = threshold - task_points
    first = min(Fraction(10), general_total)
    second = min(Fraction(10), general_total - first)
    third = general_total - first - second
    general = tuple(Decimal(x.numerator) / Decimal(x.denominator) for x in (first, second, third))
    result = score_period(_one_item(assigned, done, general))
    assert result.total == threshold
    assert result.grade is _reference_grade(Fraction(threshold))
    assert str(result.total_display) == f"{threshold}.00"


@pytest.mark.parametrize("assigned", [3, 7, 9, 11, 13])
def test_exact_every_fraction_of_a_full_general_score(assigned):
    """Each k of n done with 30 general points equals 30 + 70k/n exactly, graded by it."""
    for done in range(assigned + 1):
        result = score_period(_one_item(assigned, done))
        expected = 30 + Fraction(70 * done, assigned)
        assert result.total == expected
        assert result.grade is _reference_grade(expected)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(items(), min_size=1, max_size=6).map(
        lambda xs: tuple(WorkItem(f"T{i}", *_fields(x)) for i, x in enumerate(xs))
    ),
    st.tuples(general_points, general_points, general_points),
)
def test_exact_bulk_rows_score_like_the_period_input(work, general):
    """score_rows on plain rows gives score_period's result on WorkItems, explanation too."""
    from scoring import score_rows

    rows = [(w.code, *_fields(w)) for w in work]
    fast = score_rows(rows, general)
    full = score_period(PeriodInput(items=work, general=general))
    assert (fast.total, fast.grade, fast.a, fast.b, fast.c) == (
        full.total,
        full.grade,
        full.a,
        full.b,
        full.c,
    )
    assert fast.explanation == full.explanation


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (("T", Decimal(-1), Decimal(1), Decimal(0), 0, 0, 0, 0), "items[T].assigned"),
        (("T", Decimal(2), Decimal(0), Decimal(1), 0, 0, 0, 0), "items[T].coefficient"),
        (("T", Decimal("1.0000001"), Decimal(1), Decimal(1), 0, 0, 0, 0), "items[T].assigned"),
        (("T", Decimal(1), Decimal(1), Decimal(2), 0, 0, 0, 0), "items[0].completed"),
        (("T", Decimal(1), Decimal(1), Decimal(1), 5, 0, 0, 0), "items[0].major_errors"),
        (("T", Decimal(1), Decimal(1), Decimal(1), 1, 0, 2, 0), "items[0].exempt_errors"),
    ],
)
def test_exact_bulk_rows_refuse_like_the_period_input(row, field):
    """score_rows refuses what score_period refuses, naming the same field."""
    from scoring import ScoringInputError, score_rows

    with pytest.raises(ScoringInputError) as info:
        score_rows([row], (10, 10, 10))
    assert info.value.field == field


def test_exact_tiny_decimal_is_refused_not_rounded_to_zero():
    """1e-999999999 has more than 6 decimals: refused, never taken as 0 by underflow."""
    from scoring import ScoringInputError, score_rows

    with pytest.raises(ScoringInputError):
        WorkItem("T", 10, 1, Decimal("1e-999999999"))
    with pytest.raises(ScoringInputError):
        score_rows([("T", Decimal(10), Decimal(1), Decimal("1e-999999999"), 0, 0, 0, 0)], (1, 1, 1))
