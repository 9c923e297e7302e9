"""Grade boundaries: thresholds are inclusive lower bounds on the unrounded total."""

from decimal import Decimal

import pytest

from scoring import Grade, Params, PeriodInput, WorkItem, grade_for_total, score_period


def _period(done: int, general: tuple) -> PeriodInput:
    """Ten units assigned, ``done`` completed cleanly (a = b = c = 10 × done)."""
    return PeriodInput(items=(WorkItem("X", 10, 1, done),), general=general)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("49.995", Grade.KHTNV),
        ("50", Grade.HTNV),
        ("69.995", Grade.HTNV),
        ("70", Grade.HTT),
        ("89.995", Grade.HTT),
        ("90", Grade.HTXS),
        ("90.000", Grade.HTXS),
    ],
)
def test_grade_for_total_boundaries(total, grade):
    """Each boundary total maps to its grade; the lower bound is inclusive."""
    assert grade_for_total(Decimal(total), Params()) is grade


@pytest.mark.parametrize(
    ("done", "general", "total", "display", "grade"),
    [
        (4, ("10", "10", "1.995"), "49.995", "49.99", Grade.KHTNV),
        (4, ("10", "10", "2"), "50", "50.00", Grade.HTNV),
        (6, ("10", "10", "7.995"), "69.995", "69.99", Grade.HTNV),
        (6, ("10", "10", "8"), "70", "70.00", Grade.HTT),
        (10, ("10", "9.995", "0"), "89.995", "89.99", Grade.HTT),
        (10, ("10", "10", "0"), "90", "90.00", Grade.HTXS),
    ],
)
def test_period_boundaries_grade_on_unrounded_total(done, general, total, display, grade):
    """A period totalling exactly the boundary case gets the grade of the unrounded total."""
    result = score_period(_period(done, general))
    assert result.total == Decimal(total)
    assert str(result.total_display) == display
    assert result.grade is grade


def test_period_89_995_is_htt_and_never_displays_90():
    """89.995 stays HTT, and is shown 89.99: a display never reaches a threshold it misses."""
    result = score_period(_period(10, ("10", "9.995", "0")))
    assert result.grade is Grade.HTT
    assert str(result.total_display) == "89.99"


def test_period_89_994_rounds_half_up_when_no_threshold_is_crossed():
    """Away from a threshold the display rule is plain half-up (89.985 → 89.99)."""
    result = score_period(_period(10, ("10", "9.985", "0")))
    assert str(result.total_display) == "89.99"
