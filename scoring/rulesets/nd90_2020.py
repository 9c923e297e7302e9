"""Public employees' periods before the 2026 decree: Decree 90/2020/NĐ-CP as amended by Decree
48/2023/NĐ-CP (DOMAIN.md "Old regime").

Decree 90 classifies a year, not a month: it has no 100-point period score. A period under this
rule set is scored with Decree 335's engine (``nd335_2025``: the same 30 + 70 frame, a, b, c,
thresholds) so that the year's average exists — an assumption, stated in docs/scoring.md. What
the old regime adds is annual (``classify_year_nd90``): discipline in the year → KHTNV; fewer
than ``nd90_min_months_worked`` months worked → not classified (maternity leave excepted);
absent from ``nd90_absence_cap_months`` to under ``nd90_min_months_worked`` months → at most
HTNV; and the HTXS share limit (``nd90_htxs_share_limit``, ``htxs_share_allowed``,
``check_htxs_share``: applied in the annual quota by ``services.evaluation.annual.quota``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from scoring.annual import AnnualResult, PeriodTotal, classify_year
from scoring.errors import ScoringInputError
from scoring.explain import Explanation, ExplanationStep
from scoring.grading import cap_grade
from scoring.numbers import shown
from scoring.params import Params
from scoring.quota import QuotaCheck, QuotaEntry
from scoring.rulesets import nd335_2025
from scoring.service_time import YearService
from scoring.types import Grade, LeaderCriteria, PeriodInput, PeriodResult

CODE = "nd90_2020"
TITLE = "Nghị định 90/2020/NĐ-CP (sửa đổi bởi Nghị định 48/2023/NĐ-CP) – viên chức"
ENGINE_VERSION = "1.0"


def score_period(period: PeriodInput, params: Params) -> PeriodResult:
    """Return the period score by Decree 335's engine, recorded under this rule set."""
    return _named(nd335_2025.score_period(period, params))


def score_rows(
    rows: Sequence[tuple],
    general: Sequence,
    leader: LeaderCriteria | None,
    forced_fail: str | None,
    params: Params,
    indicators: Decimal | Fraction | None = None,
) -> PeriodResult:
    """The bulk path, as ``score_period``."""
    return _named(nd335_2025.score_rows(rows, general, leader, forced_fail, params, indicators))


def _named(result: PeriodResult) -> PeriodResult:
    source = None
    if result.source is not None:
        source = (result.source[0], result.source[1], explain_period)
    return dataclasses.replace(result, rule_set=CODE, engine_version=ENGINE_VERSION, source=source)


def explain_period(period: PeriodInput, params: Params) -> Explanation:
    """Decree 335's steps and the rule set with the assumption it rests on."""
    return (
        *nd335_2025.explain_period(period, params),
        ExplanationStep(
            "rule_set",
            "Bộ quy tắc",
            {"rule_set": CODE},
            f"{TITLE}; điểm của kỳ tính theo khung 30 + 70 của Nghị định 335/2025/NĐ-CP "
            "(Nghị định 90/2020 chỉ xếp loại theo năm)",
            CODE,
        ),
    )


@dataclass(frozen=True)
class NotClassified:
    """A year the old regime does not classify: ``reason`` and the steps that say why."""

    reason: str
    explanation: Explanation


def _months(value: Fraction) -> str:
    return shown(value, 2)


