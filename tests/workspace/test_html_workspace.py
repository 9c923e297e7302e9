"""Workspace screens: pages by role, forms with Vietnamese field errors, other tenants' ids."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import CatalogueItem, JobPosition
from tenant_app.services.workspace import catalogue, staff
from tenant_app.tenancy import tenant_context
from tests.helpers import login, post_form

BASE = "/t/phuong-a"


@pytest.fixture()
def admin_client(client, admin_a):
    login(client, "phuong-a", "admin.a")
    return client


@pytest.mark.parametrize(
    ("path", "text"),
    [("/org", "Văn phòng HĐND và UBND"), ("/positions", "Chuyên viên văn thư"),
     ("/staff", "Trần Thị Văn"), ("/catalogue", "Văn bản trình ký")],
)  # fmt: skip
def test_html_workspace_admin_pages_list_rows(admin_client, org_a, path, text):
    """The administrator's org chart, positions, staff and catalogue pages show the unit's rows."""
    response = admin_client.get(BASE + path)
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/org", "/positions", "/staff", "/catalogue", "/staff/new"])
def test_html_workspace_staff_member_gets_403(client, staff_a, path):
    """A staff-only account cannot open the administrator's screens."""
    login(client, "phuong-a", "staff.a")
    assert client.get(BASE + path).status_code == 403


def test_html_workspace_staff_member_cannot_post(client, tenant_a, staff_a):
    """A staff-only account posting a new position gets 403 and nothing is written."""
    login(client, "phuong-a", "staff.a")
    response = post_form(
        client, BASE + "/positions/new",
        {"code": "X", "name": "X", "position_group": "support"}, page=BASE + "/account/password",
    )  # fmt: skip
    assert response.status_code == 403
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(JobPosition)).scalars().all() == []


@pytest.mark.parametrize(
    ("path", "key"),
    [("/org/{}", "root"), ("/positions/{}/edit", "clerk_pos"), ("/staff/{}", "clerk"),
     ("/catalogue/{}", "item"), ("/org/{}/deactivate", "root"),
     ("/catalogue/{}/deactivate", "item")],
)  # fmt: skip
def test_html_workspace_other_tenant_ids_are_404(admin_client, org_a, org_b, path, key):
    """Tenant B's ids under tenant A's screens are 404 (GET where there is a page, and POST)."""
    url = BASE + path.format(org_b[key])
    if not path.endswith("/deactivate"):
        assert admin_client.get(url).status_code == 404
    response = post_form(admin_client, url, {"name": "Hijack"}, page=BASE + "/positions/new")
    assert response.status_code == 404


def test_html_position_page_of_other_tenant_is_404(admin_client, org_a, org_b):
    """The per-position catalogue view of tenant B's position is 404 in tenant A."""
    assert admin_client.get(f"{BASE}/positions/{org_b['clerk_pos']}").status_code == 404


def test_html_positions_duplicate_code_shows_field_error(admin_client, tenant_a, org_a):
    """A used position code re-renders the form with the Vietnamese message; nothing is added."""
    response = post_form(
        admin_client, BASE + "/positions/new",
        {"code": "CV", "name": "Trùng mã", "position_group": "support"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Mã vị trí việc làm đã được sử dụng trong đơn vị." in response.get_data(as_text=True)
    with tenant_context(tenant_a):
        count = db.session.execute(sa.select(sa.func.count()).select_from(JobPosition))
        assert count.scalar_one() == 2


def test_html_catalogue_zero_coefficient_shows_field_error(admin_client, tenant_a, org_a):
    """A work item with coefficient 0 is refused with a message on the coefficient field."""
    response = post_form(
        admin_client, BASE + "/catalogue/new",
        {"kind": "work_item", "code": "SP99", "name": "Báo cáo", "unit_of_measure": "báo cáo",
         "coefficient": "0"},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hệ số quy đổi phải lớn hơn 0." in html
    with tenant_context(tenant_a):
        codes = db.session.execute(sa.select(CatalogueItem.code)).scalars().all()
    assert codes == ["SP01"]


def test_html_catalogue_create_work_item(admin_client, tenant_a, org_a):
    """A valid work item form creates the item with its first version and positions."""
    response = post_form(
        admin_client, BASE + "/catalogue/new",
        {"kind": "work_item", "code": "SP02", "name": "Báo cáo tháng",
         "unit_of_measure": "báo cáo", "coefficient": "2.5",
         "position_ids": [str(org_a["clerk_pos"])], "effective_from": "2026-01-01"},
    )  # fmt: skip
    assert response.status_code == 302
    html = admin_client.get(f"{BASE}/positions/{org_a['clerk_pos']}").get_data(as_text=True)
    assert "<code>SP02</code>" in html
    with tenant_context(tenant_a):
        item = catalogue.find_item("SP02")
        assert str(catalogue.version_at(item, date(2026, 1, 1)).coefficient) == "2.500"


def test_html_staff_edit_move_keeps_history(admin_client, tenant_a, org_a):
    """Changing a person's position in the form closes the old post and shows both in history."""
    response = post_form(
        admin_client, f"{BASE}/staff/{org_a['clerk']}",
        {"code": "NS2", "full_name": "Trần Thị Văn", "staff_type": "cong_chuc",
         "org_unit_id": str(org_a["body"]), "position_id": str(org_a["head_pos"]),
         "manager_id": str(org_a["head"]), "start_date": "2025-07-01",
         "effective_from": "2026-03-01", "decision_ref": "12/QĐ-UBND"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    html = admin_client.get(f"{BASE}/staff/{org_a['clerk']}").get_data(as_text=True)
    assert "12/QĐ-UBND" in html
    assert "01/03/2026" in html
    with tenant_context(tenant_a):
        old = staff.assignment_at(org_a["clerk"], date(2026, 2, 1))
    assert old.position_id == org_a["clerk_pos"]


def test_html_team_manager_sees_own_people_and_their_items(client, factory, tenant_a, org_a):
    """A manager linked to the office head sees the clerk and the clerk's work item."""
    boss = factory.user(tenant_a, "chanh.vp", ("manager", "staff"))
    with tenant_context(tenant_a):
        staff.update_staff(staff.get_staff(org_a["head"]), {"user_id": boss.id})
        db.session.commit()
    login(client, "phuong-a", "chanh.vp")
    html = client.get(BASE + "/team").get_data(as_text=True)
    assert "Trần Thị Văn" in html
    assert "Văn bản trình ký" in html


def test_html_team_manager_of_other_unit_sees_nobody_outside(client, factory, tenant_a, org_a):
    """A manager without a staff record sees a hint and nobody."""
    factory.user(tenant_a, "pho.phong", ("manager", "staff"))
    login(client, "phuong-a", "pho.phong")
    html = client.get(BASE + "/team").get_data(as_text=True)
    assert "Trần Thị Văn" not in html
    assert "chưa gắn với hồ sơ nhân sự" in html


def test_html_org_chart_cycle_shows_parent_error(admin_client, tenant_a, org_a):
    """Moving the committee under its office is refused on the parent field."""
    response = post_form(
        admin_client, f"{BASE}/org/{org_a['root']}",
        {"code": "UB", "name": "UBND phường", "kind": "committee",
         "parent_id": str(org_a["body"])},
    )  # fmt: skip
    assert response.status_code == 200
    assert "đơn vị cấp dưới" in response.get_data(as_text=True)
