"""The HTXS quota: at most ratio × HTT per agency and per quota group; grades never change."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Grade, Params, QuotaEntry, check_quota, quota_allowed
from scoring.quota import must_lower


def _people(agency, group, htxs, htt, start=0):
    grades = [Grade.HTXS] * htxs + [Grade.HTT] * htt
    return [
        QuotaEntry(f"{agency}-{group}-{start + i}", g, agency, group) for i, g in enumerate(grades)
    ]


def test_quota_within_limit_has_no_violation():
    """2 HTXS with 10 HTT (allowed 2) is within the quota."""
    report = check_quota(_people("ubnd", None, 2, 10))
    assert report.violations == ()
    assert (report.checks[0].allowed, report.checks[0].allowed_after) == (2, 2)


def test_quota_agency_violation_reports_how_many_to_lower():
    """3 HTXS with 10 HTT: allowed 2, one must be lowered, candidates listed."""
    report = check_quota(_people("ubnd", None, 3, 10))
    (violation,) = report.violations
    assert (violation.scope, violation.agency, violation.group) == ("agency", "ubnd", None)
    assert (violation.htxs_count, violation.htt_count, violation.allowed) == (3, 10, 2)
    assert violation.must_lower == 1
    assert len(violation.htxs_person_ids) == 3


def test_quota_lowering_raises_the_allowance_10_htxs_20_htt_lower_5():
    """10 HTXS + 20 HTT: lowering 5 leaves 5 HTXS ≤ floor(0.2 × 25) = 5, so 5, not 6."""
    (check,) = check_quota(_people("ubnd", None, 10, 20)).checks
    assert (check.allowed, check.must_lower, check.allowed_after) == (4, 5, 5)


def test_quota_lowering_is_minimal_inside_a_quota_group():
    """A quota group of 10 HTXS + 20 HTT inside a larger agency also needs 5, not 6."""
    people = _people("ubnd", "g1", 10, 20) + _people("ubnd", "g2", 0, 100, start=100)
    report = check_quota(people)
    group = next(c for c in report.checks if c.scope == "quota_group" and c.group == "g1")
    assert (group.allowed, group.must_lower, group.allowed_after) == (4, 5, 5)
    agency = next(c for c in report.checks if c.scope == "agency")
    assert agency.ok  # 10 ≤ floor(0.2 × 120) = 24


def test_quota_explanation_shows_the_reasoning():
    """The step says why 5 suffice and 4 do not, with decimal commas."""
    report = check_quota(_people("ubnd", None, 10, 20))
    formula = report.explanation[0].formula
    assert (
        "hạ 5: HTXS còn 5, HTT thành 25, cho phép floor(0,2 × 25) = 5 → đạt; "
        "hạ 4: HTXS còn 6 > floor(0,2 × 24) = 4 → chưa đạt"
    ) in formula


def test_quota_ratio_zero_lowers_everyone_and_ends():
    """With a ratio of 0 the allowance stays 0: every HTXS must be lowered (the search ends)."""
    params = Params(quota_ratio=Decimal(0))
    (check,) = check_quota(_people("ubnd", None, 7, 3), params).checks
    assert (check.allowed, check.must_lower, check.allowed_after) == (0, 7, 0)


def test_quota_group_violation_inside_compliant_agency():
    """A quota group over its limit is reported even when the agency total is fine."""
    people = _people("ubnd", "g1", 2, 5) + _people("ubnd", "g2", 0, 10, start=100)
    report = check_quota(people)
    assert [(v.scope, v.group, v.allowed, v.must_lower) for v in report.violations] == [
        ("quota_group", "g1", 1, 1)
    ]


def test_quota_floor_rounding_is_default():
    """20% of 9 HTT is 1.8, floored to 1."""
    assert quota_allowed(9, Params()) == 1


def test_quota_allowance_is_exact():
    """ratio × n is exact: 0.3 × 10 is 3 under floor (no 2.9999… from binary or decimal drift)."""
    assert quota_allowed(10, Params(quota_ratio=Decimal("0.3"))) == 3


def test_quota_never_changes_grades():
    """The check only reports: the entries keep their grades."""
    people = _people("ubnd", None, 5, 1)
    check_quota(people)
    assert [p.grade for p in people] == [Grade.HTXS] * 5 + [Grade.HTT]


def test_quota_agencies_are_counted_separately():
    """Each agency is checked on its own people."""
    report = check_quota(_people("a", None, 1, 5) + _people("b", None, 1, 4))
    assert [(c.agency, c.allowed, c.must_lower) for c in report.checks] == [
        ("a", 1, 0),
        ("b", 0, 1),
    ]


def test_quota_explanation_names_each_scope():
    """The explanation has one step per scope checked."""
    report = check_quota(_people("ubnd", "g1", 1, 5))
    assert [s.code for s in report.explanation] == [
        "quota:agency:ubnd",
        "quota:quota_group:ubnd:g1",
    ]


def _reference_allowed(n: int, ratio: Fraction, rounding: str) -> int:
    """Independent allowance: integer arithmetic on numerator and denominator."""
    num, den = ratio.numerator * n, ratio.denominator
    if rounding == "floor":
        return num // den
    if rounding == "ceil":
        return -(-num // den)
    return (2 * num + den) // (2 * den)  # half_up of a non-negative value


@settings(max_examples=300, deadline=None)
@given(
    htxs=st.integers(0, 150),
    htt=st.integers(0, 400),
    hundredths=st.integers(0, 100),
    rounding=st.sampled_from(["floor", "ceil", "half_up"]),
)
def test_quota_must_lower_is_minimal(htxs, htt, hundredths, rounding):
    """must_lower = k satisfies HTXS − k ≤ allowed(HTT + k) and k − 1 does not (brute force)."""
    ratio = Fraction(hundredths, 100)
    params = Params(quota_ratio=Decimal(hundredths) / 100, quota_rounding=rounding)
    expected = next(
        k for k in range(htxs + 1) if htxs - k <= _reference_allowed(htt + k, ratio, rounding)
    )
    (check,) = check_quota(_people("ubnd", None, htxs, htt), params).checks or (None,)
    k = must_lower(htxs, htt, params, params.quota_ratio)
    assert k == expected
    assert htxs - k <= _reference_allowed(htt + k, ratio, rounding)
    assert k == 0 or htxs - (k - 1) > _reference_allowed(htt + k - 1, ratio, rounding)
    if check is not None:
        assert (check.must_lower, check.allowed_after) == (
            k,
            _reference_allowed(htt + k, ratio, rounding),
        )
        assert check.allowed == _reference_allowed(htt, ratio, rounding)
