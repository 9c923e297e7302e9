"""The competent authority's entry of a unit's rating (called through
``tenancy.door.unit_rating_write`` only, with the unit in context).

A period's rating is frozen once the period is locked or published; a year's once its annual
classification is approved or published. A change re-scores the head of that period (the
existing re-score job), whose grade the rating may cap.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring import Grade
from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.evaluation import AnnualClassification, PeriodScore
from tenant_app.models.unit_rating import UnitRating
from tenant_app.models.vocabulary import AnnualStatus, PeriodStatus
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.evaluation import periods, scores, unit_ratings
from tenant_app.services.evaluation.unit_head import unit_head

MIN_REASON = 10
YEAR_CODE = re.compile(r"^\d{4}$")
# A period's code ("2026-11", "2026-Q4") or a year's ("2026"); anything else names no period.
KNOWN_CODE = re.compile(r"^\d{4}(-(\d{2}|Q[1-4]))?$")
MAX_SCORE = Decimal(100)


def _score(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 <= number <= MAX_SCORE:
        raise ServiceError(
            "invalid_score", _("Điểm của đơn vị phải là số từ 0 đến 100."), field="score"
        )
    if number != number.quantize(Decimal("0.000001")):
        raise ServiceError(
            "invalid_score", _("Điểm của đơn vị có tối đa 6 chữ số thập phân."), field="score"
        )
    return number.quantize(Decimal("0.000001"))  # as stored: 6 places


def _target(code: str):
    """(year, period or None) for ``code``; ServiceError 404 for an unknown period, 409 when
    frozen."""
    code = (code or "").strip()
    if not KNOWN_CODE.match(code) or not 2000 <= int(code[:4]) <= 2100:
        raise ServiceError("not_found", _("Không tìm thấy kỳ đánh giá."), status=404)
    if YEAR_CODE.match(code):
        year = int(code)
        frozen = db.session.execute(
            sa.select(sa.func.count())
            .select_from(AnnualClassification)
            .where(
                AnnualClassification.year == year,
                AnnualClassification.status != AnnualStatus.PROPOSED,
            )
        ).scalar_one()
        if frozen:
            raise Conflict(
                "rating_frozen",
                _("Xếp loại năm %(y)d đã phê duyệt: xếp loại đơn vị không thay đổi được.", y=year),
            )
        return year, None
    period = periods.find_period(code)
    if period is None:
        raise ServiceError("not_found", _("Không tìm thấy kỳ đánh giá."), status=404)
    if period.status == PeriodStatus.LOCKED or period.published_at is not None:
        raise Conflict(
            "rating_frozen",
            _("Kỳ %(p)s đã khóa hoặc đã công bố: xếp loại đơn vị không thay đổi được.", p=code),
        )
    return period.year, period


def set_rating(
    code: str,
    *,
    grade: str,
    reason: str,
    decision_ref: str,
    decision_date: date | None = None,
    score=None,
    note: str | None = None,
    actor,
) -> UnitRating:
    """Record the competent authority's rating of the unit for period (or year) ``code``.

    Replaces any earlier rating of that code (the indicators' proposal or an earlier decision);
    audited (``unit_rating.set`` with before and after) in the unit's chain. Raises
    ServiceError for an unknown grade, a short reason, a missing decision reference, a bad
    score; 404 for an unknown period; 409 when the period or year is frozen. The caller commits.
    """
    if grade not in {g.value for g in Grade}:
        raise ServiceError("invalid_grade", _("Mức xếp loại không hợp lệ."), field="grade")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ServiceError(
            "reason_required",
            _("Cần ghi rõ lý do (ít nhất %(n)d ký tự).", n=MIN_REASON),
            field="reason",
        )
    decision_ref = (decision_ref or "").strip()
    if not decision_ref:
        raise ServiceError(
            "decision_required",
            _("Cần ghi số, ký hiệu văn bản quyết định xếp loại đơn vị."),
            field="decision_ref",
        )
    number = _score(score)
    year, period = _target(code)
    code = code.strip()
    row = unit_ratings.stored(code)
    before = None
    if row is None:
        row = UnitRating(year=year, period_code=code, period_id=period and period.id)
        db.session.add(row)
    else:
        before = _audited(row)
    row.grade, row.score, row.source = grade, number, "authority"
    row.decided_by = getattr(actor, "username", None)
    row.decision_ref = decision_ref[:100]
    row.decision_date = decision_date
    row.reason = reason[:1000]
    row.note = (note or "").strip()[:1000] or None
    db.session.flush()
    audit.record(
        "unit_rating.set",
        object_type="unit_rating",
        object_id=row.id,
        before=before,
        after=_audited(row),
        actor=actor,
    )
    if period is not None:
        _rescore_head(period)
    return row


def _audited(row: UnitRating) -> dict:
    return {
        "period": row.period_code,
        "grade": row.grade,
        "score": None if row.score is None else str(row.score),
        "source": row.source,
        "decision_ref": row.decision_ref,
        "decision_date": None if row.decision_date is None else row.decision_date.isoformat(),
        "reason": row.reason,
    }


def _rescore_head(period) -> None:
    """Re-score the period's head (after commit, the existing job) when the cap applies."""
    if not unit_ratings.head_capped(period=period):
        return
    head = unit_head(on=period.ends_on)
    if head is None:
        return
    has_score = db.session.execute(
        sa.select(PeriodScore.id).where(
            PeriodScore.period_id == period.id, PeriodScore.staff_id == head.id
        )
    ).first()
    if has_score is not None:
        scores.mark_stale(period, head.id)
