"""Archived units keep their records read-only: nobody of the unit reads or writes any more, the
province still reads them (the audit log, the unit's page), and the purge still applies to their
files, evidence of locked periods only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.services.files import retention
from tenant_app.services.province import tenants
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.helpers import bearer, csrf_token, login, token_for
from tests.retention.helpers import add_years, attach_evidence, lock, purge_events


def archive(tenant, actor) -> None:
    """Archive ``tenant`` as the province console does (the row read again: the fixture's copy
    may belong to a session that has ended)."""
    tenants.set_status(tenants.get_by_slug(tenant.slug), "archived", actor=actor)
    db.session.commit()


def period_count(tenant) -> int:
    with tenant_context(tenant):
        return db.session.execute(sa.select(sa.func.count()).select_from(Period)).scalar()


def test_archived_unit_refuses_its_signed_in_users_reads_and_writes(
    app, factory, tenant_a, province_admin
):
    """A unit administrator signed in (page and API token) before the archiving gets 404 for a
    page, a form post and an API write afterwards; nothing is written."""
    build_ward(factory, tenant_a)
    factory.user(tenant_a, "quantri", ("unit_admin", "staff"))
    client = app.test_client()
    login(client, "phuong-a", "quantri")
    token = csrf_token(client, "/t/phuong-a/periods")
    api = app.test_client()
    headers = bearer(token_for(api, "phuong-a", "quantri"))
    before = period_count(tenant_a)
    archive(tenant_a, province_admin)
    assert client.get("/t/phuong-a/periods").status_code == 404
    posted = client.post(
        "/t/phuong-a/periods", data={"csrf_token": token, "year": "2026", "number": "12"}
    )
    assert posted.status_code == 404
    written = api.post(
        "/api/v1/t/phuong-a/periods", json={"year": 2026, "number": 12}, headers=headers
    )
    assert written.status_code == 404
    assert period_count(tenant_a) == before


def test_archived_units_audit_log_is_still_read_by_the_auditor(
    app, factory, tenant_a, province_admin, auditor
):
    """The auditor reads an archived unit's own chain (its periods opened) on the console."""
    build_ward(factory, tenant_a)
    archive(tenant_a, province_admin)
    client = app.test_client()
    login(client, None, "tinh.thanhtra")
    response = client.get("/admin/audit?source=tenant&tenant=phuong-a")
    assert response.status_code == 200
    assert "Mở kỳ đánh giá" in response.get_data(as_text=True)


def test_archived_unit_page_is_still_read_by_the_province(app, tenant_a, province_admin):
    archive(tenant_a, province_admin)
    client = app.test_client()
    login(client, None, "tinh.admin")
    response = client.get("/admin/tenants/phuong-a")
    assert response.status_code == 200
    assert "Phường A" in response.get_data(as_text=True)


def test_purge_applies_to_archived_units_locked_evidence_only(
    app, factory, tenant_a, tenant_b, province_admin
):
    """Two archived units: A's period locked, B's left open. The daily job purges A's evidence
    past the policy and keeps B's, however old."""
    from tenant_app.jobs import retention as retention_jobs

    ward_a = build_ward(factory, tenant_a)
    ward_b = build_ward(factory, tenant_b, "b")
    _a_id, a_path = attach_evidence(tenant_a, ward_a)
    _b_id, b_path = attach_evidence(tenant_b, ward_b)
    locked_on = lock(tenant_a, ward_a)
    archive(tenant_a, province_admin)
    archive(tenant_b, province_admin)
    result = retention_jobs.daily_all(None, add_years(locked_on, 10).isoformat())
    assert result["tenants"] == 2
    assert not a_path.exists() and b_path.exists()
    assert len(purge_events(tenant_a)) == 1 and purge_events(tenant_b) == []
    with tenant_context(tenant_b):
        assert retention.purge_tenant(date(2060, 1, 1), dry_run=True).kept_unlocked == 1


RATING = {
    "grade": "HTT",
    "reason": "Kết quả kiểm tra của Sở Nội vụ tháng 11",
    "decision_ref": "QĐ 45/QĐ-SNV",
    "decision_date": "2026-12-02",
}


def test_province_api_cannot_write_into_an_archived_unit(app, factory, tenant_a, province_admin):
    """The province's own writes into a unit (its rating, its classification) answer 404 for an
    archived unit over the API, as the console does; nothing changes in the unit."""
    from tenant_app.models import UnitRating

    build_ward(factory, tenant_a)
    archive(tenant_a, province_admin)
    client = app.test_client()
    headers = bearer(token_for(client, None, "tinh.admin"))
    base = "/api/v1/province/tenants/phuong-a"
    rating = client.put(f"{base}/unit-ratings/2026-11", json=RATING, headers=headers)
    assert rating.status_code == 404, rating.get_json()
    classification = client.put(
        f"{base}/classification", json={"public_service_unit": True}, headers=headers
    )
    assert classification.status_code == 404
    read = client.get(f"{base}/unit-ratings?year=2026", headers=headers)
    assert read.status_code == 200  # reading stays open to the province
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(sa.func.count()).select_from(UnitRating)).scalar() == 0
    assert "public_service_unit" not in (tenants.get_by_slug("phuong-a").settings or {})


def test_unit_rating_door_refuses_an_archived_unit(app, factory, tenant_a, province_admin):
    """Whoever calls the narrow write door, an archived unit is refused (409, named)."""
    import pytest

    from tenant_app.services.errors import ServiceError
    from tenant_app.tenancy.door import unit_rating_write

    build_ward(factory, tenant_a)
    archive(tenant_a, province_admin)
    with pytest.raises(ServiceError) as refused:
        unit_rating_write(
            tenants.get_by_slug("phuong-a"),
            "2026-11",
            RATING["grade"],
            RATING["reason"],
            RATING["decision_ref"],
            actor=province_admin,
        )
    assert refused.value.code == "unit_not_serving" and refused.value.status == 409


def test_province_cannot_add_an_account_or_transfer_into_an_archived_unit(
    app, factory, tenant_a, tenant_b, province_admin
):
    """The other province writes refuse an archived unit too: a new account (named refusal) and
    a transfer in or out (field named); no user or staff row appears."""
    import uuid

    import pytest

    from tenant_app.models import StaffMember, User
    from tenant_app.services.errors import ServiceError
    from tenant_app.tenancy.door import transfer_write

    archive(tenant_a, province_admin)
    archived = tenants.get_by_slug("phuong-a")
    with pytest.raises(ServiceError) as refused:
        tenants.create_first_admin(archived, username="moi", full_name="Người Mới")
    assert refused.value.code == "archived"
    request = {
        "staff_id": uuid.uuid4(),
        "effective_on": date(2026, 12, 1),
        "org_unit_id": uuid.uuid4(),
        "position_id": uuid.uuid4(),
        "reference": "QĐ 12/QĐ-UBND",
        "reason": "Điều động theo yêu cầu công tác",
    }
    for source, target, field in (
        (tenants.get_by_slug("phuong-b"), archived, "target"),
        (archived, tenants.get_by_slug("phuong-b"), "source"),
    ):
        with pytest.raises(ServiceError) as refused:
            transfer_write(source, target, actor=province_admin, **request)
        assert refused.value.code == "unit_not_serving" and refused.value.field == field
    db.session.rollback()
    with tenant_context(tenants.get_by_slug("phuong-a")):
        assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 0
        assert db.session.execute(sa.select(sa.func.count()).select_from(StaffMember)).scalar() == 0
