"""The province audit log: every unit through the audited door, auditors strictly read-only."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent
from tests.audit.helpers import unguarded
from tests.helpers import csrf_token, login


def _rows(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>")]


def _province_actions(action: str) -> list[ProvinceAuditEvent]:
    db.session.expire_all()
    stmt = sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == action)
    return db.session.execute(stmt.order_by(ProvinceAuditEvent.seq)).scalars().all()


def test_admin_audit_auditor_reads_every_unit_and_province(client, trail, auditor):
    """An auditor sees events of both units and of the province chain on one page."""
    login(client, None, "tinh.thanhtra")
    rows = _rows(client.get("/admin/audit").get_data(as_text=True))
    assert "account.updated" in rows and "account.created" in rows and "tenant.created" in rows
    assert "Phường A" in rows and "Phường B" in rows


def test_admin_audit_read_is_recorded_as_cross_tenant_read(client, trail, auditor):
    """Each page view is a cross_tenant.read event of the auditor on the province chain."""
    login(client, None, "tinh.thanhtra")
    client.get("/admin/audit?tenant=phuong-b")
    (event,) = _province_actions("cross_tenant.read")
    assert event.actor_name == "tinh.thanhtra" and event.after["purpose"] == "audit log"
    assert event.after["tenants"] != "all"


def test_admin_audit_filters_by_tenant(client, trail, tenant_a, auditor):
    """The unit filter keeps that unit's events (and province events about it) only."""
    login(client, None, "tinh.thanhtra")
    rows = _rows(client.get("/admin/audit?tenant=phuong-b").get_data(as_text=True))
    assert "account.created" in rows and "account.updated" not in rows
    assert "tenant.created" not in rows


def test_admin_audit_unknown_tenant_is_404(client, trail, auditor):
    """Filtering by a unit that does not exist is 404."""
    login(client, None, "tinh.thanhtra")
    assert client.get("/admin/audit?tenant=khong-co").status_code == 404


def test_admin_audit_province_source_skips_the_door(client, trail, auditor):
    """Reading the province chain alone opens no door (no unit data is read)."""
    login(client, None, "tinh.thanhtra")
    rows = _rows(client.get("/admin/audit?source=province").get_data(as_text=True))
    assert "tenant.created" in rows and "account.updated" not in rows
    assert _province_actions("cross_tenant.read") == []


def test_admin_audit_refuses_unit_users(client, trail):
    """A unit administrator is not signed in under /admin: sent to the province login."""
    login(client, "phuong-a", "admin.a")
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_admin_audit_auditor_cannot_raise_alert(client, trail, auditor):
    """The one writing route (raise chain alerts) is 403 for an auditor, and writes nothing."""
    login(client, None, "tinh.thanhtra")
    token = csrf_token(client, "/admin/audit")
    response = client.post("/admin/audit/alert", data={"csrf_token": token})
    assert response.status_code == 403
    assert _province_actions("audit.chain_broken") == []


def test_admin_audit_auditor_posts_nowhere(client, trail, auditor):
    """No audit page accepts a POST from an auditor."""
    login(client, None, "tinh.thanhtra")
    token = csrf_token(client, "/admin/audit")
    for url in ("/admin/audit", "/admin/audit/verify", "/admin/audit/export.csv"):
        assert client.post(url, data={"csrf_token": token}).status_code in (403, 405), url


def test_admin_audit_verify_names_broken_chain_and_admin_raises_alert(
    app, client, trail, tenant_b, province_admin
):
    """Verify names the broken unit chain; the province administrator records the alert."""
    with unguarded(app.config["KPI_DATABASE_OWNER_URL"]) as conn:
        conn.execute(sa.text("UPDATE audit_events SET action = 'x' WHERE tenant_id = :t"),
                     {"t": tenant_b.id})  # fmt: skip
    login(client, None, "tinh.admin")
    html = client.get("/admin/audit/verify").get_data(as_text=True)
    assert "Chuỗi nhật ký bị đứt" in html and f"tenant:{tenant_b.id}" in html
    token = csrf_token(client, "/admin/audit/verify")
    assert client.post("/admin/audit/alert", data={"csrf_token": token}).status_code == 302
    (alert,) = _province_actions("audit.chain_broken")
    assert alert.subject_tenant_id == tenant_b.id


def test_admin_audit_verify_intact(client, trail, auditor):
    """An auditor may verify; an intact trail says so."""
    login(client, None, "tinh.thanhtra")
    html = client.get("/admin/audit/verify").get_data(as_text=True)
    assert "Chuỗi nhật ký toàn vẹn" in html
