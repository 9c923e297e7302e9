"""Break-glass jobs: every few minutes, disable the province's expired break-glass accounts.

The expiry already holds at every login, request and API call (``User.is_active``); this job
makes it visible: the account is marked disabled and its grant closed, audited in the unit.
"""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.background import DEFAULT, enqueue, paths
from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.services.province import break_glass


def expire_all(tenant_id: None) -> dict:
    """Province-level (``tenant_id`` is None): enqueue ``expire`` for every unit not archived."""
    ids = list(
        db.session.execute(
            sa.select(Tenant.id).where(Tenant.status != TenantStatus.ARCHIVED).order_by(Tenant.id)
        ).scalars()
    )
    for tid in ids:
        enqueue(DEFAULT, paths.BREAK_GLASS_EXPIRE, tid)
    return {"tenants": len(ids)}


def expire(tenant_id: int) -> dict:
    """Close the unit's expired break-glass grants and disable their accounts; idempotent."""
    closed = break_glass.expire_due()
    db.session.commit()
    return {"closed": closed}
