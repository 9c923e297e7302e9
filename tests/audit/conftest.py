"""Audit fixtures: a few recorded events in two units and on the province chain."""

from __future__ import annotations

import pytest

from tenant_app import audit
from tenant_app.extensions import db
from tests.audit.helpers import record_in


@pytest.fixture()
def trail(tenant_a, tenant_b, admin_a, admin_b, staff_a):
    """Events in both units: account updates with before/after, a login, one marked for B only."""
    record_in(
        tenant_a,
        "account.updated",
        object_type="user",
        object_id="u-1",
        before={"full_name": "Nguyễn Văn Cũ", "active": True},
        after={"full_name": "Nguyễn Văn Mới", "active": True},
        actor=admin_a,
    )
    record_in(tenant_a, "auth.login", object_type="account", object_id="u-2", actor=staff_a)
    record_in(tenant_b, "account.created", object_type="user", object_id="b-only", actor=admin_b)
    audit.record("tenant.created", object_type="tenant", object_id="phuong-a", province=True,
                 subject_tenant_id=tenant_a.id)  # fmt: skip
    db.session.commit()
