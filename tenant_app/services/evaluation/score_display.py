"""Scores as people read them: Vietnamese numbers and dates, grades, headline figures, explanations.

Shared by the score pages and the PDF forms; every function reads only the tenant in context.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from scoring import Grade
from scoring.numbers import round_fraction
from tenant_app import formatting
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assessment, Assignment, Period, PeriodScore, label
from tenant_app.models.users import ProvinceUser, User
from tenant_app.models.vocabulary import AssessmentStage, PeriodStatus
from tenant_app.services.evaluation import chain, periods, scores

INPUT_NAMES = {
    "grade_before": _l("Xếp loại trước khi so với đơn vị"),
    "unit_grade": _l("Xếp loại của đơn vị"),
    "assigned": _l("Số lượng giao"),
    "coefficient": _l("Hệ số quy đổi"),
    "completed": _l("Số lượng hoàn thành"),
    "major_errors": _l("Lỗi nội dung lớn"),
    "exempt_errors": _l("Lỗi được miễn trừ"),
    "delays": _l("Lần chậm tiến độ"),
    "exempt_delays": _l("Lần chậm được miễn trừ"),
    "assigned_units": _l("Đơn vị quy đổi được giao"),
    "completed_units": _l("Đơn vị quy đổi hoàn thành"),
    "quality_units": _l("Đơn vị đạt chất lượng"),
    "on_time_units": _l("Đơn vị đúng hạn"),
    "task_score": _l("Điểm kết quả nhiệm vụ (%)"),
    "task_weight": _l("Trọng số kết quả nhiệm vụ"),
    "task_points": _l("Điểm kết quả nhiệm vụ"),
    "general_points": _l("Điểm tiêu chí chung"),
    "total": _l("Tổng điểm"),
    "threshold_htxs": _l("Ngưỡng HTXS"),
    "threshold_htt": _l("Ngưỡng HTT"),
    "threshold_htnv": _l("Ngưỡng HTNV"),
    "forced_fail": _l("Không hoàn thành nhiệm vụ do"),
    "unit_results": _l("Kết quả của đơn vị phụ trách (%)"),
    "organising": _l("Năng lực tổ chức thực hiện nhiệm vụ (%)"),
    "team_size": _l("Số người của đơn vị phụ trách"),
    "team_passing": _l("Số người hoàn thành nhiệm vụ trở lên"),
    "team_pending": _l("Số người chưa có kết quả"),
    "team_units": _l("Lĩnh vực phụ trách"),
    "staff_id": _l("Cán bộ, công chức"),
    "rule_set": _l("Bộ quy tắc"),
    "grade_before_cap": _l("Xếp loại trước khi áp giới hạn"),
}
# Why a person is forced to KHTNV when the period's rules name no label of their own.
FORCED_FAIL_LABELS = {"discipline": _l("kỷ luật")}
# Steps whose result is points or a percentage: shown with the period's display decimals.
POINT_STEPS = {"a", "b", "c", "task_score", "task_points", "general_points", "total"}
DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
# Engine 2 writes formulas with the Vietnamese decimal comma (and no thousands separator).
DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
# Exact values keep every digit in the database; on screen, intermediate figures with more than
# four decimals (e.g. 42.9545454…) are shown to four, which is what a person can check by hand.
LONG_DECIMAL = re.compile(r"\d+\.\d{5,}")
SHOWN_PLACES = 4


def number(value, places: int = 2) -> str:
    """Return ``value`` with ``places`` decimals in the user's language (78,63 in Vietnamese)."""
    return formatting.vn_number(value, places)


def short(value) -> str:
    """Return a quantity without trailing zeros (2,5 or 10) in the user's language."""
    return formatting.vn_short(value)


def local_day(value: date | datetime | None) -> date | None:
    """Return the calendar day of ``value`` in the unit's time zone (stored times are UTC)."""
    if isinstance(value, datetime):
        return formatting.to_local(value).date()
    return value


def day_text(value: date | datetime | None) -> str:
    """Return ``value`` as dd/mm/yyyy (— when missing)."""
    day = local_day(value)
    return day.strftime("%d/%m/%Y") if day else "—"


# The rule set a score was computed under, as the explained score page names it.
RULE_SET_LABELS = {
    "nd335_2025": _l("Nghị định 335/2025/NĐ-CP"),
    "vc_2026": _l("Nghị định 233/2026/NĐ-CP (viên chức)"),
    "nd90_2020": _l("Nghị định 90/2020/NĐ-CP, sửa đổi bởi Nghị định 48/2023/NĐ-CP (viên chức)"),
}


