"""Annual classification: the exact average of the period totals actually worked, and its grade.

A period may carry the person's service in it (``PeriodTotal.service``): a period with no day
worked leaves the average; with ``Params.absence_policy == "prorate"`` the others are weighted by
their days worked / days in the period.
"""

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
from scoring.service_time import PeriodService
from scoring.types import Grade


@dataclass(frozen=True)
class PeriodTotal:
    """One period and its total; ``source_unit`` names the unit a result came from.

    ``total`` may be a Fraction, a Decimal, an int or a string (``"70.5"``, or the exact
    ``"490/7"``); it is kept as an exact Fraction. ``service`` is the person's service in the
    period (days worked, absences); None means the whole period was worked.
    """

    label: str
    total: Fraction
    source_unit: str | None = None
    forced_fail: str | None = None
    service: PeriodService | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", to_fraction(self.total, f"periods[{self.label}].total"))


@dataclass(frozen=True)
class AnnualResult:
    """The year's classification.

    ``average`` is the exact mean of the exact totals of the periods counted (weighted by days
    worked under ``prorate``) and decides ``grade``; ``period_count`` counts those periods and
    ``excluded`` names the periods left out (no day worked);
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
    excluded: tuple[str, ...] = ()


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
    A period whose ``service`` has no day worked leaves the average (named in ``excluded`` and
    in its explanation step, with the absence and its document); under ``prorate`` the others
    are weighted by days worked / days in the period. Raises ScoringInputError when no period is
    given or none was worked, a total is outside 0–100 (0–1000 with over-completion) or a
    forced-fail code is unknown.
    """
    params = params or Params()
    periods = tuple(periods)
    if not periods:
        raise ScoringInputError("periods", "Cần ít nhất một kỳ đánh giá đã công tác trong năm.")
    check_forced_fail(forced_fail, params, field="forced_fail")
    high = 100 if params.effective_cap is not None else MAX_POINTS
    prorate = params.absence_policy == "prorate"
    steps = []
    counted: list[tuple[Fraction, PeriodTotal]] = []
    excluded: list[str] = []
    for i, period in enumerate(periods):
        if not 0 <= period.total <= high:
            raise ScoringInputError(
                f"periods[{i}].total", f"Tổng điểm của kỳ phải trong khoảng 0 đến {high}."
            )
        check_forced_fail(period.forced_fail, params, field=f"periods[{i}].forced_fail")
        service = period.service
        source = f" (kết quả do {period.source_unit} chuyển sang)" if period.source_unit else ""
        formula = f"Tổng điểm của kỳ: {_score(period.total, params)}"
        if period.forced_fail:
            formula += f"; có quyết định buộc KHTNV: {_reason_label(period.forced_fail, params)}"
        inputs = {
            "total": period.total,
            "source_unit": period.source_unit,
            "forced_fail": period.forced_fail,
        }
        if service is not None:
            inputs.update(_service_inputs(service))
        if service is not None and not service.worked:
            excluded.append(period.label)
            inputs["counted"] = False
            formula += "; không tính vào bình quân: " + _not_worked(service)
        else:
            weight = service.share if prorate and service is not None else Fraction(1)
            counted.append((weight, period))
            if service is not None:
                inputs.update(counted=True, weight=weight)
            if service is not None and not service.full:
                formula += "; " + _part_worked(service, weight if prorate else None)
        label = f"Kỳ {period.label}{source}"
        steps.append(
            ExplanationStep(f"period:{period.label}", label, inputs, formula, period.total)
        )
    if not counted:
        raise ScoringInputError(
            "periods", "Không có kỳ nào đã công tác trong năm: không đủ căn cứ xếp loại."
        )
    average, average_step = _average(counted, params, prorate)
    steps.append(average_step)
    count = len(counted)
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
        average,
        params.display_value(average),
        stored(average),
        grade,
        count,
        effective,
        tuple(steps),
        tuple(excluded),
    )


def _average(
    counted: list[tuple[Fraction, PeriodTotal]], params: Params, prorate: bool
) -> tuple[Fraction, ExplanationStep]:
    """The exact (weighted) mean of the counted periods, and the step that writes it out."""
    places = params.display_places
    weight_sum = sum((w for w, _p in counted), Fraction(0))
    average = sum((w * p.total for w, p in counted), Fraction(0)) / weight_sum
    shown = params.display_value(average)
    relation = "=" if Fraction(shown) == average else "≈"
    if prorate and any(w != 1 for w, _p in counted):
        terms = " + ".join(f"{_ratio(w)} × {_score(p.total, params)}" for w, p in counted)
        weights = " + ".join(_ratio(w) for w, _p in counted)
        formula = f"({terms}) / ({weights}) {relation} {fixed(shown, places)}"
        label = "Điểm bình quân các kỳ đã công tác, theo tỷ lệ ngày công tác"
    else:
        terms = " + ".join(_score(p.total, params) for _w, p in counted)
        formula = f"({terms}) / {len(counted)} {relation} {fixed(shown, places)}"
        label = "Điểm bình quân các kỳ đã công tác"
    inputs = {"period_count": len(counted), "absence_policy": params.absence_policy}
    return average, ExplanationStep("average", label, inputs, formula, average)


def _ratio(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value}"


def _service_inputs(service: PeriodService) -> dict:
    return {
        "days_in_period": service.days_in_period,
        "days_in_post": service.days_in_post,
        "days_absent": service.days_absent,
        "days_worked": service.days_worked,
        "absences": [_absence_text(a) for a in service.absences],
    }


def _absence_text(absence) -> str:
    """``nghỉ thai sản từ 01/03/2026 đến 30/06/2026 (văn bản số 15/QĐ-UBND)``."""
    day = "%d/%m/%Y"
    text = (
        f"{absence.label} từ {absence.starts_on.strftime(day)} đến {absence.ends_on.strftime(day)}"
    )
    return text + (f" (văn bản số {absence.reference})" if absence.reference else "")


def _not_worked(service: PeriodService) -> str:
    if service.days_in_post == 0:
        return "không công tác tại đơn vị trong kỳ (chưa vào làm hoặc đã thôi việc)"
    return "vắng mặt cả kỳ: " + "; ".join(_absence_text(a) for a in service.absences)


def _part_worked(service: PeriodService, weight: Fraction | None) -> str:
    text = f"công tác {service.days_worked}/{service.days_in_period} ngày"
    reasons = []
    if service.days_in_post < service.days_in_period:
        reasons.append("vào làm hoặc thôi việc trong kỳ")
    reasons += [_absence_text(a) for a in service.absences]
    if reasons:
        text += " (" + "; ".join(reasons) + ")"
    if weight is not None:
        text += f", tính theo tỷ lệ {_ratio(weight)}"
    return text


def _score(value: Fraction, params: Params) -> str:
    """Return a score as people read it: display precision, decimal comma, threshold-guarded."""
    return fixed(params.display_value(value), params.display_places)


def _reason_label(code: str, params: Params) -> str:
    reason = params.forced_fail_reason(code)
    return reason.label if reason else code
