"""The province's per-unit calendar (*Lịch tự động của đơn vị*) on the unit's page: set by the
province administrator, validated in Vietnamese, audited on the province chain, one unit only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.audit import ProvinceAuditEvent
from tenant_app.models.tenants import Tenant
from tenant_app.services.evaluation import lateness
from tests.helpers import csrf_token, login

FORM = {
    "calendar_auto_close": "1",
    "calendar_auto_lock": "0",
    "calendar_lock_after_days": "10",
    "calendar_annual_deadline": "01-15",
}
DEFAULTS = {"auto_close": True, "auto_lock": True, "lock_after_days": 5, "annual_deadline": "12-15"}


def _post(client, slug="phuong-a", data=None):
    page = f"/admin/tenants/{slug}"
    return client.post(
        f"{page}/calendar",
        data={"csrf_token": csrf_token(client, page), **(FORM if data is None else data)},
    )


def _settings(tenant) -> dict:
    db.session.expire_all()
    return db.session.get(Tenant, tenant.id).settings or {}


def test_province_admin_sets_one_units_calendar(admin_client, tenant_a, tenant_b):
    """Unit A classifies by 15 January after the change; unit B keeps the defaults; the change
    is on the province chain with before and after."""
    page = admin_client.get("/admin/tenants/phuong-a").get_data(as_text=True)
    assert "Lịch tự động của đơn vị" in page and 'name="calendar_annual_deadline"' in page
    response = _post(admin_client)
    assert response.status_code == 302
    assert _settings(tenant_a)["calendar"] == {
        "auto_close": True, "auto_lock": False, "lock_after_days": 10, "annual_deadline": "01-15",
    }  # fmt: skip
    assert lateness.annual_deadline(2026, db.session.get(Tenant, tenant_a.id)) == date(2027, 1, 15)
    assert "calendar" not in _settings(tenant_b)
    assert lateness.annual_deadline(2026, db.session.get(Tenant, tenant_b.id)) == date(2026, 12, 15)
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "tenant.calendar_changed")
    ).scalar_one()
    assert event.before == DEFAULTS
    assert (event.after["tenant"], event.after["annual_deadline"]) == ("phuong-a", "01-15")
    shown = admin_client.get("/admin/tenants/phuong-a").get_data(as_text=True)
    assert 'value="01-15" selected' in shown and 'value="10"' in shown


def test_unit_calendar_bad_values_are_refused_beside_the_field(admin_client, tenant_a):
    """61 days and an unknown deadline: 400, Vietnamese messages naming each setting, nothing
    stored or audited."""
    response = _post(
        admin_client,
        data={**FORM, "calendar_lock_after_days": "61", "calendar_annual_deadline": "02-30"},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Số ngày khóa kỳ sau hạn phê duyệt phải là số nguyên từ 0 đến 60." in text
    assert "Hạn xếp loại cả năm phải là" in text
    assert "calendar" not in _settings(tenant_a)
    assert not db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "tenant.calendar_changed")
    ).first()


def test_unit_calendar_missing_field_is_refused(admin_client, tenant_a):
    data = {k: v for k, v in FORM.items() if k != "calendar_auto_lock"}
    data["calendar_auto_lock"] = ""
    assert _post(admin_client, data=data).status_code == 400
    assert "calendar" not in _settings(tenant_a)


def test_unit_calendar_auditor_reads_but_cannot_set(client, tenant_a, auditor):
    login(client, None, "tinh.thanhtra")
    page = client.get("/admin/tenants/phuong-a").get_data(as_text=True)
    assert "Lịch tự động của đơn vị" in page and "15 tháng 12 của năm" in page
    assert 'name="calendar_annual_deadline"' not in page
    token = csrf_token(client, "/admin/tenants/phuong-a")
    response = client.post("/admin/tenants/phuong-a/calendar", data={"csrf_token": token, **FORM})
    assert response.status_code == 403
    assert "calendar" not in _settings(tenant_a)


def test_unit_calendar_unit_accounts_cannot_set_it(
    client_factory, tenant_a, tenant_b, admin_a, admin_b
):
    """A unit administrator (of A or of B) cannot reach the province's write."""
    for slug, username in (("phuong-a", "admin.a"), ("phuong-b", "admin.b")):
        client = client_factory()
        assert login(client, slug, username).status_code == 302
        token = csrf_token(client, f"/t/{slug}/periods")  # a valid token of the session
        response = client.post(
            "/admin/tenants/phuong-a/calendar", data={"csrf_token": token, **FORM}
        )
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:  # to the province's sign-in, not the saved page
            assert response.headers["Location"].startswith("/admin/login")
    assert "calendar" not in _settings(tenant_a)


def test_unit_calendar_unknown_unit_is_404(admin_client, tenant_a):
    response = admin_client.post(
        "/admin/tenants/nowhere/calendar",
        data={"csrf_token": csrf_token(admin_client, "/admin/tenants/phuong-a"), **FORM},
    )
    assert response.status_code == 404