def rule_set_label(code: str | None) -> str:
    """The rule set's name for people (its code when unknown)."""
    return str(RULE_SET_LABELS.get(code, code or "—"))


def grade_label(code: str | None) -> str:
    """Return the Vietnamese label of a grade code (the code itself if unknown, — if None)."""
    try:
        return Grade(code).label
    except ValueError:
        return code or "—"


def _shorten(match: re.Match) -> str:
    rounded = Decimal(match.group(0)).quantize(Decimal(1).scaleb(-SHOWN_PLACES), "ROUND_HALF_UP")
    return f"{rounded.normalize():f}"


def _local(text: str) -> str:
    """Numbers inside a formula with the Vietnamese decimal comma (long decimals shortened)."""
    text = LONG_DECIMAL.sub(_shorten, text)
    if str(get_locale() or "vi").startswith("vi"):
        return DECIMAL_POINT.sub(",", text)
    if "," in text:
        return DECIMAL_COMMA.sub(".", text)
    return text


def forced_fail_text(code: str | None) -> str:
    """Return why a person failed, in words ("kỷ luật"), never the code ("discipline")."""
    if not code:
        return "—"
    label = FORCED_FAIL_LABELS.get(code)
    return str(label) if label is not None else code


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_l("có") if value else _l("không"))
    if isinstance(value, str) and "/" in value:  # an exact rational kept as text ("1800/19")
        try:
            value = round_fraction(Fraction(value), SHOWN_PLACES)
        except (ValueError, ZeroDivisionError):
            return value
    try:
        exact = Decimal(str(value))
        if -exact.normalize().as_tuple().exponent > SHOWN_PLACES:
            exact = exact.quantize(Decimal(1).scaleb(-SHOWN_PLACES), "ROUND_HALF_UP")
        return short(exact)
    except ArithmeticError:
        return str(value)


def _item_names(steps: list[dict]) -> dict[str, str]:
    item_ids = []
    for step in steps:
        if str(step.get("code", "")).startswith("item:"):
            try:
                item_ids.append(uuid.UUID(step["code"][5:]))
            except ValueError:
                continue
    if not item_ids:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.id, CatalogueItem.code, CatalogueItem.name)
        .join(CatalogueItem, tenant_join(CatalogueItem.id, Assignment.item_id))
        .where(Assignment.id.in_(item_ids))
    ).all()
    return {str(aid): f"{code} – {name}" for aid, code, name in rows}


def explain(score: PeriodScore, period: Period) -> list[dict]:
    """Return the score's explanation as display rows: label, inputs, formula and result."""
    params = periods.params_of(period)
    steps = scores.explanation_of(score, period)
    names = _item_names(steps)
    lines = []
    for step in steps:
        code = str(step.get("code", ""))
        # The pure engine writes Vietnamese labels; the catalogue has them in English.
        text = gettext(str(step.get("label", code)))
        if code.startswith("item:"):
            text = _l("%(name)s: quy đổi", name=names.get(code[5:], code[5:]))
        result = step.get("result", "")
        if code == "grade":
            shown = grade_label(result)
        elif code == "total":
            shown = number(params.display_value(scores.exact_total(score)), params.display_places)
        elif code in POINT_STEPS:
            shown = number(params.display(Decimal(str(result))), params.display_places)
        else:
            shown = _value(result)
        lines.append(
            {
                "code": code,
                "label": str(text),
                "inputs": [
                    (
                        str(INPUT_NAMES.get(k, k)),
                        forced_fail_text(v) if k == "forced_fail" else _value(v),
                    )
                    for k, v in (step.get("inputs") or {}).items()
                ],
                "formula": _local(str(step.get("formula", ""))),
                "result": shown,
            }
        )
    return lines


def total_text(score: PeriodScore | None) -> str:
    """Return a score's total as shown to people: display rounding that never crosses a threshold.

    (A stored 69.999999 is HTNV; it is shown 69,99, never 70,00.)
    """
    if score is None:
        return "—"
    period = db.session.get(Period, (score.tenant_id, score.period_id))
    params = periods.params_of(period)
    return number(params.display_value(scores.exact_total(score)), params.display_places)


