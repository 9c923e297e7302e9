"""General-criteria assessments by stage, the head's approval, and publication of a period.

Chain: self-assessment → direct manager → head of the agency approves → published to the unit.
Each stage's points are kept; the score uses the latest stage present.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import Assessment, Assignment, Period, PeriodScore, Report
from tenant_app.models.staff import StaffMember
from tenant_app.services import aggregates, notifications, periods, staff, work
from tenant_app.services.errors import ServiceError

STAGE_WINDOW = {"self": "self_assessment", "manager": "review", "leader": "approval"}


def is_head_of_agency(user) -> bool:
    """The head approves: a manager whose staff record has no manager of their own, or an
    account named in the tenant's ``approvers`` setting."""
    if user is None or getattr(user, "is_province", False) or not user.has_role("manager"):
        return False
    from tenant_app.tenancy.context import get_current_tenant

    if user.username in ((get_current_tenant().settings or {}).get("approvers") or []):
        return True
    own = staff.staff_for_user(user)
    return own is not None and own.manager_id is None


def _points(general, params) -> list[Decimal]:
    criteria = params.general_criteria
    if not isinstance(general, list | tuple) or len(general) != len(criteria):
        raise ServiceError(
            "invalid_general",
            _("Cần chấm đủ %(n)d tiêu chí chung.", n=len(criteria)),
            field="general",
        )
    points = []
    for i, (value, criterion) in enumerate(zip(general, criteria, strict=True)):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            number = Decimal(-1)
        if not number.is_finite() or number < 0 or number > criterion.max_points:
            raise ServiceError(
                "invalid_general",
                _(
                    "Điểm tiêu chí “%(name)s” phải từ 0 đến %(max)s.",
                    name=criterion.label,
                    max=f"{criterion.max_points.normalize():f}",
                ),
                field=f"general[{i}]",
            )
        points.append(number)
    return points


def get_assessment(period: Period, person: StaffMember, stage: str) -> Assessment | None:
    return db.session.execute(
        sa.select(Assessment).where(
            Assessment.period_id == period.id,
            Assessment.staff_id == person.id,
            Assessment.stage == stage,
        )
    ).scalar_one_or_none()


def save_assessment(
    period: Period,
    person: StaffMember,
    *,
    stage: str,
    general,
    actor,
    organising=None,
    comment: str | None = None,
    today: date | None = None,
) -> Assessment:
    """Record ``stage``'s general-criteria points (and a leader's organising percent).

    Raises ServiceError for the wrong person at a stage, a closed window, or points out of range.
    """
    if stage not in STAGE_WINDOW:
        raise ServiceError("invalid_stage", _("Bước đánh giá không hợp lệ."), field="stage")
    periods.ensure_window(period, STAGE_WINDOW[stage], today)
    allowed = {
        "self": person.user_id is not None and person.user_id == getattr(actor, "id", None),
        "manager": work.can_manage(actor, person) and person.user_id != actor.id,
        "leader": is_head_of_agency(actor),
    }[stage]
    if not allowed:
        raise ServiceError(
            "forbidden", _("Bạn không thực hiện được bước đánh giá này."), status=403
        )
    points = _points(general, periods.params_of(period))
    org_value = None
    if organising not in (None, ""):
        try:
            org_value = Decimal(str(organising))
        except (InvalidOperation, ValueError):
            org_value = Decimal(-1)
        if not org_value.is_finite() or not 0 <= org_value <= 100:
            raise ServiceError(
                "invalid_organising",
                _("Năng lực tổ chức thực hiện phải từ 0 đến 100%."),
                field="organising",
            )
    row = get_assessment(period, person, stage)
    before = None if row is None else {"general": row.general, "organising": row.organising}
    if row is None:
        row = Assessment(period_id=period.id, staff_id=person.id, stage=stage)
        db.session.add(row)
    row.general = [str(p) for p in points]
    row.organising = org_value
    row.comment = (comment or "").strip() or None
    row.by_user = actor.id
    db.session.flush()
    audit.record(
        f"assessment.{stage}",
        object_type="assessment",
        object_id=row.id,
        before=before,
        after={"general": row.general, "organising": org_value, "staff_id": person.id},
        actor=actor,
    )
    return row


