"""Discipline decisions and other forced-fail conclusions: recorded with number, date, authority.

A recorded decision makes every score of the person in that year a fail (KHTNV) whatever the
points; once committed, the person is re-scored in every period of the year in which they
have a score (open, closed or locked, published or not), with the decision as the reason kept
with any revision of a published result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import SEVERITIES, DisciplineRecord, Period, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.evaluation import scores
from tenant_app.services.evaluation.assessments import is_head_of_agency

REASONS = ("discipline", "degradation", "leader_corruption")
# The reason kept with every revision a decision causes. Plain Vietnamese, not translated: the
# audit trail records the legal document, in the same words whoever recorded it.
REVISION_REASONS = {
    "discipline": "Quyết định kỷ luật số {number} ngày {day} của {authority}",
    "degradation": (
        "Kết luận suy thoái tư tưởng chính trị, đạo đức, lối sống số {number} ngày {day} "
        "của {authority}"
    ),
    "leader_corruption": (
        "Quyết định xử lý tham nhũng, lãng phí trong đơn vị phụ trách số {number} ngày {day} "
        "của {authority}"
    ),
}


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
            # Named here too: a locked period that was never published changes without a
            # revision event of its own.
            "periods_rescored": [p.code for p in periods_to_rescore(row)],
        },
        actor=actor,
    )
    # Re-score the person in every period the decision affects, once this is committed. Each
    # re-score carries the decision as its reason, so a published result that changes is counted
    # as a revision after publication with the decision as its reason.
    reason = revision_reason(row)
    for period in periods_to_rescore(row):
        scores.mark_stale(period, person.id, reason)
    return row


def periods_to_rescore(row: DisciplineRecord) -> list[Period]:
    """Every period of the decision's year in which the person has a score, oldest first.

    Whatever the period's status: the decision fails the whole year, and a closed or locked
    period left as it was would show a grade the law no longer allows (a later recompute would
    change it anyway, without saying why).
    """
    return list(
        db.session.execute(
            sa.select(Period)
            .join(PeriodScore, tenant_join(PeriodScore.period_id, Period.id))
            .where(Period.year == row.decision_date.year, PeriodScore.staff_id == row.staff_id)
            .order_by(Period.starts_on, Period.kind)
        ).scalars()
    )


def revision_reason(row: DisciplineRecord) -> str:
    """Return the reason kept with the revisions the decision causes, in Vietnamese, e.g.
    "Quyết định kỷ luật số 12/QĐ-UBND ngày 05/11/2026 của Chủ tịch UBND phường"."""
    template = REVISION_REASONS.get(row.reason, REVISION_REASONS["discipline"])
    return template.format(
        number=row.decision_number,
        day=row.decision_date.strftime("%d/%m/%Y"),
        authority=row.authority,
    )


@dataclass(frozen=True)
class Rescored:
    """How many periods a decision re-scored, and how many of them were already published."""

    periods: int
    published: int


def affected(row: DisciplineRecord) -> Rescored:
    """How many periods the decision re-scores (``record`` marks them), and how many of them
    were already published."""
    due = periods_to_rescore(row)
    return Rescored(periods=len(due), published=sum(1 for p in due if p.published_at is not None))
