"""A team's progress in a period, as the manager's dashboard and its live answer show it.

Read on every poll of a live dashboard, so it reads plain rows (no ORM entities, no score inputs
or explanations): one query for the work and its reports, one for the scores.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from scoring.numbers import to_fraction
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assignment, Period, PeriodScore, Report
from tenant_app.models.vocabulary import COUNTED_REPORT_STATUSES, PeriodStatus, ReportStatus


def team_progress(period: Period | None, people, today: date) -> list[dict]:
    """One row per person of ``people``: converted units assigned, reported (counted reports) and
    accepted, reports waiting, late items (``assignments.is_late``'s rule), and the score.

    ``score_total`` is the exact total (a Fraction) and ``grade`` its code, when scored;
    ``grade_provisional`` says whether they may still change (``score_display.grade_provisional``).
    """
    rows = {
        p.id: {
            "person": p,
            "assigned": Decimal(0),
            "reported": Decimal(0),
            "accepted": Decimal(0),
            "late": 0,
            "waiting": 0,
        }
        for p in people
    }
    if period is None or not rows:
        return list(rows.values())
    work = db.session.execute(
        sa.select(
            Assignment.staff_id,
            Assignment.quantity,
            Assignment.coefficient,
            Assignment.due_on,
            Report.status,
            Report.completed,
            Report.completed_on,
        )
        .outerjoin(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(Assignment.period_id == period.id, Assignment.staff_id.in_(list(rows)))
    )
    for staff_id, quantity, coefficient, due_on, status, completed, completed_on in work:
        row = rows[staff_id]
        row["assigned"] += quantity * coefficient
        if status in COUNTED_REPORT_STATUSES:
            units = completed * coefficient
            row["reported"] += units
            if status == ReportStatus.ACCEPTED:
                row["accepted"] += units
            else:
                row["waiting"] += 1
            late = completed_on is not None and completed_on > due_on
        else:
            late = due_on < today
        if late:
            row["late"] += 1
    settled = period.published_at is not None or period.status == PeriodStatus.LOCKED
    scored = db.session.execute(
        sa.select(
            PeriodScore.staff_id,
            PeriodScore.total,
            PeriodScore.total_exact,
            PeriodScore.grade,
            PeriodScore.approved_at,
        ).where(PeriodScore.period_id == period.id, PeriodScore.staff_id.in_(list(rows)))
    )
    for staff_id, total, total_exact, grade, approved_at in scored:
        row = rows[staff_id]
        row["score_total"] = to_fraction(total_exact or total, "total")
        row["grade"] = grade
        row["grade_provisional"] = not settled and approved_at is None
    return list(rows.values())
