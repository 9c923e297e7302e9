"""Stored period scores for the annual and income tests (the engine itself is tested elsewhere)."""

from __future__ import annotations

from decimal import Decimal

from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import PeriodScore
from tenant_app.services.evaluation import periods


def stored_score(period, staff_id, total, grade, *, approved=True, forced_fail=None):
    """A PeriodScore row as score_people would leave it (approved unless told otherwise)."""
    row = PeriodScore(
        period_id=period.id,
        staff_id=staff_id,
        a=Decimal(0),
        b=Decimal(0),
        c=Decimal(0),
        task_score=Decimal(0),
        task_points=Decimal(0),
        general_points=Decimal(0),
        total=Decimal(str(total)),
        grade=grade,
        forced_fail=forced_fail,
        stage="manager",
        explanation=[],
        rule_set=period.rule_set,
        inputs_digest="test",
        approved_at=utcnow() if approved else None,
    )
    db.session.add(row)
    return row


def open_month(number: int, year: int = 2026):
    return periods.find_period(f"{year}-{number:02d}") or periods.open_period(
        year=year, number=number, kind="month"
    )
