"""Annual classification: the average of the period totals actually worked, and the year's grade."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from scoring.errors import ScoringInputError
from scoring.explain import Explanation, ExplanationStep
from scoring.grading import check_forced_fail, classify
from scoring.numbers import DECIMAL_CONTEXT, ZERO, clean, to_decimal
from scoring.params import Params
from scoring.types import Grade


@dataclass(frozen=True)
class PeriodTotal:
    """One period worked and its total; ``source_unit`` names the unit a result came from."""

    label: str
    total: Decimal
    source_unit: str | None = None
    forced_fail: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", to_decimal(self.total, f"periods[{self.label}].total"))


@dataclass(frozen=True)
class AnnualResult:
    """The year's classification: exact average, its display value, grade and explanation."""

    average: Decimal
    average_display: Decimal
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

    The grade comes from the unrounded average; a forced fail passed here or recorded on any period
    gives KHTNV. Raises ScoringInputError when no period is given, a total is outside 0–100 (unless
    over-completion is allowed) or a forced-fail code is unknown.
    """
    params = params or Params()
    periods = tuple(periods)
    if not periods:
        raise ScoringInputError("periods", "Cần ít nhất một kỳ đánh giá đã công tác trong năm.")
    check_forced_fail(forced_fail, params, leader=leader)
    with localcontext(DECIMAL_CONTEXT):
        steps = []
        for i, period in enumerate(periods):
            if period.total < 0 or (params.effective_cap is not None and period.total > 100):
                raise ScoringInputError(
                    f"periods[{i}].total", "Tổng điểm của kỳ phải trong khoảng 0 đến 100."
                )
            check_forced_fail(period.forced_fail, params, leader=leader, field=f"periods[{i}]")
            source = f" (chuyển từ {period.source_unit})" if period.source_unit else ""
            steps.append(
                ExplanationStep(
                    f"period:{period.label}",
                    f"Kỳ {period.label}{source}",
                    {"total": period.total, "source_unit": period.source_unit},
                    "Tổng điểm của kỳ",
                    period.total,
                )
            )
        count = len(periods)
        average = clean(sum((p.total for p in periods), ZERO) / count)
        average_display = params.display(average)
        steps.append(
            ExplanationStep(
                "average",
                "Điểm bình quân các kỳ đã công tác",
                {"period_count": count},
                f"({' + '.join(str(p.total) for p in periods)}) / {count} "
                f"(hiển thị {average_display})",
                average,
            )
        )
        effective = forced_fail or next((p.forced_fail for p in periods if p.forced_fail), None)
        grade, grade_step = classify(average, params, effective)
        steps.append(grade_step)
    return AnnualResult(average, average_display, grade, count, effective, tuple(steps))
