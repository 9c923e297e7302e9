"""The one cross-tenant door: province roles only, audited, read-only, and used nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, User
from tenant_app.tenancy import CrossTenantWrite
from tenant_app.tenancy.door import DoorRefused, cross_tenant_read

ROOT = Path(__file__).resolve().parents[2]


def test_door_reads_every_tenant_for_auditor(auditor, staff_a, staff_b):
    """Inside the door an auditor sees the rows of every unit."""
    with cross_tenant_read("test", actor=auditor):
        names = set(db.session.execute(sa.select(User.username)).scalars())
    assert {"staff.a", "staff.b"} <= names


def test_door_records_an_audit_event(auditor, tenant_a):
    """Each opening of the door is a province audit event naming actor and purpose."""
    with cross_tenant_read("so sánh kết quả", actor=auditor, tenant_ids=[tenant_a.id]):
        pass
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "cross_tenant.read")
    ).scalar_one()
    assert event.actor_name == "tinh.thanhtra"
    assert event.after == {"purpose": "so sánh kết quả", "tenants": [tenant_a.id]}


def test_door_refuses_tenant_users(admin_a):
    """A unit user (even an administrator) cannot open the door."""
    with pytest.raises(DoorRefused), cross_tenant_read("test", actor=admin_a):
        pass


def test_door_refuses_anonymous(app):
    """Nobody logged in: no door."""
    with app.test_request_context(), pytest.raises(DoorRefused), cross_tenant_read("test"):
        pass


def test_door_is_read_only(auditor, staff_a):
    """A write to a tenant table inside the door is refused."""
    with cross_tenant_read("test", actor=auditor):
        user = db.session.execute(sa.select(User)).scalars().first()
        user.full_name = "Changed through the door"
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
    db.session.rollback()


def test_door_bypass_is_used_nowhere_else():
    """Only tenancy/context.py (defines it) and tenancy/door.py use the scope bypass."""
    # door.py also holds the narrow writes into units, each in ordinary tenant context (no
    # bypass): head_review_write, unit_rating_write (the province enters a public service
    # unit's rating) and transfer_write (two units, each in its own ordinary scope: its steps are
    # called from door.py only, tests/province/test_transfers.py checks).
    allowed = {ROOT / "tenant_app/tenancy/context.py", ROOT / "tenant_app/tenancy/door.py"}
    pattern = re.compile(
        r"_cross_tenant_read_scope|kpi\.cross_tenant'?\s*,\s*'on'|_cross_tenant_read\.set"
    )
    offenders = []
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "tests", "node_modules"} for part in path.relative_to(ROOT).parts):
            continue
        if path in allowed:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_read_one_tenant_sees_only_that_unit_and_is_read_only(auditor, tenant_a, staff_a, staff_b):
    """The drill-down door scopes to one unit (nothing of another) and refuses writes."""
    from tenant_app.tenancy.door import read_one_tenant

    with read_one_tenant(tenant_a, "drill-down", actor=auditor):
        names = set(db.session.execute(sa.select(User.username)).scalars())
        assert "staff.a" in names and "staff.b" not in names
        user = db.session.execute(sa.select(User).where(User.username == "staff.a")).scalar_one()
        user.full_name = "Changed through the door"
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
    db.session.rollback()
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "cross_tenant.read")
    ).scalar_one()
    assert event.after == {"purpose": "drill-down", "tenants": [tenant_a.id]}


def test_read_one_tenant_refuses_tenant_users(admin_a, tenant_b):
    from tenant_app.tenancy.door import read_one_tenant

    with pytest.raises(DoorRefused), read_one_tenant(tenant_b, "test", actor=admin_a):
        pass
