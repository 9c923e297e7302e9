"""Scores, explained line by line; the history of past periods; the unit's published results."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import sqlalchemy as sa
from flask import abort, jsonify, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.evaluation import bp, number, or_404, own_staff, selected_period, short
from scoring import Grade
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, PeriodScore, label
from tenant_app.models.staff import StaffMember
from tenant_app.services import periods, staff, work

INPUT_NAMES = {
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
}
# Steps whose result is points or a percentage: shown with the period's display decimals.
POINT_STEPS = {"a", "b", "c", "task_score", "task_points", "general_points", "total"}
DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
# Exact values keep every digit in the database; on screen, intermediate figures with more than
# four decimals (e.g. 42.9545454…) are shown to four, which is what a person can check by hand.
LONG_DECIMAL = re.compile(r"\d+\.\d{5,}")
SHOWN_PLACES = 4


def _shorten(match: re.Match) -> str:
    rounded = Decimal(match.group(0)).quantize(Decimal(1).scaleb(-SHOWN_PLACES), "ROUND_HALF_UP")
    return f"{rounded.normalize():f}"


def grade_label(code: str | None) -> str:
    try:
        return Grade(code).label
    except ValueError:
        return code or "—"


def _local(text: str) -> str:
    """Numbers inside a formula with the Vietnamese decimal comma (long decimals shortened)."""
    text = LONG_DECIMAL.sub(_shorten, text)
    if str(get_locale() or "vi").startswith("vi"):
        return DECIMAL_POINT.sub(",", text)
    return text


def _value(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    try:
        exact = Decimal(str(value))
        if -exact.normalize().as_tuple().exponent > SHOWN_PLACES:
            exact = exact.quantize(Decimal(1).scaleb(-SHOWN_PLACES), "ROUND_HALF_UP")
        return short(exact)
    except ArithmeticError:
        return str(value)


def explain(score: PeriodScore, period: Period) -> list[dict]:
    """The score's explanation as display rows: label, inputs, formula and result, in Vietnamese."""
    params = periods.params_of(period)
    item_ids = []
    for step in score.explanation or []:
        if str(step.get("code", "")).startswith("item:"):
            try:
                item_ids.append(uuid.UUID(step["code"][5:]))
            except ValueError:
                continue
    names = {}
    if item_ids:
        rows = db.session.execute(
            sa.select(Assignment.id, CatalogueItem.code, CatalogueItem.name)
            .join(
                CatalogueItem,
                sa.and_(
                    CatalogueItem.tenant_id == Assignment.tenant_id,
                    CatalogueItem.id == Assignment.item_id,
                ),
            )
            .where(Assignment.id.in_(item_ids))
        ).all()
        names = {str(aid): f"{code} – {name}" for aid, code, name in rows}
    lines = []
    for step in score.explanation or []:
        code = str(step.get("code", ""))
        text = step.get("label", code)
        if code.startswith("item:"):
            text = _l("%(name)s: quy đổi", name=names.get(code[5:], code[5:]))
        result = step.get("result", "")
        if code == "grade":
            shown = grade_label(result)
        elif code in POINT_STEPS:
            shown = number(params.display(Decimal(str(result))), params.display_places)
        else:
            shown = _value(result)
        lines.append(
            {
                "code": code,
                "label": str(text),
                "inputs": [
                    (str(INPUT_NAMES.get(k, k)), _value(v))
                    for k, v in (step.get("inputs") or {}).items()
                ],
                "formula": _local(str(step.get("formula", ""))),
                "result": shown,
            }
        )
    return lines


def summary(score: PeriodScore | None, period: Period) -> dict:
    """Headline figures of a score, formatted for display (2 decimals by default)."""
    if score is None:
        return {}
    params = periods.params_of(period)

    def shown(value):
        return number(params.display(Decimal(value)), params.display_places)

    reason = params.forced_fail_reason(score.forced_fail) if score.forced_fail else None
    return {
        "a": shown(score.a),
        "b": shown(score.b),
        "c": shown(score.c),
        "task_score": shown(score.task_score),
        "task_points": shown(score.task_points),
        "general_points": shown(score.general_points),
        "total": shown(score.total),
        "self_total": shown(score.self_total) if score.self_total is not None else "—",
        "grade": score.grade,
        "grade_label": grade_label(score.grade),
        "stage": label(score.stage) if score.stage != "none" else "—",
        "approved": score.approved_at is not None,
        "forced_fail": (reason.label if reason else score.forced_fail) if score.forced_fail else "",
    }


def _score_of(period, person) -> PeriodScore | None:
    if period is None:
        return None
    return db.session.execute(
        sa.select(PeriodScore).where(
            PeriodScore.period_id == period.id, PeriodScore.staff_id == person.id
        )
    ).scalar_one_or_none()


def _history(person) -> list:
    return db.session.execute(
        sa.select(Period, PeriodScore)
        .join(
            PeriodScore,
            sa.and_(PeriodScore.tenant_id == Period.tenant_id, PeriodScore.period_id == Period.id),
        )
        .where(PeriodScore.staff_id == person.id)
        .order_by(Period.starts_on.desc())
    ).all()


def _context(person, period) -> dict:
    score = _score_of(period, person)
    return {
        "person": person,
        "period": period,
        "score": score,
        "figures": summary(score, period),
        "lines": explain(score, period) if score is not None else [],
        "history": [(p, summary(s, p)) for p, s in _history(person)],
    }


def _person_or_403(staff_id: str) -> StaffMember:
    person = or_404(staff.get_staff, staff_id)
    if person.user_id != current_user.id and not work.can_manage(current_user, person):
        abort(403)
    return person


@bp.get("/my/score")
@tenant_user_required()
def my_score():
    me = own_staff()
    period = selected_period()
    if me is None:
        return render_template("evaluation/score.html", person=None, period=period, mine=True)
    return render_template("evaluation/score.html", mine=True, **_context(me, period))


@bp.get("/scores/<staff_id>")
@tenant_user_required()
def person_score(staff_id: str):
    person = _person_or_403(staff_id)
    return render_template(
        "evaluation/score.html",
        mine=person.user_id == current_user.id,
        **_context(person, selected_period()),
    )


@bp.get("/scores/<staff_id>/live")
@tenant_user_required()
def person_score_live(staff_id: str):
    person = _person_or_403(staff_id)
    context = _context(person, selected_period())
    score = context["score"]
    return jsonify(
        version=score.computed_at.isoformat() if score is not None else None,
        values=context["figures"] | {"grade": context["figures"].get("grade_label", "—")}
        if score is not None
        else {},
        html={"score": render_template("evaluation/_score_body.html", **context)},
    )


@bp.get("/results")
@tenant_user_required()
def results():
    """The unit's published results of a period (every account of the unit may read them)."""
    published = [p for p in periods.list_periods() if p.published_at is not None]
    period = selected_period()
    if period is not None and period.published_at is None:
        period = published[0] if published else None
    rows = []
    if period is not None:
        rows = db.session.execute(
            sa.select(PeriodScore, StaffMember)
            .join(
                StaffMember,
                sa.and_(
                    StaffMember.tenant_id == PeriodScore.tenant_id,
                    StaffMember.id == PeriodScore.staff_id,
                ),
            )
            .where(PeriodScore.period_id == period.id)
            .order_by(StaffMember.full_name)
        ).all()
    return render_template(
        "evaluation/results.html",
        period=period,
        published=published,
        rows=[(person, summary(score, period)) for score, person in rows],
    )