def pending_reviews(period: Period, staff_ids) -> dict:
    """Submitted reports not yet reviewed, counted per person."""
    rows = db.session.execute(
        sa.select(Assignment.staff_id, sa.func.count())
        .join(
            Report,
            sa.and_(
                Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
            ),
        )
        .where(
            Assignment.period_id == period.id,
            Report.status == "submitted",
            Assignment.staff_id.in_(list(staff_ids)),
        )
        .group_by(Assignment.staff_id)
    ).all()
    return dict(rows)


def approve(period: Period, staff_ids, *, actor, today: date | None = None) -> list[PeriodScore]:
    """The head of the agency approves the scores of ``staff_ids``.

    Refused (nothing approved) if any of them has a report not yet reviewed, no manager
    assessment, or no score.
    """
    periods.ensure_window(period, "approval", today)
    if not is_head_of_agency(actor):
        raise ServiceError("forbidden", _("Chỉ người đứng đầu cơ quan mới phê duyệt."), status=403)
    ids = list(staff_ids)
    waiting = pending_reviews(period, ids)
    scores = {
        s.staff_id: s
        for s in db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == period.id, PeriodScore.staff_id.in_(ids)
            )
        ).scalars()
    }
    people = {
        p.id: p
        for p in db.session.execute(sa.select(StaffMember).where(StaffMember.id.in_(ids))).scalars()
    }
    for sid in ids:
        name = people[sid].full_name if sid in people else str(sid)
        if waiting.get(sid):
            raise ServiceError(
                "unreviewed", _("%(name)s còn báo cáo chưa được thẩm định.", name=name), status=409
            )
        if sid not in scores:
            raise ServiceError(
                "no_score", _("%(name)s chưa có điểm để phê duyệt.", name=name), status=409
            )
        if scores[sid].stage not in ("manager", "leader"):
            raise ServiceError(
                "no_manager_assessment",
                _("%(name)s chưa được người quản lý đánh giá.", name=name),
                status=409,
            )
    now = utcnow()
    for sid in ids:
        scores[sid].approved_by, scores[sid].approved_at = actor.id, now
        audit.record(
            "score.approved",
            object_type="period_score",
            object_id=scores[sid].id,
            after={"staff_id": sid, "total": scores[sid].total, "grade": scores[sid].grade},
            actor=actor,
        )
    return [scores[sid] for sid in ids]


def publish(period: Period, *, actor) -> Period:
    """Publish the period's results to the unit once every score is approved."""
    if not is_head_of_agency(actor):
        raise ServiceError(
            "forbidden", _("Chỉ người đứng đầu cơ quan mới công khai kết quả."), status=403
        )
    if period.published_at is not None:
        raise ServiceError("already_published", _("Kết quả kỳ này đã được công khai."), status=409)
    rows = (
        db.session.execute(sa.select(PeriodScore).where(PeriodScore.period_id == period.id))
        .scalars()
        .all()
    )
    if not rows:
        raise ServiceError("no_scores", _("Kỳ đánh giá chưa có kết quả."), status=409)
    unapproved = [r for r in rows if r.approved_at is None]
    if unapproved:
        raise ServiceError(
            "not_approved", _("Còn %(n)d người chưa được phê duyệt.", n=len(unapproved)), status=409
        )
    period.published_at = utcnow()
    aggregates.mark_changed(period)
    audit.record(
        "period.published",
        object_type="period",
        object_id=period.id,
        after={"code": period.code, "people": len(rows)},
        actor=actor,
    )
    people = db.session.execute(
        sa.select(StaffMember).where(StaffMember.id.in_([r.staff_id for r in rows]))
    ).scalars()
    for person in people:
        notifications.notify_staff(
            person,
            "score_published",
            _("Kết quả đánh giá kỳ %(code)s đã được công khai.", code=period.code),
            link="scores",
            dedupe=f"published:{period.id}",
        )
    return period
