"""Classification of a total into a grade, forced fail, and the leader unit-results helper."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from scoring.errors import ScoringInputError
from scoring.explain import ExplanationStep
from scoring.params import Params
from scoring.types import Grade


def grade_for_total(total: Decimal, params: Params) -> Grade:
    """Return the grade of an unrounded ``total``; thresholds are inclusive lower bounds."""
    if total >= params.threshold_htxs:
        return Grade.HTXS
    if total >= params.threshold_htt:
        return Grade.HTT
    if total >= params.threshold_htnv:
        return Grade.HTNV
    return Grade.KHTNV


def check_forced_fail(
    code: str | None, params: Params, *, leader: bool, field: str = "forced_fail"
) -> None:
    """Raise ScoringInputError when ``code`` is not a known reason or is for leaders only."""
    if code is None:
        return
    reason = params.forced_fail_reason(code)
    if reason is None:
        codes = ", ".join(r.code for r in params.forced_fail_reasons)
        raise ScoringInputError(field, f"Lý do '{code}' không hợp lệ (chỉ nhận: {codes}).")
    if reason.leaders_only and not leader:
        raise ScoringInputError(field, f"Lý do '{code}' chỉ áp dụng cho lãnh đạo, quản lý.")


def classify(
    total: Decimal, params: Params, forced_fail: str | None = None
) -> tuple[Grade, ExplanationStep]:
    """Return the grade and its explanation step; a forced fail gives KHTNV whatever the total."""
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
        formula = f"Xếp loại bắt buộc KHTNV do: {label} (không xét điểm {total})"
        grade = Grade.KHTNV
    else:
        grade = grade_for_total(total, params)
        formula = f"{total} → {grade.value} ({grade.label}); xếp loại theo tổng điểm chưa làm tròn"
    step = ExplanationStep("grade", "Xếp loại", inputs, formula, grade.value)
    return grade, step


def leader_unit_results(subordinate_grades: Iterable[Grade | str], params: Params) -> Decimal:
    """Return the leader's unit-results percent: all subordinates at HTNV or better → 100, else 50.

    The percents come from ``params``; an empty team counts as all passing.
    """
    grades = [Grade.parse(g, "subordinate_grades") for g in subordinate_grades]
    if all(g.rank >= Grade.HTNV.rank for g in grades):
        return params.unit_results_all_pass
    return params.unit_results_any_fail
