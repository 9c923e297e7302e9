"""Income as the schemes pay it: monthly determinations, concurrent posts, missing salaries,
partial coefficient overrides, one rounding."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import IncomeMonth, IncomePerson, ScoringInputError, compute_income
from scoring.income import DEFAULT_COEFFICIENTS, CoefficientSalarySettings

MILLION = Decimal(1_000_000)


def test_income_quarter_sums_three_monthly_determinations():
    """HTT in a quarter on 10M, 10M then 12M (a raise in the third month): 3M + 3M + 3.6M =
    9.6M paid, not one month's 3M; each month is kept."""
    months = (
        IncomeMonth("2026-01", "HTT", 10 * MILLION),
        IncomeMonth("2026-02", "HTT", 10 * MILLION),
        IncomeMonth("2026-03", "HTT", 12 * MILLION),
    )
    paid = compute_income([IncomePerson("p", "HTT", months=months)]).people[0]
    assert paid.amount == Decimal(9_600_000)
    assert [m.amount for m in paid.months] == [3 * MILLION, 3 * MILLION, Decimal(3_600_000)]
    assert paid.explanation[-1].code == "income_total"


def test_income_floor_applies_to_each_month():
    """HTT on 4M for three months: each month is raised to the 1.5M floor, 4.5M in all."""
    months = tuple(IncomeMonth(f"2026-0{m}", "HTT", 4 * MILLION) for m in (4, 5, 6))
    assert compute_income([IncomePerson("p", "HTT", months=months)]).total == 4_500_000


def test_income_each_month_has_its_own_grade():
    """Monthly grades HTXS, HTT, KHTNV on 10M paid quarterly: 5M + 3M + 0 = 8M."""
    months = (
        IncomeMonth("2026-01", "HTXS", 10 * MILLION),
        IncomeMonth("2026-02", "HTT", 10 * MILLION),
        IncomeMonth("2026-03", "KHTNV", 10 * MILLION),
    )
    assert compute_income([IncomePerson("p", "HTT", months=months)]).total == 8 * MILLION


def test_income_missing_salary_is_refused_not_the_floor():
    """HTT with no salary on record gets nothing (not the 1.5M floor), and the month is named."""
    paid = compute_income([IncomePerson("p", "HTT")]).people[0]
    assert paid.amount == 0
    assert paid.missing_salary_months == ("",)
    assert "chưa có tiền lương" in paid.explanation[0].formula


def test_income_missing_salary_in_one_month_only():
    """Salary recorded from February only: January is refused, February and March paid 3M each."""
    months = (
        IncomeMonth("2026-01", "HTT", None),
        IncomeMonth("2026-02", "HTT", 10 * MILLION),
        IncomeMonth("2026-03", "HTT", 10 * MILLION),
    )
    paid = compute_income([IncomePerson("p", "HTT", months=months)]).people[0]
    assert paid.amount == 6 * MILLION
    assert paid.missing_salary_months == ("2026-01",)


def test_income_fail_without_salary_is_not_listed_as_missing():
    """KHTNV earns nothing anyway, so a missing salary is not a refusal."""
    paid = compute_income([IncomePerson("p", "KHTNV")]).people[0]
    assert paid.amount == 0 and paid.missing_salary_months == ()


def test_income_highest_concurrent_post_counts_by_default():
    """Main post 6M and a concurrent post 9M: HTXS is paid on 9M, 4.5M."""
    month = IncomeMonth("2026-01", "HTXS", 6 * MILLION, (9 * MILLION,))
    assert compute_income([IncomePerson("p", "HTXS", months=(month,))]).total == 4_500_000


def test_income_concurrent_posts_main_only_setting():
    """With concurrent_posts = main the concurrent 9M is ignored: 0.5 × 6M = 3M."""
    month = IncomeMonth("2026-01", "HTXS", 6 * MILLION, (9 * MILLION,))
    result = compute_income(
        [IncomePerson("p", "HTXS", months=(month,))], settings={"concurrent_posts": "main"}
    )
    assert result.total == 3 * MILLION


def test_income_concurrent_post_only_still_pays_on_it():
    """No main salary on record but a concurrent post at 9M (highest rule): 0.3 × 9M = 2.7M."""
    month = IncomeMonth("2026-01", "HTT", None, (9 * MILLION,))
    assert compute_income([IncomePerson("p", "HTT", months=(month,))]).total == 2_700_000


def test_income_partial_override_keeps_other_coefficients():
    """Overriding HTXS to 0.8 keeps HTT 0.3 and HTNV 0.1 (before: both became 0)."""
    people = [IncomePerson(g, g, (10 * MILLION,)) for g in ("HTXS", "HTT", "HTNV")]
    result = compute_income(people, settings={"coefficients": {"HTXS": "0.8"}})
    assert {p.person_id: p.amount for p in result.people} == {
        "HTXS": 8 * MILLION,
        "HTT": 3 * MILLION,
        "HTNV": 1 * MILLION,
    }


@given(
    st.dictionaries(
        st.sampled_from(["HTXS", "HTT", "HTNV", "KHTNV"]),
        st.decimals(min_value=0, max_value=2, places=2),
        max_size=3,
    )
)
def test_income_partial_override_never_changes_other_grades(override):
    """Property: any partial override leaves every grade it does not name at its default."""
    settings = CoefficientSalarySettings(coefficients=override)
    for grade, value in DEFAULT_COEFFICIENTS.items():
        if grade not in override:
            assert settings.coefficients[grade] == value
    for grade, value in override.items():
        assert settings.coefficients[grade] == value


def test_income_rounded_once_after_summing_months():
    """0.3 × 3,333,333.5 = 1,000,000.05 a month with a floor of 0: three months are
    3,000,000.15 paid 3,000,000; rounding each month first would agree here, but
    0.1 × 5,000,005 = 500,000.5 over two months is 1,000,001 once, not 1,000,000."""
    months = tuple(IncomeMonth(f"2026-0{m}", "HTNV", Decimal(5_000_005)) for m in (1, 2))
    result = compute_income([IncomePerson("p", "HTNV", months=months)])
    assert result.total == 1_000_001


def test_income_round_to_setting():
    """round_to 1,000: 0.3 × 7,654,321 = 2,296,296.3 is paid 2,296,000."""
    result = compute_income(
        [IncomePerson("p", "HTT", (Decimal(7_654_321),))], settings={"round_to": 1000}
    )
    assert result.total == 2_296_000


@pytest.mark.parametrize(
    ("name", "value"), [("payment", "weekly"), ("concurrent_posts", "sum"), ("round_to", 0)]
)
def test_income_invalid_new_settings_are_refused(name, value):
    """An unknown payment, concurrent-post rule or a zero rounding unit is refused."""
    with pytest.raises(ScoringInputError) as info:
        compute_income([], settings={name: value})
    assert info.value.field == f"income.{name}"
