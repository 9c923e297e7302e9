"""Decree 90/2020 as amended by Decree 48/2023: public employees' HTXS share is at most the unit's
Party-member HTXS share (``nd90_htxs_share_limit``). Golden cases by hand, then properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from scoring import Grade, Params, QuotaEntry, check_htxs_share


def _people(*grades):
    return [QuotaEntry(f"p{i}", g, "phuong-a") for i, g in enumerate(grades)]


def test_share_over_the_limit_names_who_to_lower():
    """Limit 25 %, 10 classified (4 HTXS, 5 HTT, 1 HTNV): floor(0.25 × 10) = 2 allowed →
    lower at least 2; lowering does not change the 10, so 2 stay allowed."""
    check, step = check_htxs_share(
        _people(*["HTXS"] * 4, *["HTT"] * 5, "HTNV"), Params(nd90_htxs_share_limit="0.25")
    )
    assert (check.scope, check.htxs_count, check.htt_count) == ("htxs_share", 4, 5)
    assert (check.allowed, check.must_lower, check.allowed_after) == (2, 2, 2)
    assert check.htxs_person_ids == ("p0", "p1", "p2", "p3") and not check.ok
    assert step.formula == (
        "HTXS 4 ≤ floor(0,25 × 10 người được xếp loại) = 2? → vượt, cần hạ ít nhất 2 người "
        "(có ghi lý do)"
    )


def test_share_within_the_limit_and_floored():
    """Limit 30 %, 7 classified: floor(2.1) = 2; 2 HTXS → within."""
    check, step = check_htxs_share(
        _people("HTXS", "HTXS", *["HTT"] * 5), Params(nd90_htxs_share_limit="0.3")
    )
    assert (check.allowed, check.must_lower) == (2, 0) and check.ok
    assert step.formula.endswith("→ đạt")


def test_no_limit_no_check():
    assert check_htxs_share(_people("HTXS"), Params()) is None


@given(
    st.lists(st.sampled_from(list(Grade)), max_size=60),
    st.integers(0, 100).map(lambda n: Decimal(n) / 100),
)
def test_share_properties(grades, limit):
    """allowed = floor(limit × classified) exactly; lowering ``must_lower`` HTXS satisfies the
    limit and lowering one fewer does not."""
    check, _step = check_htxs_share(_people(*grades), Params(nd90_htxs_share_limit=limit))
    n = len(grades)
    assert check.allowed <= Fraction(limit) * n < check.allowed + 1
    htxs = sum(g is Grade.HTXS for g in grades)
    assert htxs - check.must_lower <= check.allowed
    if check.must_lower:
        assert htxs - (check.must_lower - 1) > check.allowed
