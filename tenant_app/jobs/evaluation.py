"""Daily evaluation jobs: open due periods, move periods on at their window ends (the calendar),
send deadline reminders; one job per tenant."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.background import DEFAULT, enqueue, paths
from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.services.evaluation import calendar, reminders


def daily_all(tenant_id: None) -> dict:
    """Province-level (``tenant_id`` is None): enqueue ``daily`` for every unit in service."""
    serving = [s.value for s in TenantStatus if s.serves_users]
    ids = list(
        db.session.execute(
            sa.select(Tenant.id).where(Tenant.status.in_(serving)).order_by(Tenant.id)
        ).scalars()
    )
    for tid in ids:
        enqueue(DEFAULT, paths.EVALUATION_DAILY, tid, date.today().isoformat())
    return {"tenants": len(ids)}


def daily(tenant_id: int, day: str) -> dict:
    """Open the period due on ``day`` (if the unit opens them automatically), move periods on
    at their window ends (``calendar.run``) and send the reminders of windows closing the next
    day; idempotent."""
    today = date.fromisoformat(day)
    opened = reminders.open_due_period(today)
    moved = calendar.run(today)
    sent = reminders.send_reminders(today)
    return {"opened": None if opened is None else opened.code, **sent, "calendar": moved}
