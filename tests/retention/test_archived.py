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
