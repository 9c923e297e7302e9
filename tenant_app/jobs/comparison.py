"""Comparison jobs (queue ``scoring``): rebuild a unit's precomputed figures after a change.

``request`` is called after a commit that changed a period; with Redis, a refresh already
waiting in the queue for the same period absorbs the new request (its rebuild reads everything
afresh when it runs), so a burst of changes costs one rebuild.
"""

from __future__ import annotations

import uuid

from flask import current_app

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.models.tenants import Tenant


def _job_id(tenant_id: int, period_id: str) -> str:
    return f"kpi-aggregates-{tenant_id}-{period_id}"


def request(tenant_id: int, period_id: str) -> None:
    """Enqueue ``refresh_period`` unless one for the same period is still waiting."""
    from tenant_app import jobs

    url = current_app.config.get("KPI_REDIS_URL")
    if url:
        from redis import Redis
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            waiting = Job.fetch(_job_id(tenant_id, period_id), connection=Redis.from_url(url))
            if waiting.get_status(refresh=True) in ("queued", "deferred", "scheduled"):
                return
        except NoSuchJobError:
            pass
    jobs.enqueue(
        jobs.SCORING,
        refresh_period,
        tenant_id,
        period_id,
        rq_job_id=_job_id(tenant_id, period_id),
        commit=False,
    )


def refresh_period(tenant_id: int, period_id: str) -> dict:
    """Rebuild the month, quarter and year figures of one period of the unit; idempotent."""
    from tenant_app.services.comparison import aggregates

    period = db.session.get(Period, (tenant_id, uuid.UUID(period_id)))
    if period is None:
        return {"skipped": "period not found"}
    return {"rows": aggregates.refresh_period(period)}


def refresh_tenant(tenant_id: int) -> dict:
    """Rebuild every scope of every period of the unit (after a restore or an upgrade)."""
    from tenant_app.services.comparison import aggregates

    scopes = {
        scope
        for period in db.session.query(Period).all()
        for scope, _kind in aggregates.scopes_of(period)
    }
    rows = sum(aggregates.refresh_scope(scope) for scope in sorted(scopes))
    return {"scopes": len(scopes), "rows": rows}


def refresh_all(tenant_id: None = None) -> dict:
    """Province-level (``tenant_id`` None): one ``refresh_tenant`` job per unit, nightly."""
    from tenant_app import jobs

    ids = [t.id for t in db.session.query(Tenant).order_by(Tenant.id)]
    for tid in ids:
        jobs.enqueue(jobs.SCORING, refresh_tenant, tid)
    return {"tenants": len(ids)}