def classify_year_nd90(
    periods: Iterable[PeriodTotal],
    service: YearService,
    params: Params | None = None,
    *,
    forced_fail: str | None = None,
    leader: bool = False,
) -> AnnualResult | NotClassified:
    """Return the year's classification of a public employee under the old regime.

    In this order: a forced fail (discipline in the year) → KHTNV whatever else [choice: the
    discipline rule comes first so that a decision is never hidden by "not classified"];
    fewer than ``nd90_min_months_worked`` months worked and no maternity leave in the year →
    ``NotClassified``; otherwise the average of the periods worked (``classify_year``), capped
    at HTNV when the months absent (maternity months only with ``nd90_cap_counts_maternity``)
    are from ``nd90_absence_cap_months`` to under ``nd90_min_months_worked``. The last step of
    the explanation says which rule applied. Raises ScoringInputError as ``classify_year``.
    """
    params = params or Params()
    periods = tuple(periods)
    minimum, cap_from = params.nd90_min_months_worked, params.nd90_absence_cap_months
    worked = service.months_worked
    absent = service.months_absent
    if not params.nd90_cap_counts_maternity:
        absent -= service.months_absent_maternity
    inputs = {
        "months_in_post": service.months_in_post,
        "months_worked": worked,
        "months_absent": service.months_absent,
        "months_absent_maternity": service.months_absent_maternity,
        "months_absent_counted": absent,
        "min_months_worked": minimum,
        "absence_cap_months": cap_from,
    }
    effective = forced_fail or next((p.forced_fail for p in periods if p.forced_fail), None)
    if effective is None and worked < minimum and not service.maternity:
        step = ExplanationStep(
            "old_regime",
            "Quy định cũ (Nghị định 90/2020): thời gian công tác",
            inputs,
            f"Công tác {_months(worked)} tháng, dưới {minimum} tháng trong năm, không nghỉ "
            "thai sản → không đánh giá, xếp loại",
            "not_classified",
        )
        return NotClassified("under_min_months", (step,))
    try:
        result = classify_year(periods, params, forced_fail=forced_fail, leader=leader)
    except ScoringInputError:
        if effective is not None or worked >= minimum:
            raise
        step = ExplanationStep(
            "old_regime",
            "Quy định cũ (Nghị định 90/2020): thời gian công tác",
            inputs,
            "Nghỉ thai sản cả năm: không có kỳ nào đã công tác để xếp loại",
            "not_classified",
        )
        return NotClassified("no_period_worked", (step,))
    grade = result.grade
    if result.forced_fail is not None:
        formula = "Bị xử lý kỷ luật trong năm → Không hoàn thành nhiệm vụ (KHTNV)"
    elif cap_from <= absent < minimum:
        grade = cap_grade(result.grade, Grade.HTNV)
        formula = (
            f"Vắng mặt {_months(absent)} tháng (từ {cap_from} đến dưới {minimum} tháng) → "
            f"không cao hơn HTNV: {result.grade.value} → {grade.value}"
        )
    elif worked < minimum:
        formula = (
            f"Công tác {_months(worked)} tháng, dưới {minimum} tháng nhưng có nghỉ thai sản → "
            f"vẫn xếp loại: {grade.value}"
        )
    else:
        formula = (
            f"Công tác {_months(worked)} tháng, vắng {_months(absent)} tháng: không có giới "
            f"hạn theo thời gian công tác → {grade.value}"
        )
    step = ExplanationStep(
        "old_regime", "Quy định cũ (Nghị định 90/2020)", inputs, formula, grade.value
    )
    return dataclasses.replace(result, grade=grade, explanation=(*result.explanation, step))


def htxs_share_allowed(classified: int, params: Params) -> int | None:
    """The most HTXS among ``classified`` people under ``nd90_htxs_share_limit`` (floored), or
    None when the limit is not set."""
    limit = params.nd90_htxs_share_limit
    if limit is None:
        return None
    if classified < 0:
        raise ScoringInputError("classified", "Số người phải không âm.")
    return int((limit * classified).to_integral_value(rounding=ROUND_FLOOR))


SHARE_SCOPE = "htxs_share"


def check_htxs_share(
    entries: Iterable[QuotaEntry], params: Params | None = None, *, agency: str = "đơn vị"
) -> tuple[QuotaCheck, ExplanationStep] | None:
    """Decree 90/2020 as amended by Decree 48/2023: the share of public employees rated HTXS
    is at most the unit's Party-member HTXS share, ``nd90_htxs_share_limit`` (None: not
    checked → None). ``entries`` are the people classified under this rule set in the year
    (every grade: the share's denominator). Allowed = floor(limit × classified)
    (``htxs_share_allowed``); lowering someone from HTXS leaves the denominator unchanged, so
    ``must_lower`` = HTXS − allowed (at least 0) and ``allowed_after`` = allowed. Reports only,
    never changes a grade.
    """
    params = params or Params()
    entries = tuple(entries)
    allowed = htxs_share_allowed(len(entries), params)
    if allowed is None:
        return None
    limit = params.nd90_htxs_share_limit
    htxs_ids = tuple(e.person_id for e in entries if e.grade is Grade.HTXS)
    htt = sum(1 for e in entries if e.grade is Grade.HTT)
    lower = max(0, len(htxs_ids) - allowed)
    check = QuotaCheck(
        SHARE_SCOPE, agency, None, len(htxs_ids), htt, limit, allowed, lower, allowed, htxs_ids
    )
    verdict = "đạt" if lower == 0 else f"vượt, cần hạ ít nhất {lower} người (có ghi lý do)"
    step = ExplanationStep(
        f"quota:{SHARE_SCOPE}:{agency}",
        f"Tỷ lệ HTXS của viên chức (Nghị định 90/2020, sửa đổi bởi Nghị định 48/2023) – {agency}",
        {
            "classified": len(entries),
            "htxs_count": len(htxs_ids),
            "limit": limit,
            "allowed": allowed,
            "must_lower": lower,
        },
        f"HTXS {len(htxs_ids)} ≤ floor({shown(Fraction(limit), 6)} × {len(entries)} người được "
        f"xếp loại) = {allowed}? → {verdict}",
        lower,
    )
    return check, step
