"""Audit events: written with the change, hash-chained per tenant, tampering found by verify."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models import AuditEvent
from tenant_app.services.audit.audit_chain import verify_all
from tenant_app.tenancy import tenant_context
from tests.audit.helpers import unguarded
from tests.helpers import requires_postgres


def _record_three(tenant):
    with tenant_context(tenant):
        for i in range(3):
            audit.record(f"test.event{i}", object_type="test", after={"i": i, "tên": "Hòa"})
        db.session.commit()


def test_audit_chain_links_events(tenant_a):
    """Each event carries its predecessor's hash and a sequence number."""
    _record_three(tenant_a)
    with tenant_context(tenant_a):
        events = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash


def test_audit_chains_are_per_tenant(tenant_a, tenant_b):
    """Two units each start their own chain at 1."""
    _record_three(tenant_a)
    _record_three(tenant_b)
    checked, broken = verify_all()
    assert checked == 6 and broken == []


def test_audit_verify_finds_tampering(app, tenant_a):
    """An event changed in the database (its triggers dropped) is named by `kpi audit verify`."""
    _record_three(tenant_a)
    with unguarded(app.config["KPI_DATABASE_OWNER_URL"]) as conn:
        conn.execute(sa.text("UPDATE audit_events SET action = 'test.forged' WHERE seq = 2"))
    db.session.expire_all()
    result = CliRunner().invoke(app.cli, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"tenant:{tenant_a.id} at event #2" in result.output


def test_audit_verify_ok_exits_zero(app, tenant_a):
    """An intact trail verifies with exit status 0."""
    _record_three(tenant_a)
    result = CliRunner().invoke(app.cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_audit_event_rolls_back_with_the_change(tenant_a):
    """An event whose transaction is rolled back leaves no trace (same transaction)."""
    with tenant_context(tenant_a):
        audit.record("test.rolled_back")
        db.session.flush()
        db.session.rollback()
        assert db.session.execute(sa.select(AuditEvent)).scalars().all() == []


@requires_postgres
def test_audit_app_role_cannot_update_or_delete_events(app, tenant_a):
    """The app's database role may only insert and read audit events."""
    _record_three(tenant_a)
    with db.engine.connect() as conn:
        conn.execute(
            sa.text("SELECT set_config('kpi.tenant_id', :t, false)"), {"t": str(tenant_a.id)}
        )
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            try:
                conn.execute(sa.text(statement))
            except sa.exc.ProgrammingError as error:
                assert "permission denied" in str(error)
                conn.rollback()
            else:
                raise AssertionError(f"{statement} was allowed")
