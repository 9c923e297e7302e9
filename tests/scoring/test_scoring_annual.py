"""Annual classification: the average of periods actually worked, forced fail overriding."""

from decimal import Decimal

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
    assert result.average == Decimal("88.25")
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


def test_annual_grade_uses_unrounded_average():
    """An average of 89.995 displays 90.00 but stays HTT."""
    result = classify_year([PeriodTotal("2026-01", "89.99"), PeriodTotal("2026-02", 90)])
    assert (result.average, str(result.average_display)) == (Decimal("89.995"), "90.00")
    assert result.grade is Grade.HTT


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
