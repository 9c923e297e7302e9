"""Period scoring of public employees (viên chức) under the 2026 decree on evaluating public
service units and their employees, cited as Decree 233/2026/NĐ-CP (DOMAIN.md "Public employees").

Its full text was not at hand, so every point not stated by the secondary sources is a
parameter (docs/scoring.md, "vc_2026"). What it shares with Decree 335 — monthly or quarterly
tracking from assigned products with coefficients, the 30 + 70 frame, a, b, c, the grade
thresholds and forced fails — is Decree 335's engine itself (``nd335_2025``), called, not
copied; this module adds what differs: the head of a public service unit is not rated above the
unit's own rating (art. 12(7), ``Params.head_capped_by_unit``; the rating comes in as
``PeriodInput.unit_cap``), and it names the role that decides and locks the classification
(art. 13, ``Params.vc_deciding_role``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from scoring.explain import Explanation, ExplanationStep
from scoring.grading import cap_grade
from scoring.params import Params
from scoring.rulesets import nd335_2025
from scoring.types import LeaderCriteria, PeriodInput, PeriodResult

CODE = "vc_2026"
TITLE = "Nghị định 233/2026/NĐ-CP – viên chức (thang 100 điểm)"
# Its own version: raised when a change could change a stored vc_2026 result (docs/scoring.md).
ENGINE_VERSION = "1.0"

DECIDING_ROLE_LABELS = {
    "head": "người đứng đầu đơn vị sự nghiệp công lập",
    "higher_level": "cấp có thẩm quyền cấp trên",
}


def score_period(period: PeriodInput, params: Params) -> PeriodResult:
    """Return the exact period score of ``period``: Decree 335's computation, then the head's
    grade capped by the unit's rating (``period.unit_cap``) when ``head_capped_by_unit``."""
    return _finish(nd335_2025.score_period(period, params), period.unit_cap, params)


def score_rows(
    rows: Sequence[tuple],
    general: Sequence,
    leader: LeaderCriteria | None,
    forced_fail: str | None,
    params: Params,
    indicators: Decimal | Fraction | None = None,
) -> PeriodResult:
    """The bulk path (no unit cap: a capped person goes through ``score_period``)."""
    result = nd335_2025.score_rows(rows, general, leader, forced_fail, params, indicators)
    return _finish(result, None, params)


def _finish(result: PeriodResult, unit_cap, params: Params) -> PeriodResult:
    grade = result.grade
    if unit_cap is not None and params.head_capped_by_unit:
        grade = cap_grade(grade, unit_cap)
    source = None
    if result.source is not None:
        source = (result.source[0], result.source[1], explain_period)
    return dataclasses.replace(
        result, rule_set=CODE, engine_version=ENGINE_VERSION, grade=grade, source=source
    )


def explain_period(period: PeriodInput, params: Params) -> Explanation:
    """Decree 335's steps, then the unit cap (when the unit's rating is given) and the rule set
    with the role deciding and locking the classification."""
    steps = list(nd335_2025.explain_period(period, params))
    result = score_period(period, params)
    if period.unit_cap is not None:
        uncapped = nd335_2025.score_period(period, params).grade
        if not params.head_capped_by_unit:
            formula = (
                f"Đơn vị xếp loại {period.unit_cap.value}; không áp dụng giới hạn "
                "(theo tham số của kỳ)"
            )
        elif result.grade is not uncapped:
            formula = (
                f"Đơn vị xếp loại {period.unit_cap.value} ({period.unit_cap.label}): người đứng "
                f"đầu không được xếp loại cao hơn đơn vị → {uncapped.value} hạ xuống "
                f"{result.grade.value} ({result.grade.label})"
            )
        else:
            formula = (
                f"Đơn vị xếp loại {period.unit_cap.value}; {uncapped.value} không cao hơn xếp "
                "loại của đơn vị: giữ nguyên"
            )
        steps.append(
            ExplanationStep(
                "unit_cap",
                "Giới hạn theo xếp loại của đơn vị sự nghiệp công lập (người đứng đầu)",
                {"unit_grade": period.unit_cap.value, "grade_before_cap": uncapped.value},
                formula,
                result.grade.value,
            )
        )
    steps.append(
        ExplanationStep(
            "rule_set",
            "Bộ quy tắc",
            {"rule_set": CODE},
            f"{TITLE}; cấp quyết định và khóa kết quả xếp loại: "
            f"{DECIDING_ROLE_LABELS[params.vc_deciding_role]}",
            CODE,
        )
    )
    return tuple(steps)
