"""Discipline decisions and other forced-fail conclusions: recorded with number, date, authority.

A recorded decision makes every score of the person in that year a fail (KHTNV) whatever the
points; the person's open periods of the year are re-scored at once by the caller.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.evaluation import SEVERITIES, DisciplineRecord, Period, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.services.assessments import is_head_of_agency
from tenant_app.services.errors import Conflict, ServiceError

REASONS = ("discipline", "degradation", "leader_corruption")


def may_record(user) -> bool:
    """Unit administrators and the head of the agency record decisions."""
    return user is not None and (user.has_role("unit_admin") or is_head_of_agency(user))


def list_records(staff_id=None) -> list[DisciplineRecord]:
    stmt = sa.select(DisciplineRecord).order_by(DisciplineRecord.decision_date.desc())
    if staff_id is not None:
        stmt = stmt.where(DisciplineRecord.staff_id == staff_id)
    return list(db.session.execute(stmt).scalars())


def record(
    person: StaffMember,
    *,
    decision_number: str,
    decision_date,
    authority: str,
    severity: str,
    reason: str = "discipline",
    note: str | None = None,
    actor,
) -> DisciplineRecord:
    """Record a decision for ``person``; returns it. Raises ServiceError naming the bad field."""
    if not may_record(actor):
        raise ServiceError(
            "forbidden",
            _("Chỉ quản trị đơn vị hoặc người đứng đầu mới ghi quyết định kỷ luật."),
            status=403,
        )
    number = (decision_number or "").strip()
    if not 3 <= len(number) <= 64:
        raise ServiceError(
            "invalid_number", _("Số quyết định cần từ 3 đến 64 ký tự."), field="decision_number"
        )
    if not isinstance(decision_date, date):
        raise ServiceError(
            "invalid_date", _("Ngày quyết định không hợp lệ."), field="decision_date"
        )
    if decision_date > date.today():
        raise ServiceError(
            "invalid_date", _("Ngày quyết định không được ở tương lai."), field="decision_date"
        )
    where = (authority or "").strip()
    if not 3 <= len(where) <= 200:
        raise ServiceError(
            "invalid_authority",
            _("Cần ghi cơ quan, người có thẩm quyền quyết định (3–200 ký tự)."),
            field="authority",
        )
    if severity not in SEVERITIES:
        raise ServiceError(
            "invalid_severity", _("Hình thức kỷ luật không hợp lệ."), field="severity"
        )
    if reason not in REASONS:
        raise ServiceError("invalid_reason", _("Lý do không hợp lệ."), field="reason")
    if db.session.execute(
        sa.select(DisciplineRecord.id).where(DisciplineRecord.decision_number == number)
    ).first():
        raise Conflict(
            "duplicate_decision", _("Số quyết định đã được ghi."), field="decision_number"
        )
    row = DisciplineRecord(
        staff_id=person.id,
        decision_number=number,
        decision_date=decision_date,
        authority=where,
        severity=severity,
        reason=reason,
        note=(note or "").strip()[:1000] or None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "discipline.recorded",
        object_type="discipline",
        object_id=row.id,
        after={
            "staff_id": person.id,
            "decision_number": number,
            "decision_date": decision_date,
            "severity": severity,
            "reason": reason,
            "authority": where,
        },
        actor=actor,
    )
    return row


def periods_to_rescore(row: DisciplineRecord) -> list[Period]:
    """The person's open periods of the decision's year that have a score."""
    return list(
        db.session.execute(
            sa.select(Period)
            .join(
                PeriodScore,
                sa.and_(
                    PeriodScore.tenant_id == Period.tenant_id, PeriodScore.period_id == Period.id
                ),
            )
            .where(
                Period.year == row.decision_date.year,
                Period.status == "open",
                PeriodScore.staff_id == row.staff_id,
            )
        ).scalars()
    )
