"""Annual classification: the exact average of the period totals actually worked, and its grade."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from scoring.errors import ScoringInputError
from scoring.explain import Explanation, ExplanationStep
from scoring.grading import check_forced_fail, classify
from scoring.numbers import MAX_POINTS, fixed, stored, to_fraction
from scoring.params import Params
from scoring.types import Grade


@dataclass(frozen=True)
class PeriodTotal:
    """One period worked and its total; ``source_unit`` names the unit a result came from.

    ``total`` may be a Fraction, a Decimal, an int or a string (``"70.5"``, or the exact
    ``"490/7"``); it is kept as an exact Fraction.
    """

    label: str
    total: Fraction
    source_unit: str | None = None
    forced_fail: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", to_fraction(self.total, f"periods[{self.label}].total"))


@dataclass(frozen=True)
class AnnualResult:
    """The year's classification.

    ``average`` is the exact mean of the exact period totals and decides ``grade``;
    ``average_display`` is rounded for display (never shown at a threshold the average misses);
    ``average_stored`` is floored to 6 places for storage, so it never disagrees with the grade.
    """

    average: Fraction
    average_display: Decimal
    average_stored: Decimal
    grade: Grade
    period_count: int
    forced_fail: str | None
    explanation: Explanation = field(default=(), hash=False)


def classify_year(
    periods: Iterable[PeriodTotal],
    params: Params | None = None,
    *,
    forced_fail: str | None = None,
    leader: bool = False,
) -> AnnualResult:
    """Return the annual classification from the periods actually worked.

    The grade comes from the exact average; a forced fail passed here or recorded on any period
    gives KHTNV. A reason for leaders only (corruption or waste in a unit they ran) is applied
    whether or not the person still holds a leader post: it concerns a unit they ran in the year.
    Raises ScoringInputError when no period is given, a total is outside 0–100 (0–1000 with
    over-completion) or a forced-fail code is unknown.
    """
    params = params or Params()
    periods = tuple(periods)
    if not periods:
        raise ScoringInputError("periods", "Cần ít nhất một kỳ đánh giá đã công tác trong năm.")
    check_forced_fail(forced_fail, params, field="forced_fail")
    high = 100 if params.effective_cap is not None else MAX_POINTS
    places = params.display_places
    steps = []
    for i, period in enumerate(periods):
        if not 0 <= period.total <= high:
            raise ScoringInputError(
                f"periods[{i}].total", f"Tổng điểm của kỳ phải trong khoảng 0 đến {high}."
            )
        check_forced_fail(period.forced_fail, params, field=f"periods[{i}].forced_fail")
        source = f" (chuyển từ {period.source_unit})" if period.source_unit else ""
        formula = f"Tổng điểm của kỳ: {_score(period.total, params)}"
        if period.forced_fail:
            formula += f"; có quyết định buộc KHTNV: {_reason_label(period.forced_fail, params)}"
        steps.append(
            ExplanationStep(
                f"period:{period.label}",
                f"Kỳ {period.label}{source}",
                {
                    "total": period.total,
                    "source_unit": period.source_unit,
                    "forced_fail": period.forced_fail,
                },
                formula,
                period.total,
            )
        )
    count = len(periods)
    average = sum((p.total for p in periods), Fraction(0)) / count
    average_display = params.display_value(average)
    terms = " + ".join(_score(p.total, params) for p in periods)
    relation = "=" if Fraction(average_display) == average else "≈"
    steps.append(
        ExplanationStep(
            "average",
            "Điểm bình quân các kỳ đã công tác",
            {"period_count": count},
            f"({terms}) / {count} {relation} {fixed(average_display, places)}",
            average,
        )
    )
    effective = forced_fail or next((p.forced_fail for p in periods if p.forced_fail), None)
    grade, grade_step = classify(average, params, effective)
    reason = params.forced_fail_reason(effective) if effective else None
    if reason is not None and reason.leaders_only and not leader:
        grade_step = dataclasses.replace(
            grade_step,
            formula=grade_step.formula
            + "; áp dụng cả khi người này không còn giữ chức vụ lãnh đạo, quản lý"
            " (vi phạm xảy ra ở đơn vị do người này phụ trách trong năm)",
        )
    steps.append(grade_step)
    return AnnualResult(
        average, average_display, stored(average), grade, count, effective, tuple(steps)
    )


def _score(value: Fraction, params: Params) -> str:
    """Return a score as people read it: display precision, decimal comma, threshold-guarded."""
    return fixed(params.display_value(value), params.display_places)


def _reason_label(code: str, params: Params) -> str:
    reason = params.forced_fail_reason(code)
    return reason.label if reason else code
