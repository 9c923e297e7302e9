"""The daily chain check raises a province alert for a tampered chain, and only then."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.jobs.audit import verify_chains
from tenant_app.models import ProvinceAuditEvent
from tests.audit.helpers import unguarded


def _alerts():
    stmt = sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "audit.chain_broken")
    return db.session.execute(stmt).scalars().all()


def test_audit_job_records_chain_broken_on_province_chain(app, trail, tenant_a):
    """A tampered unit chain becomes an ``audit.chain_broken`` event naming chain and event."""
    with unguarded(app.config["KPI_DATABASE_OWNER_URL"]) as conn:
        conn.execute(sa.text("DELETE FROM audit_events WHERE seq = 1 AND tenant_id = :t"),
                     {"t": tenant_a.id})  # fmt: skip
    db.session.expire_all()
    result = verify_chains(None)
    assert result["broken"] == [f"tenant:{tenant_a.id}"]
    (alert,) = _alerts()
    assert alert.subject_tenant_id == tenant_a.id
    assert alert.after == {"chain": f"tenant:{tenant_a.id}", "seq": 1,
                           "reason": "missing or reordered event"}  # fmt: skip


def test_audit_job_intact_records_nothing(app, trail):
    """An intact trail raises no alert."""
    assert verify_chains(None)["broken"] == []
    assert _alerts() == []
