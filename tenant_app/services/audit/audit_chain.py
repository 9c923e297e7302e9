"""Verify the audit hash chains: the province chain and one per tenant."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app import background
from tenant_app.audit import BrokenLink, verify_events
from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.tenants import Tenant
from tenant_app.tenancy.context import tenant_context


def verify_all() -> tuple[int, list[BrokenLink]]:
    """Return (events checked, first broken link of each broken chain)."""
    checked, broken = 0, []
    events = list(
        db.session.execute(sa.select(ProvinceAuditEvent).order_by(ProvinceAuditEvent.seq)).scalars()
    )
    checked += len(events)
    link = verify_events(events, "province")
    if link:
        broken.append(link)
    for tenant in db.session.execute(sa.select(Tenant).order_by(Tenant.id)).scalars():
        with tenant_context(tenant):
            events = list(
                db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars()
            )
            db.session.commit()
        checked += len(events)
        link = verify_events(events, f"tenant:{tenant.id}")
        if link:
            broken.append(link)
    return checked, broken


def verify_chain(tenant_id: int | None) -> tuple[int, BrokenLink | None]:
    """Verify one chain: a tenant's (``tenant_id``) or the province's (None).

    Returns (events checked, first broken link or None). The tenant's rows must be readable in
    the caller's scope: that tenant's own request, or the cross-tenant door.
    """
    if tenant_id is None:
        stmt = sa.select(ProvinceAuditEvent).order_by(ProvinceAuditEvent.seq)
        chain = "province"
    else:
        stmt = (
            sa.select(AuditEvent).where(AuditEvent.tenant_id == tenant_id).order_by(AuditEvent.seq)
        )
        chain = f"tenant:{tenant_id}"
    events = list(db.session.execute(stmt).scalars())
    return len(events), verify_events(events, chain)


def request_check() -> None:
    """Run the daily check of every chain now, as a job (each broken chain becomes a province
    ``audit.chain_broken`` event); in-process without Redis, so it has run on return."""
    background.enqueue(background.DEFAULT, background.paths.AUDIT_VERIFY_CHAINS, None)
