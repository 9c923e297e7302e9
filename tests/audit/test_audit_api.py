"""The audit events API: province roles across units (audited), unit administrators their own."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent
from tests.helpers import bearer, token_for

PROVINCE = "/api/v1/province/audit-events"


def _reads() -> list[ProvinceAuditEvent]:
    db.session.expire_all()
    stmt = sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "cross_tenant.read")
    return db.session.execute(stmt).scalars().all()


def test_audit_api_auditor_lists_every_unit(client, trail, auditor):
    """An auditor's token lists events of every unit and the province, newest first."""
    response = client.get(PROVINCE, headers=bearer(token_for(client, None, "tinh.thanhtra")))
    assert response.status_code == 200
    body = response.get_json()
    assert {e["tenant_slug"] for e in body if e["source"] == "tenant"} == {"phuong-a", "phuong-b"}
    times = [e["occurred_at"] for e in body]
    assert times == sorted(times, reverse=True)
    assert json.loads(response.headers["X-Pagination"])["total"] == len(body)


def test_audit_api_read_is_recorded(client, trail, auditor):
    """Each call through the door is a cross_tenant.read event naming the auditor."""
    headers = bearer(token_for(client, None, "tinh.thanhtra"))
    client.get(PROVINCE + "?tenant=phuong-a", headers=headers)
    (event,) = _reads()
    assert event.actor_name == "tinh.thanhtra" and event.after["purpose"] == "audit events API"


def test_audit_api_filters_and_diff(client, trail, province_admin):
    """Filters by unit, action and object; each event carries its changes (old → new)."""
    headers = bearer(token_for(client, None, "tinh.admin"))
    body = client.get(
        PROVINCE + "?tenant=phuong-a&source=tenant&action=account.&object_id=u-1", headers=headers
    ).get_json()
    assert [e["action"] for e in body] == ["account.updated"]
    assert body[0]["action_label"] == "Sửa tài khoản"
    assert body[0]["changes"] == [
        {"field": "full_name", "old": "Nguyễn Văn Cũ", "new": "Nguyễn Văn Mới"}
    ]


def test_audit_api_since_until(client, trail, auditor):
    """A window in the future holds no event; since accepts a date or an instant."""
    headers = bearer(token_for(client, None, "tinh.thanhtra"))
    assert client.get(PROVINCE + "?since=2999-01-01", headers=headers).get_json() == []
    body = client.get(PROVINCE + "?since=2000-01-01T00:00:00Z", headers=headers).get_json()
    assert body
    bad = client.get(PROVINCE + "?since=hôm-qua", headers=headers)
    assert bad.status_code == 422


def test_audit_api_unknown_tenant_is_404(client, trail, auditor):
    """An unknown unit slug is a JSON 404."""
    headers = bearer(token_for(client, None, "tinh.thanhtra"))
    response = client.get(PROVINCE + "?tenant=khong-co", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"]["code"]


def test_audit_api_province_refuses_unit_tokens(client, trail):
    """A unit administrator's token does not open the province list."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    assert client.get(PROVINCE, headers=headers).status_code == 401


def test_audit_api_unit_admin_reads_own_unit_only(client, trail):
    """A unit administrator lists their unit's events; none of another unit's."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    body = client.get("/api/v1/t/phuong-a/audit-events", headers=headers).get_json()
    assert {e["tenant_slug"] for e in body} == {"phuong-a"}
    assert "b-only" not in {e["object_id"] for e in body}
    # A token of unit A is unknown under unit B (the project-wide answer, see tenancy tests).
    assert client.get("/api/v1/t/phuong-b/audit-events", headers=headers).status_code == 401


def test_audit_api_unit_refuses_staff(client, trail):
    """A staff member's token gets 403."""
    headers = bearer(token_for(client, "phuong-a", "staff.a"))
    assert client.get("/api/v1/t/phuong-a/audit-events", headers=headers).status_code == 403


def test_audit_api_in_openapi_document(client):
    """Both audit-events paths are in the OpenAPI document."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/province/audit-events" in paths
    assert "/api/v1/t/{tenant_slug}/audit-events" in paths
