"""The units page: version run, local changes, staff and last activity, read in one door pass."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.services.rollout import templates
from tenant_app.services.workspace import catalogue, org, positions, staff
from tenant_app.tenancy import tenant_context


def _door_events():
    return (
        db.session.execute(
            sa.select(ProvinceAuditEvent.after).where(
                ProvinceAuditEvent.action == "cross_tenant.read"
            )
        )
        .scalars()
        .all()
    )


def test_units_page_shows_version_local_changes_and_staff(
    admin_client, published, factory, tenant_b
):
    """A unit given v1 then changing one item and adding one shows v1 and 2 local changes."""
    tenant = factory.tenant("moi", status="pilot", name="Phường Mới")
    templates.apply_initial(tenant, published, on=date(2026, 1, 1))
    db.session.commit()
    with tenant_context(tenant):
        item = db.session.execute(
            sa.select(CatalogueItem).where(CatalogueItem.canonical_code == "TH.SP01")
        ).scalar_one()
        catalogue.update_item(item, {"coefficient": "0.55", "effective_from": date(2026, 5, 1)})
        catalogue.create_item(
            {"kind": "work_item", "code": "L01", "name": "Việc riêng", "unit_of_measure": "việc",
             "coefficient": "1"}
        )  # fmt: skip
        unit = positions.find_position("CM01")
        body = org.create_org_unit({"code": "VP", "name": "Văn phòng", "kind": "body"})
        staff.create_staff(
            {"code": "NS001", "full_name": "Lê Văn Một", "staff_type": "cong_chuc",
             "start_date": date(2026, 1, 1), "org_unit_id": body.id, "position_id": unit.id}
        )  # fmt: skip
    db.session.commit()
    response = admin_client.get("/admin/units")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    row = html.split("Phường Mới</a>")[1].split("</tr>")[0]
    # cells after the name: kind, status, version, local changes, staff, last activity
    cells = [c.split(">", 1)[1] for c in row.split("<td")[1:]]
    assert "Bộ chỉ số cấp phường v1" in cells[2]
    assert cells[3].startswith("2<") and cells[4].startswith("1<")
    assert not cells[5].startswith("—")  # the unit's audit trail has events: last activity shown
    other = html.split(">Phường B</a>")[1].split("</tr>")[0]
    assert other.count("—") == 3  # no version, no local-change count, no activity


def test_units_page_reads_all_units_through_one_door_opening(admin_client, tenant_a, tenant_b):
    """One page opening is one audited cross-tenant read naming the units shown."""
    before = len(_door_events())
    admin_client.get("/admin/units")
    events = _door_events()
    assert len(events) == before + 1
    assert set(events[-1]["tenants"]) == {tenant_a.id, tenant_b.id}