def grade_provisional(score: PeriodScore | None, period: Period | None = None) -> bool:
    """Whether a shown total and grade may still change (shown "Tạm tính"): True until the score
    is approved, the period published or locked. No score has nothing to mark (False)."""
    if score is None:
        return False
    if period is None:
        period = db.session.get(Period, (score.tenant_id, score.period_id))
    if period.published_at is not None or period.status == PeriodStatus.LOCKED:
        return False
    return score.approved_at is None


def grades_provisional(period: Period | None, approved=None) -> bool:
    """Whether any grade of ``period`` is still provisional (``grade_provisional``).
    ``approved``: the ``approved_at`` of every score of the period, when the caller read them."""
    if period is None or period.published_at is not None or period.status == PeriodStatus.LOCKED:
        return False
    if approved is not None:
        return any(at is None for at in approved)
    return (
        db.session.execute(
            sa.select(PeriodScore.id)
            .where(PeriodScore.period_id == period.id, PeriodScore.approved_at.is_(None))
            .limit(1)
        ).first()
        is not None
    )


def summary(score: PeriodScore | None, period: Period) -> dict:
    """Return the headline figures of a score formatted for display ({} without a score)."""
    if score is None:
        return {}
    params = periods.params_of(period)

    def shown(value):
        return number(params.display(Decimal(value)), params.display_places)

    def shown_total(value):
        return number(params.display_value(value), params.display_places)

    reason = params.forced_fail_reason(score.forced_fail) if score.forced_fail else None
    return {
        "a": shown(score.a),
        "b": shown(score.b),
        "c": shown(score.c),
        "task_score": shown(score.task_score),
        "task_points": shown(score.task_points),
        "general_points": shown(score.general_points),
        "total": shown_total(scores.exact_total(score)),
        "self_total": shown_total(score.self_total) if score.self_total is not None else "—",
        "provisional": bool(score.provisional),
        "grade": score.grade,
        "grade_label": grade_label(score.grade),
        "stage": label(score.stage) if score.stage != "none" else "—",
        "rule_set": rule_set_label(score.rule_set),
        "approved": score.approved_at is not None,
        "grade_provisional": grade_provisional(score, period),
        "forced_fail": (reason.label if reason else forced_fail_text(score.forced_fail))
        if score.forced_fail
        else "",
    }


def stage_history(score: PeriodScore | None, period: Period, person) -> list[dict]:
    """Each stage of the period's chain for ``person``, in order: its label, who recorded it and
    when, and the total and grade that stage's points give (kept with the score, never
    overwritten by the next stage); "—" where the stage is not recorded yet. The last recorded
    stage's result is the score's own (the final one once approved)."""
    rows = {
        a.stage: a
        for a in db.session.execute(
            sa.select(Assessment).where(
                Assessment.period_id == period.id, Assessment.staff_id == person.id
            )
        ).scalars()
    }
    users = [a.by_user for a in rows.values() if a.by_user is not None]
    names = dict(
        db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(users))).all()
    )
    province = [a.by_province_user for a in rows.values() if a.by_province_user is not None]
    higher = dict(
        db.session.execute(
            sa.select(ProvinceUser.id, ProvinceUser.full_name).where(ProvinceUser.id.in_(province))
        ).all()
    )
    kept = (score.stage_results or {}) if score is not None else {}
    params = periods.params_of(period)
    out = []
    for stage in chain.chain_for(period, person):
        row = rows.get(stage)
        result = kept.get(stage)
        if result is None and score is not None and score.stage == stage:
            result = {"total": score.total_exact or str(score.total), "grade": score.grade}
        own_total = None if score is None else score.self_total
        if result is None and stage == AssessmentStage.SELF and own_total is not None:
            # scored before stage results were kept: the self total without its grade
            result = {"total": str(own_total), "grade": None}
        who = "—"
        if row is not None:
            who = names.get(row.by_user) or higher.get(row.by_province_user) or "—"
        total = "—"
        if result is not None:
            exact = Fraction(result["total"])
            total = number(params.display_value(exact), params.display_places)
        out.append(
            {
                "stage": stage,
                "label": label(stage),
                "recorded": row is not None,
                "who": who,
                "when": row.updated_at if row is not None else None,
                "total": total,
                "grade": result.get("grade") if result else None,
                "grade_label": grade_label(result.get("grade")) if result else "—",
                "current": score is not None and score.stage == stage,
            }
        )
    return out
