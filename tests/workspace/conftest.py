"""Fixtures of the unit workspace: a small org chart, positions, people and catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.extensions import db
from tenant_app.services.workspace import catalogue, org, positions, staff
from tenant_app.tenancy import tenant_context


def make_structure(tenant, suffix: str = "") -> dict:
    """Create a committee with one body, two positions, a head and a clerk; return their ids."""
    with tenant_context(tenant):
        root = org.create_org_unit(
            {"code": f"UB{suffix}", "name": "UBND phường", "kind": "committee",
             "effective_from": date(2025, 7, 1)}
        )  # fmt: skip
        body = org.create_org_unit(
            {"code": f"VP{suffix}", "name": "Văn phòng HĐND và UBND", "kind": "body",
             "parent_id": root.id, "effective_from": date(2025, 7, 1)}
        )  # fmt: skip
        head_pos = positions.create_position(
            {"code": f"LD{suffix}", "name": "Chánh Văn phòng", "position_group": "leader_head"}
        )
        clerk_pos = positions.create_position(
            {"code": f"CV{suffix}", "name": "Chuyên viên văn thư",
             "position_group": "professional_common"}
        )  # fmt: skip
        head = staff.create_staff(
            {"code": f"NS1{suffix}", "full_name": "Lê Văn Chánh", "staff_type": "cong_chuc",
             "start_date": date(2025, 7, 1), "org_unit_id": body.id,
             "position_id": head_pos.id, "rank_code": "01.002", "monthly_salary": 12000000}
        )  # fmt: skip
        clerk = staff.create_staff(
            {"code": f"NS2{suffix}", "full_name": "Trần Thị Văn", "staff_type": "cong_chuc",
             "start_date": date(2025, 7, 1), "org_unit_id": body.id,
             "position_id": clerk_pos.id, "manager_id": head.id, "quota_group": "CV"}
        )  # fmt: skip
        org.update_org_unit(body, {"head_staff_id": head.id})
        item = catalogue.create_item(
            {"kind": "work_item", "code": f"SP01{suffix}", "name": "Văn bản trình ký",
             "unit_of_measure": "văn bản", "coefficient": "1.5", "org_unit_id": body.id,
             "position_ids": [clerk_pos.id], "effective_from": date(2026, 1, 1)}
        )  # fmt: skip
        db.session.commit()
    return {
        "root": root.id,
        "body": body.id,
        "head_pos": head_pos.id,
        "clerk_pos": clerk_pos.id,
        "head": head.id,
        "clerk": clerk.id,
        "item": item.id,
    }


@pytest.fixture()
def org_a(tenant_a):
    """Ids of tenant A's small structure (committee, office, two positions, head, clerk, item)."""
    return make_structure(tenant_a)


@pytest.fixture()
def org_b(tenant_b):
    """Ids of the same structure in tenant B."""
    return make_structure(tenant_b)
