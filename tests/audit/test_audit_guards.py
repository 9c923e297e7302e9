"""The database refuses to change or remove audit events, even for the table owner."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.services.audit.audit_chain import verify_all
from tests.audit.helpers import record_in, unguarded
from tests.helpers import requires_postgres

TABLES = ("audit_events", "province_audit_events")


@pytest.fixture()
def events(tenant_a):
    """One event in unit A's chain and one on the province chain."""
    record_in(tenant_a, "test.kept", object_type="test")
    audit.record("test.kept", province=True)
    db.session.commit()


def _owner_refuses(app, statement: str) -> str:
    owner = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    try:
        with pytest.raises(sa.exc.DBAPIError) as caught, owner.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        owner.dispose()
    return str(caught.value)


def _count(app, table: str) -> int:
    owner = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    with owner.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    owner.dispose()
    return n


@pytest.mark.parametrize("table", TABLES)
def test_audit_guard_refuses_update(app, events, table):
    """UPDATE of an audit event fails in the database, for the owner too."""
    message = _owner_refuses(app, f"UPDATE {table} SET action = 'test.forged'")
    assert "append-only" in message
    assert _count(app, table) == 1


@pytest.mark.parametrize("table", TABLES)
def test_audit_guard_refuses_delete(app, events, table):
    """DELETE of audit events fails in the database; the rows stay."""
    message = _owner_refuses(app, f"DELETE FROM {table}")
    assert "append-only" in message
    assert _count(app, table) == 1


@requires_postgres
@pytest.mark.parametrize("table", TABLES)
def test_audit_guard_refuses_truncate(app, events, table):
    """TRUNCATE of an audit table fails on PostgreSQL (a statement-level trigger)."""
    message = _owner_refuses(app, f"TRUNCATE {table} CASCADE")
    assert "append-only" in message
    assert _count(app, table) == 1


def test_audit_guard_lifted_tampering_is_found(app, events, tenant_a):
    """With the triggers lifted a change goes through, and verification names the chain."""
    with unguarded(app.config["KPI_DATABASE_OWNER_URL"]) as conn:
        conn.execute(sa.text("UPDATE province_audit_events SET actor_name = 'ai đó'"))
    db.session.expire_all()
    _checked, broken = verify_all()
    assert [(link.chain, link.seq) for link in broken] == [("province", 1)]


def test_audit_guard_lifted_is_restored(app, events):
    """After the tampering helper's transaction the triggers refuse changes again."""
    with unguarded(app.config["KPI_DATABASE_OWNER_URL"]):
        pass
    assert "append-only" in _owner_refuses(app, "DELETE FROM audit_events")
