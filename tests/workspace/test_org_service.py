"""Org chart service: codes, tree without cycles, history of names and parents, deactivation."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, OrgUnit
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.workspace import org
from tenant_app.tenancy import tenant_context


def test_org_unit_duplicate_code_is_refused_with_field_message(tenant_a, org_a):
    """A second unit with a used code is a Conflict on ``code`` with a Vietnamese message."""
    with tenant_context(tenant_a), pytest.raises(Conflict) as caught:
        org.create_org_unit({"code": "VP", "name": "Khác", "kind": "body"})
    assert caught.value.field == "code"
    assert caught.value.message == "Mã đơn vị đã được sử dụng trong đơn vị."


def test_org_unit_same_code_in_another_tenant_is_allowed(tenant_a, tenant_b, org_a):
    """Codes are unique per tenant, not across tenants."""
    with tenant_context(tenant_b):
        unit = org.create_org_unit({"code": "VP", "name": "Văn phòng", "kind": "body"})
        db.session.commit()
    assert unit.tenant_id == tenant_b.id


def test_org_unit_move_under_own_descendant_is_refused(tenant_a, org_a):
    """Making the committee a child of its own office would close a cycle: refused on parent_id."""
    with tenant_context(tenant_a):
        root = org.get_org_unit(org_a["root"])
        with pytest.raises(ServiceError) as caught:
            org.update_org_unit(root, {"parent_id": org_a["body"]})
        db.session.rollback()
    assert caught.value.field == "parent_id"
    assert "cấp dưới" in caught.value.message


def test_org_unit_parent_of_itself_is_refused(tenant_a, org_a):
    """A unit cannot be its own parent."""
    with tenant_context(tenant_a):
        body = org.get_org_unit(org_a["body"])
        with pytest.raises(ServiceError, match="chính đơn vị"):
            org.update_org_unit(body, {"parent_id": org_a["body"]})
        db.session.rollback()


def test_org_unit_parent_from_other_tenant_is_refused(tenant_a, org_a, org_b):
    """A parent id of tenant B is unknown in tenant A: ServiceError on parent_id."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        org.create_org_unit({"code": "X1", "name": "X", "kind": "body", "parent_id": org_b["root"]})
    assert caught.value.field == "parent_id"


def test_org_unit_rename_and_move_keep_history(tenant_a, org_a):
    """After a rename and a move, the name and parent at an earlier date are still recoverable."""
    with tenant_context(tenant_a):
        other = org.create_org_unit(
            {
                "code": "KT",
                "name": "Phòng Kinh tế",
                "kind": "body",
                "effective_from": date(2025, 7, 1),
            }
        )
        body = org.get_org_unit(org_a["body"])
        org.update_org_unit(
            body,
            {"name": "Văn phòng UBND", "parent_id": other.id, "effective_from": date(2026, 3, 1)},
        )
        db.session.commit()
        old = org.unit_at(body.id, date(2026, 2, 28))
        new = org.unit_at(body.id, date(2026, 3, 1))
        before = org.unit_at(body.id, date(2025, 6, 30))
    assert (old.name, old.parent_id) == ("Văn phòng HĐND và UBND", org_a["root"])
    assert (new.name, new.parent_id) == ("Văn phòng UBND", other.id)
    assert before is None


def test_org_unit_change_dated_before_history_is_refused(tenant_a, org_a):
    """A rename cannot be dated before the unit's latest recorded change."""
    with tenant_context(tenant_a):
        body = org.get_org_unit(org_a["body"])
        with pytest.raises(ServiceError) as caught:
            org.update_org_unit(body, {"name": "Y", "effective_from": date(2025, 1, 1)})
        db.session.rollback()
    assert caught.value.field == "effective_from"


def test_org_unit_head_from_other_tenant_is_refused(tenant_a, org_a, org_b):
    """The head must be a staff record of the same tenant."""
    with tenant_context(tenant_a):
        body = org.get_org_unit(org_a["body"])
        with pytest.raises(ServiceError) as caught:
            org.update_org_unit(body, {"head_staff_id": org_b["head"]})
        db.session.rollback()
    assert caught.value.field == "head_staff_id"


def test_org_unit_with_people_cannot_be_deactivated(tenant_a, org_a):
    """A unit with people posted in it stays active."""
    with tenant_context(tenant_a):
        body = org.get_org_unit(org_a["body"])
        with pytest.raises(Conflict):
            org.deactivate_org_unit(body)
        db.session.rollback()


def test_org_unit_changes_are_audited(tenant_a, org_a):
    """Creating and updating units writes audit events in the tenant's chain."""
    with tenant_context(tenant_a):
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
    assert actions.count("org_unit.created") == 2
    assert "org_unit.updated" in actions


def test_org_tree_lists_parents_before_children(tenant_a, org_a):
    """The tree view gives the committee at depth 0 and its office at depth 1."""
    with tenant_context(tenant_a):
        rows = [(u.code, depth) for u, depth in org.tree()]
    assert rows == [("UB", 0), ("VP", 1)]


def test_org_unit_unknown_field_is_refused(tenant_a):
    """A misspelt key from an importer is an error, not silently ignored."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        org.create_org_unit({"code": "A", "name": "A", "kind": "body", "nmae": "x"})
    assert caught.value.field == "nmae"
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(OrgUnit)).scalars().all() == []
