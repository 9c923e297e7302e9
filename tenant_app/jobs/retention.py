"""Retention jobs: the daily purge of stored files past their policy, one job per unit.

``daily_all`` (province-level, from the schedule) enqueues ``purge`` for EVERY unit, archived and
suspended ones included (their files follow the same policy), then purges the province's own
export files itself.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.background import DEFAULT, enqueue, paths
from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant
from tenant_app.services.files import retention, retention_province


def daily_all(tenant_id: None, day: str | None = None) -> dict:
    """Province-level (``tenant_id`` is None): enqueue ``purge`` for every unit on ``day``
    (today in the province's time zone by default) and purge the province's exports."""
    today = date.fromisoformat(day) if day else retention.local_today()
    ids = list(db.session.execute(sa.select(Tenant.id).order_by(Tenant.id)).scalars())
    for tid in ids:
        enqueue(DEFAULT, paths.RETENTION_PURGE, tid, today.isoformat())
    outcome = retention_province.purge_province(today)
    db.session.commit()
    return {"tenants": len(ids), **outcome.summary()}


def purge(tenant_id: int, day: str) -> dict:
    """Purge the unit's files due on ``day`` (the runner commits with the run); idempotent:
    a second run the same day finds nothing left to purge and records nothing."""
    return retention.purge_tenant(date.fromisoformat(day)).summary()
