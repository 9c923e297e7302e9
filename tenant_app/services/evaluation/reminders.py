"""Scheduled evaluation work of one tenant: open the new period on time, remind people of deadlines.

Idempotent: a period is opened once (its code is unique) and each reminder carries a dedupe key,
so running the job twice on a day changes nothing the second time.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assessment, Assignment, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import AssessmentStage, PeriodStatus, ReportStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import periods
from tenant_app.services.workspace import notifications
from tenant_app.tenancy.context import get_current_tenant


def open_due_period(today: date) -> Period | None:
    """Open the period that starts ``today`` when the tenant asked for automatic opening.

    Setting ``auto_open_periods`` (true/false) in the tenant's settings; returns the new period,
    or None when nothing was due, disabled, or already open.
    """
    settings = get_current_tenant().settings or {}
    if not settings.get("auto_open_periods"):
        return None
    kind = periods.schedule()["kind"]
    number = today.month if kind == "month" else (today.month - 1) // 3 + 1
    starts, _ends = periods.period_bounds(kind, today.year, number)
    if starts != today or periods.find_period(periods.period_code(kind, today.year, number)):
        return None
    try:
        return periods.open_period(year=today.year, number=number, kind=kind)
    except ServiceError:
        return None


def _people(ids) -> list[StaffMember]:
    if not ids:
        return []
    return list(
        db.session.execute(sa.select(StaffMember).where(StaffMember.id.in_(list(ids)))).scalars()
    )


def send_reminders(today: date) -> dict:
    """Notify, for every open period whose window closes tomorrow, who still has to act.

    Reporting: people with an assignment not yet submitted; self-assessment: people with work and
    no self-assessment; review: managers of people with a submitted, unreviewed report. Returns the
    number of reminders created per kind.
    """
    tomorrow = today + timedelta(days=1)
    sent = {"report": 0, "self_assessment": 0, "review": 0}
    open_periods = (
        db.session.execute(sa.select(Period).where(Period.status == PeriodStatus.OPEN))
        .scalars()
        .all()
    )
    for period in open_periods:
        if period.report_until == tomorrow:
            pending = (
                db.session.execute(
                    sa.select(Assignment.staff_id)
                    .outerjoin(Report, tenant_join(Report.assignment_id, Assignment.id))
                    .where(
                        Assignment.period_id == period.id,
                        sa.or_(
                            Report.id.is_(None),
                            Report.status.in_((ReportStatus.DRAFT, ReportStatus.RETURNED)),
                        ),
                    )
                    .distinct()
                )
                .scalars()
                .all()
            )
            for person in _people(pending):
                if notifications.notify_staff(
                    person,
                    "window_closing",
                    _("Ngày mai hết hạn báo cáo kết quả kỳ %(code)s.", code=period.code),
                    link="work",
                    dedupe=f"remind:report:{period.id}",
                ):
                    sent["report"] += 1
        if period.self_assessment_until == tomorrow:
            with_work = set(
                db.session.execute(
                    sa.select(Assignment.staff_id)
                    .where(Assignment.period_id == period.id)
                    .distinct()
                ).scalars()
            )
            done = set(
                db.session.execute(
                    sa.select(Assessment.staff_id).where(
                        Assessment.period_id == period.id, Assessment.stage == AssessmentStage.SELF
                    )
                ).scalars()
            )
            for person in _people(with_work - done):
                if notifications.notify_staff(
                    person,
                    "window_closing",
                    _("Ngày mai hết hạn tự đánh giá kỳ %(code)s.", code=period.code),
                    link="assessment",
                    dedupe=f"remind:self:{period.id}",
                ):
                    sent["self_assessment"] += 1
        if period.review_until == tomorrow:
            waiting = (
                db.session.execute(
                    sa.select(StaffMember.manager_id)
                    .join(Assignment, tenant_join(Assignment.staff_id, StaffMember.id))
                    .join(Report, tenant_join(Report.assignment_id, Assignment.id))
                    .where(
                        Assignment.period_id == period.id,
                        Report.status == ReportStatus.SUBMITTED,
                        StaffMember.manager_id.is_not(None),
                    )
                    .distinct()
                )
                .scalars()
                .all()
            )
            for manager in _people(waiting):
                if notifications.notify_staff(
                    manager,
                    "window_closing",
                    _(
                        "Ngày mai hết hạn thẩm định kỳ %(code)s; còn báo cáo chờ thẩm định.",
                        code=period.code,
                    ),
                    link="review",
                    dedupe=f"remind:review:{period.id}",
                ):
                    sent["review"] += 1
    return sent
