"""The province console and API: creating units, first administrators, status changes, roles."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, Tenant
from tests.helpers import bearer, login, post_form, token_for


def _province_actions():
    return (
        db.session.execute(sa.select(ProvinceAuditEvent.action).order_by(ProvinceAuditEvent.seq))
        .scalars()
        .all()
    )


def test_admin_creates_tenant_in_browser(client, province_admin):
    """The province administrator creates a unit; it starts in status onboarding, audited."""
    login(client, None, "tinh.admin")
    response = post_form(
        client,
        "/admin/tenants/new",
        {"name": "Phường Quảng Phú", "slug": "quang-phu", "kind": "phuong"},
    )
    assert response.status_code == 302
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == "quang-phu")).scalar_one()
    assert tenant.status == "onboarding"
    assert "tenant.created" in _province_actions()


def test_admin_slug_is_never_reused(client, factory, province_admin):
    """An archived unit's slug cannot be taken again."""
    factory.tenant("cu", status="archived")
    login(client, None, "tinh.admin")
    response = post_form(client, "/admin/tenants/new", {"name": "Mới", "slug": "cu", "kind": "xa"})
    assert response.status_code == 200
    assert "Mã đơn vị đã được dùng" in response.get_data(as_text=True)


def test_admin_creates_first_unit_admin(client, factory, province_admin):
    """The first unit administrator of a unit being set up gets a printed temporary password
    that works once shown (a live unit needs break-glass: tests/security/test_break_glass.py)."""
    factory.tenant("phuong-a", name="Phường A", status="onboarding")
    login(client, None, "tinh.admin")
    response = post_form(
        client,
        "/admin/tenants/phuong-a",
        {"username": "qt.phuonga", "full_name": "Phạm Văn Quản", "email": ""},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Đã tạo quản trị đơn vị" in html
    password = html.split('<p class="secret"><code>')[1].split("</code>")[0]
    other = client.application.test_client()
    assert login(other, "phuong-a", "qt.phuonga", password).status_code == 302
    assert "tenant.admin_created" in _province_actions()


def test_admin_suspend_and_reactivate(client, tenant_a, admin_a, province_admin):
    """Suspending closes the unit to its users; reactivating opens it again."""
    login(client, None, "tinh.admin")
    post_form(
        client,
        "/admin/tenants/phuong-a/status/suspended",
        {"confirm": "yes"},
        page="/admin/tenants/phuong-a",
    )
    user = client.application.test_client()
    assert user.get("/t/phuong-a/login").status_code == 404
    post_form(
        client, "/admin/tenants/phuong-a/status/active", {"confirm": "yes"},
        page="/admin/tenants/phuong-a",
    )  # fmt: skip
    assert user.get("/t/phuong-a/login").status_code == 200


def test_admin_archived_is_final(client, factory, province_admin):
    """No transition leaves archived."""
    factory.tenant("luu-tru", status="archived")
    login(client, None, "tinh.admin")
    response = post_form(
        client,
        "/admin/tenants/luu-tru/status/active",
        {},
        page="/admin/tenants/luu-tru",
        follow_redirects=True,
    )
    assert "Không thể chuyển" in response.get_data(as_text=True)


def test_admin_auditor_cannot_create_or_change(client, tenant_a, auditor):
    """An auditor reads the unit list but every write is 403."""
    login(client, None, "tinh.thanhtra")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/tenants/new").status_code == 403
    response = post_form(client, "/admin/tenants/phuong-a", {"username": "x.y.z", "full_name": "X"})
    assert response.status_code == 403
    response = post_form(
        client, "/admin/tenants/phuong-a/status/suspended", {}, page="/admin/tenants/phuong-a"
    )
    assert response.status_code == 403


def test_admin_home_reads_counts_through_the_audited_door(client, admin_a, staff_b, province_admin):
    """The unit list shows account counts of every unit and records the cross-tenant read."""
    login(client, None, "tinh.admin")
    html = client.get("/admin/").get_data(as_text=True)
    assert "Phường A" in html and "Phường B" in html
    assert "cross_tenant.read" in _province_actions()


def test_province_api_creates_tenant_and_admin(client, province_admin):
    """The province API creates a unit and its first administrator."""
    headers = bearer(token_for(client, None, "tinh.admin"))
    response = client.post(
        "/api/v1/province/tenants",
        json={"slug": "dong-tien", "name": "Phường Đông Tiến", "kind": "phuong"},
        headers=headers,
    )
    assert response.status_code == 201
    response = client.post(
        "/api/v1/province/tenants/dong-tien/admins",
        json={"username": "qt.dongtien", "full_name": "Lê Văn Tiến"},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.get_json()["roles"] == ["unit_admin"]
    listing = client.get("/api/v1/province/tenants", headers=headers).get_json()
    assert [t["slug"] for t in listing] == ["dong-tien"]


def test_province_api_status_change_and_bad_status(client, tenant_a, province_admin):
    """PATCH status moves a unit; an unknown status is 422 with the field named."""
    headers = bearer(token_for(client, None, "tinh.admin"))
    ok = client.patch(
        "/api/v1/province/tenants/phuong-a", json={"status": "suspended"}, headers=headers
    )
    assert ok.get_json()["status"] == "suspended"
    bad = client.patch(
        "/api/v1/province/tenants/phuong-a", json={"status": "deleted"}, headers=headers
    )
    assert bad.status_code == 422
    assert "status" in bad.get_json()["error"]["fields"]


def test_province_api_refuses_auditor_and_tenant_tokens(client, tenant_a, admin_a, auditor):
    """Only province administrators use the province API."""
    auditor_headers = bearer(token_for(client, None, "tinh.thanhtra"))
    assert client.get("/api/v1/province/tenants", headers=auditor_headers).status_code == 403
    tenant_headers = bearer(token_for(client, "phuong-a", "admin.a"))
    assert client.get("/api/v1/province/tenants", headers=tenant_headers).status_code == 401
