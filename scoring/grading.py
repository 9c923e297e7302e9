"""Classification of an exact total into a grade, forced fail, the leader unit-results helper."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from scoring.errors import ScoringInputError
from scoring.explain import ExplanationStep
from scoring.numbers import fixed, round_fraction, shown
from scoring.params import Params
from scoring.types import Grade


def grade_for_total(total: Fraction | Decimal | int, params: Params) -> Grade:
    """Return the grade of an exact ``total``; thresholds are inclusive lower bounds.

    Compares rationals, so 30 + 0.7 × 400/7 is 70 and grades HTT.
    """
    exact = total if isinstance(total, Fraction) else Fraction(total)
    for threshold, code in params._engine.thresholds:
        if exact >= threshold:
            return Grade(code)
    return Grade.KHTNV


def cap_grade(grade: Grade | str, cap: Grade | str | None) -> Grade:
    """Return ``grade``, lowered to ``cap`` when it is above it (None: no cap).

    The head of a public service unit is not rated above the unit itself (vc_2026).
    """
    grade = Grade.parse(grade, "grade")
    if cap is None:
        return grade
    cap = Grade.parse(cap, "unit_cap")
    return cap if grade.rank > cap.rank else grade


def check_forced_fail(
    code: str | None, params: Params, *, leader: bool = False, field: str = "forced_fail"
) -> None:
    """Raise ScoringInputError when ``code`` is not a known reason.

    A reason for leaders only (corruption or waste in the unit they ran) is accepted for someone
    who no longer holds a leader post: the decision still forces the fail.
    """
    if code is None:
        return
    if not isinstance(code, str) or params.forced_fail_reason(code) is None:
        codes = ", ".join(r.code for r in params.forced_fail_reasons)
        raise ScoringInputError(field, f"Lý do '{code}' không hợp lệ (chỉ nhận: {codes}).")


def classify(
    total: Fraction | Decimal, params: Params, forced_fail: str | None = None
) -> tuple[Grade, ExplanationStep]:
    """Return the grade and its explanation step; a forced fail gives KHTNV whatever the total."""
    places = params.display_places
    inputs = {
        "total": total,
        "threshold_htxs": params.threshold_htxs,
        "threshold_htt": params.threshold_htt,
        "threshold_htnv": params.threshold_htnv,
    }
    if forced_fail is not None:
        reason = params.forced_fail_reason(forced_fail)
        label = reason.label if reason else forced_fail
        inputs["forced_fail"] = forced_fail
        formula = (
            f"Xếp loại bắt buộc KHTNV do: {label} (không xét tổng điểm "
            f"{fixed(params.display_value(total), places)})"
        )
        grade = Grade.KHTNV
    else:
        grade = grade_for_total(total, params)
        formula = f"{fixed(params.display_value(total), places)} → {grade.value} ({grade.label})"
        formula += "; " + _threshold_text(Fraction(total), grade, params)
    step = ExplanationStep("grade", "Xếp loại", inputs, formula, grade.value)
    return grade, step


def _threshold_text(total: Fraction, grade: Grade, params: Params) -> str:
    """Say which threshold was reached and which was missed, on the exact total."""
    places = params.display_places
    parts = []
    for threshold, code in params._engine.thresholds:
        mark = shown(threshold, places)
        if total >= threshold:
            parts.append(f"đạt ngưỡng {code} {mark}")
            break
        parts.append(f"chưa đạt ngưỡng {code} {mark}")
    text = ", ".join(parts)
    if Fraction(round_fraction(total, places, "ROUND_FLOOR")) != total:
        text += " (so sánh trên tổng điểm chính xác, chưa làm tròn)"
    return text


def leader_unit_results(subordinate_grades: Iterable[Grade | str], params: Params) -> Decimal:
    """Return the leader's unit-results percent: all subordinates at HTNV or better → 100, else 50.

    The percents come from ``params``; an empty team counts as all passing.
    """
    grades = [Grade.parse(g, "subordinate_grades") for g in subordinate_grades]
    if all(g.rank >= Grade.HTNV.rank for g in grades):
        return params.unit_results_all_pass
    return params.unit_results_any_fail
