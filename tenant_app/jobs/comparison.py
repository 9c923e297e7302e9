"""Comparison jobs (queue ``scoring``): rebuild a unit's precomputed figures after a change.

A commit that changed a period asks for ``refresh_period`` (``aggregates.mark_changed``); a
refresh already waiting in the queue for the same period absorbs the new request (its rebuild
reads everything afresh when it runs), so a burst of changes costs one rebuild.
"""

from __future__ import annotations

import uuid

from tenant_app.background import SCORING, enqueue, paths
from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.models.tenants import Tenant
from tenant_app.services.comparison import aggregates


def refresh_period(tenant_id: int, period_id: str) -> dict:
    """Rebuild the month, quarter and year figures of one period of the unit; idempotent."""
    period = db.session.get(Period, (tenant_id, uuid.UUID(period_id)))
    if period is None:
        return {"skipped": "period not found"}
    return {"rows": aggregates.refresh_period(period)}


def refresh_tenant(tenant_id: int) -> dict:
    """Rebuild every scope of every period of the unit (after a restore or an upgrade)."""
    scopes = {
        scope
        for period in db.session.query(Period).all()
        for scope, _kind in aggregates.scopes_of(period)
    }
    rows = sum(aggregates.refresh_scope(scope) for scope in sorted(scopes))
    return {"scopes": len(scopes), "rows": rows}


def refresh_all(tenant_id: None = None) -> dict:
    """Province-level (``tenant_id`` None): one ``refresh_tenant`` job per unit, nightly."""
    ids = [t.id for t in db.session.query(Tenant).order_by(Tenant.id)]
    for tid in ids:
        enqueue(SCORING, paths.COMPARISON_REFRESH_TENANT, tid)
    return {"tenants": len(ids)}
