"""Supplementary income schemes: Da Nang coefficients with floors, Hà Nội fund split, the cap."""

from decimal import Decimal

import pytest

from scoring import IncomePerson, ScoringInputError, compute_income

MILLION = Decimal(1_000_000)


def _amounts(result):
    return {p.person_id: p.amount for p in result.people}


def test_income_coefficient_salary_by_grade():
    """Salary 10M: HTXS 5M, HTT 3M, HTNV 1M, KHTNV nothing."""
    people = [IncomePerson(g, g, (10 * MILLION,)) for g in ("HTXS", "HTT", "HTNV", "KHTNV")]
    assert _amounts(compute_income(people)) == {
        "HTXS": 5 * MILLION,
        "HTT": 3 * MILLION,
        "HTNV": 1 * MILLION,
        "KHTNV": 0,
    }


def test_income_coefficient_salary_floors():
    """Salary 4M: HTT gets the 1.5M floor (not 1.2M), HTNV the 0.5M floor (not 0.4M)."""
    people = [
        IncomePerson("htt", "HTT", (4 * MILLION,)),
        IncomePerson("htnv", "HTNV", (4 * MILLION,)),
    ]
    assert _amounts(compute_income(people)) == {"htt": 1_500_000, "htnv": 500_000}


def test_income_highest_concurrent_post_counts():
    """With posts paid 6M and 9M, only 9M counts: HTXS gets 4.5M."""
    result = compute_income([IncomePerson("p", "HTXS", (6 * MILLION, 9 * MILLION))])
    assert result.people[0].amount == Decimal(4_500_000)
    assert result.people[0].explanation[0].inputs["base_salary"] == 9 * MILLION


def test_income_amounts_are_rounded_down_to_whole_vnd():
    """0.3 × 7,654,321.7 = 2,296,296.51 is paid as 2,296,296."""
    result = compute_income([IncomePerson("p", "HTT", (Decimal("7654321.7"),))])
    assert result.people[0].amount == 2_296_296


def test_income_cap_scales_down_proportionally():
    """Amounts 5M and 3M over a cap of 4M become 2.5M and 1.5M, with a cap step."""
    people = [IncomePerson("a", "HTXS", (10 * MILLION,)), IncomePerson("b", "HTT", (10 * MILLION,))]
    result = compute_income(people, settings={"cap": 4 * MILLION})
    assert result.scaled
    assert _amounts(result) == {"a": 2_500_000, "b": 1_500_000}
    assert result.total == 4 * MILLION
    assert result.explanation[-1].code == "cap"
    assert result.people[0].explanation[-1].code == "cap"


def test_income_cap_rounds_down_and_never_exceeds_cap():
    """Three equal amounts under a cap of 1,000,000 become 333,333 each, total below the cap."""
    people = [IncomePerson(str(i), "HTT", (10 * MILLION,)) for i in range(3)]
    result = compute_income(people, settings={"cap": 1_000_000})
    assert set(_amounts(result).values()) == {333_333}
    assert result.total <= 1_000_000


def test_income_cap_not_reached_changes_nothing():
    """Under the cap, amounts are unchanged and nothing is scaled."""
    result = compute_income(
        [IncomePerson("a", "HTT", (10 * MILLION,))], settings={"cap": 9 * MILLION}
    )
    assert not result.scaled and result.total == 3 * MILLION


def test_income_coefficients_are_settings():
    """A tenant can change the coefficients (HTXS 0.8)."""
    settings = {"coefficients": {"HTXS": "0.8", "HTT": "0.3", "HTNV": "0.1"}}
    result = compute_income([IncomePerson("a", "HTXS", (10 * MILLION,))], settings=settings)
    assert result.people[0].amount == 8 * MILLION


def test_income_fund_split_halves():
    """Fund 12M: 6M equally among 3 passing (2M), 6M among 2 good (3M); KHTNV nothing."""
    people = [
        IncomePerson("x", "HTXS"),
        IncomePerson("t", "HTT"),
        IncomePerson("n", "HTNV"),
        IncomePerson("k", "KHTNV"),
    ]
    result = compute_income(people, "fund_split", {"fund": 12 * MILLION})
    assert _amounts(result) == {"x": 5 * MILLION, "t": 5 * MILLION, "n": 2 * MILLION, "k": 0}


def test_income_fund_split_with_cap():
    """Fund 12M capped at 6M halves every amount."""
    people = [IncomePerson("x", "HTXS"), IncomePerson("n", "HTNV")]
    result = compute_income(people, "fund_split", {"fund": 12 * MILLION, "cap": 6 * MILLION})
    assert _amounts(result) == {"x": 4_500_000, "n": 1_500_000}


def test_income_unknown_scheme_is_refused():
    """An unknown scheme names income.scheme."""
    with pytest.raises(ScoringInputError) as info:
        compute_income([], "bonus_pool")
    assert info.value.field == "income.scheme"


def test_income_unknown_setting_is_refused():
    """An unknown setting is refused."""
    with pytest.raises(ScoringInputError) as info:
        compute_income([], settings={"ceiling": 1})
    assert info.value.field == "income.ceiling"


def test_income_negative_salary_is_refused():
    """A negative salary is refused."""
    with pytest.raises(ScoringInputError):
        IncomePerson("p", "HTT", (-1,))
