"""Scoring jobs (queue ``scoring``): re-score one person after a change, or a whole period."""

from __future__ import annotations

import uuid

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.services.evaluation import scores


def rescore_person(
    tenant_id: int, period_id: str, staff_id: str, reason: str | None = None
) -> dict:
    """Re-score one person (and their leader) in a period; idempotent.

    ``reason`` is recorded with any change to a published result.
    """
    period = db.session.get(Period, (tenant_id, uuid.UUID(period_id)))
    if period is None:
        return {"skipped": "period not found"}
    row = scores.rescore_person(period, uuid.UUID(staff_id), reason=reason)
    return {
        "total": None if row is None else str(row.total),
        "grade": None if row is None else row.grade,
    }


def rescore_period(tenant_id: int, period_id: str) -> dict:
    """Re-score everyone with work in a period (set-based load); idempotent."""
    period = db.session.get(Period, (tenant_id, uuid.UUID(period_id)))
    if period is None:
        return {"skipped": "period not found"}
    return {"scored": len(scores.score_people(period))}
