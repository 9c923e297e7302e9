"""The unit-ratings API: the unit reads (never another unit's), the province administrator sets."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, ProvinceAuditEvent
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, token_for

BODY = {
    "grade": "HTT",
    "reason": "Kết quả kiểm tra của Sở Nội vụ tháng 11",
    "decision_ref": "QĐ 45/QĐ-SNV",
    "decision_date": "2026-12-02",
    "score": "82.5",
}


def _put(client, token, code="2026-11", slug="phuong-a", body=None):
    return client.put(
        f"/api/v1/province/tenants/{slug}/unit-ratings/{code}",
        json=BODY if body is None else body,
        headers=bearer(token),
    )


def test_province_admin_sets_and_the_unit_reads(client, ward_a, province_admin, tenant_a):
    token = token_for(client, None, "tinh.admin")
    response = _put(client, token)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["grade"], body["source"], body["score"]) == ("HTT", "authority", "82.500000")
    assert body["decided_by"] == "tinh.admin" and body["decision_date"] == "2026-12-02"

    unit = bearer(token_for(client, "phuong-a", "vanthu"))
    read = client.get("/api/v1/t/phuong-a/unit-ratings?year=2026", headers=unit)
    assert read.status_code == 200
    data = read.get_json()
    assert data["public_service_unit"] is False and data["head_capped_by_unit"] is False
    by_code = {p["code"]: p for p in data["periods"]}
    assert by_code["2026-11"]["rating"]["grade"] == "HTT"
    assert by_code["2026-11"]["rating"]["decision_ref"] == "QĐ 45/QĐ-SNV"
    assert by_code["2026"]["rating"] is None
    with tenant_context(tenant_a):
        assert db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "unit_rating.set")
        ).scalar_one()


def test_another_unit_cannot_read_the_rating(client, ward_a, province_admin, tenant_b, admin_b):
    _put(client, token_for(client, None, "tinh.admin"))
    other = bearer(token_for(client, "phuong-b", "admin.b"))
    response = client.get("/api/v1/t/phuong-a/unit-ratings?year=2026", headers=other)
    assert response.status_code in (401, 403, 404)
    own = client.get("/api/v1/t/phuong-b/unit-ratings?year=2026", headers=other).get_json()
    assert all(p["rating"] is None for p in own["periods"])


def test_unit_manager_and_auditor_cannot_set_the_rating(client, ward_a, admin_a, auditor):
    """A unit's own tokens (its head, its administrator) and a province auditor are refused."""
    for token in (
        token_for(client, "phuong-a", "truong"),
        token_for(client, "phuong-a", "admin.a"),
        token_for(client, None, "tinh.thanhtra"),
    ):
        assert _put(client, token).status_code in (401, 403)
    assert not db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "unit_rating.set")
    ).first()


def test_unit_has_no_write_route(client, ward_a):
    head = bearer(token_for(client, "phuong-a", "truong"))
    response = client.put("/api/v1/t/phuong-a/unit-ratings?year=2026", json=BODY, headers=head)
    assert response.status_code == 405


def test_put_validates_with_clear_messages(client, ward_a, province_admin):
    token = token_for(client, None, "tinh.admin")
    response = _put(client, token, body={**BODY, "reason": "ngắn", "grade": "TOT"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"reason", "grade"} <= set(fields)
    assert _put(client, token, code="2026-05").status_code == 404
    assert _put(client, token, slug="khong-co").status_code == 404


def test_classification_put_and_province_read(client, ward_a, province_admin, tenant_a):
    token = token_for(client, None, "tinh.admin")
    response = client.put(
        "/api/v1/province/tenants/phuong-a/classification",
        json={"public_service_unit": True},
        headers=bearer(token),
    )
    assert response.get_json() == {"public_service_unit": True, "head_capped_by_unit": True}
    read = client.get(
        "/api/v1/province/tenants/phuong-a/unit-ratings?year=2026", headers=bearer(token)
    ).get_json()
    assert read["public_service_unit"] is True and read["head_capped_by_unit"] is True
    actions = set(db.session.execute(sa.select(ProvinceAuditEvent.action)).scalars())
    assert {"tenant.unit_classification_changed", "cross_tenant.read"} <= actions


def test_province_reads_a_rating_it_set(client, ward_a, province_admin):
    """The province's read of a year with a rating set answers 200 with the rating and its time
    (the body was once dumped twice: a 500 as soon as a rating existed)."""
    token = token_for(client, None, "tinh.admin")
    assert _put(client, token).status_code == 200
    read = client.get(
        "/api/v1/province/tenants/phuong-a/unit-ratings?year=2026", headers=bearer(token)
    )
    assert read.status_code == 200, read.get_json()
    rating = {p["code"]: p for p in read.get_json()["periods"]}["2026-11"]["rating"]
    assert rating["grade"] == "HTT" and rating["updated_at"].endswith("+00:00")
