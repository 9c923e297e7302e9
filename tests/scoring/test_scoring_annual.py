"""Annual classification: the exact average of periods actually worked, forced fail overriding."""

from decimal import Decimal
from fractions import Fraction

import pytest

from scoring import Grade, PeriodTotal, ScoringInputError, classify_year


def test_annual_average_of_periods_worked():
    """Three months 78.625, 96.125, 90 average 88.25 → HTT."""
    result = classify_year(
        [
            PeriodTotal("2026-01", "78.625"),
            PeriodTotal("2026-02", "96.125"),
            PeriodTotal("2026-03", 90),
        ]
    )
    assert result.average == Fraction("88.25")
    assert isinstance(result.average, Fraction)
    assert result.period_count == 3
    assert result.grade is Grade.HTT


def test_annual_transferred_periods_count_like_others():
    """A month transferred in from another unit counts in the average and is labelled."""
    result = classify_year(
        [PeriodTotal("2026-01", 92, source_unit="Phường Hạc Thành"), PeriodTotal("2026-02", 88)]
    )
    assert result.average == 90
    assert result.grade is Grade.HTXS
    assert "Phường Hạc Thành" in result.explanation[0].label


def test_annual_grade_uses_exact_average_and_guarded_display():
    """An average of 89.995 is HTT and is shown 89.99, never 90.00 beside HTT."""
    result = classify_year([PeriodTotal("2026-01", "89.99"), PeriodTotal("2026-02", 90)])
    assert result.average == Fraction("89.995")
    assert str(result.average_display) == "89.99"
    assert result.grade is Grade.HTT


def test_annual_two_periods_at_exactly_70_are_htt():
    """Two periods of exactly 70 (one given as the exact "490/7") average 70 → HTT."""
    result = classify_year([PeriodTotal("2026-01", "490/7"), PeriodTotal("2026-02", 70)])
    assert result.average == 70
    assert (str(result.average_stored), str(result.average_display)) == ("70.000000", "70.00")
    assert result.grade is Grade.HTT


def test_annual_exact_period_totals_average_exactly():
    """209/3 and 211/3 average exactly 70 → HTT; their 6-place values would give 69.9999995."""
    result = classify_year([PeriodTotal("2026-01", "209/3"), PeriodTotal("2026-02", "211/3")])
    assert result.average == 70
    assert result.grade is Grade.HTT


def test_annual_stored_period_cannot_sneak_up_to_a_threshold():
    """A period stored as 69.999999 beside one of 70 averages below 70 → HTNV, shown 69.99."""
    result = classify_year([PeriodTotal("2026-01", "69.999999"), PeriodTotal("2026-02", 70)])
    assert result.average == Fraction("69.9999995")
    assert result.grade is Grade.HTNV
    assert str(result.average_display) == "69.99"


def test_annual_average_stored_is_floored_to_six_places():
    """70, 70 and 71 average 211/3, stored 70.333333 (floored) and shown 70.33."""
    result = classify_year(
        [PeriodTotal("2026-01", 70), PeriodTotal("2026-02", 70), PeriodTotal("2026-03", 71)]
    )
    assert result.average == Fraction(211, 3)
    assert (result.average_stored, result.average_display) == (
        Decimal("70.333333"),
        Decimal("70.33"),
    )


def test_annual_explanation_uses_display_precision_and_decimal_comma():
    """The average step reads "(78,63 + 96,13) / 2 ≈ 87,38", not 87.375."""
    result = classify_year([PeriodTotal("2026-01", "78.625"), PeriodTotal("2026-02", "96.125")])
    average = next(s for s in result.explanation if s.code == "average")
    assert average.formula == "(78,63 + 96,13) / 2 ≈ 87,38"
    assert result.explanation[0].formula == "Tổng điểm của kỳ: 78,63"


def test_annual_forced_fail_in_a_period_overrides():
    """A forced fail recorded on one month makes the year KHTNV."""
    result = classify_year(
        [PeriodTotal("2026-01", 95), PeriodTotal("2026-02", 95, forced_fail="discipline")]
    )
    assert result.grade is Grade.KHTNV
    assert result.forced_fail == "discipline"


def test_annual_forced_fail_argument_overrides():
    """A forced fail decided for the year makes it KHTNV."""
    result = classify_year([PeriodTotal("2026-01", 95)], forced_fail="degradation")
    assert result.grade is Grade.KHTNV


def test_annual_leader_corruption_fails_someone_no_longer_a_leader():
    """A leaders-only reason for a person who left the post still forces KHTNV, not refused."""
    result = classify_year([PeriodTotal("2026-01", 95)], forced_fail="leader_corruption")
    assert (result.grade, result.forced_fail) == (Grade.KHTNV, "leader_corruption")
    assert "không còn giữ chức vụ" in result.explanation[-1].formula


def test_annual_leader_corruption_on_a_period_of_a_non_leader_fails_the_year():
    """A leaders-only reason recorded on a period of a non-leader fails the year too."""
    result = classify_year(
        [PeriodTotal("2026-01", 95, forced_fail="leader_corruption"), PeriodTotal("2026-02", 95)]
    )
    assert result.grade is Grade.KHTNV


def test_annual_unknown_forced_fail_is_refused():
    """An unknown forced-fail code is refused, naming the field."""
    with pytest.raises(ScoringInputError) as info:
        classify_year([PeriodTotal("2026-01", 95)], forced_fail="lazy")
    assert info.value.field == "forced_fail"


def test_annual_without_periods_is_refused():
    """A year with no period worked cannot be classified."""
    with pytest.raises(ScoringInputError) as info:
        classify_year([])
    assert info.value.field == "periods"


def test_annual_total_above_100_is_refused():
    """A period total above 100 is invalid without over-completion."""
    with pytest.raises(ScoringInputError) as info:
        classify_year([PeriodTotal("2026-01", 101)])
    assert info.value.field == "periods[0].total"


def test_annual_malformed_exact_total_is_refused():
    """A total that is not a number or a ratio ("490/0", "abc") is refused, naming the period."""
    for text in ("490/0", "abc", "1/2/3"):
        with pytest.raises(ScoringInputError) as info:
            PeriodTotal("2026-01", text)
        assert info.value.field == "periods[2026-01].total"
