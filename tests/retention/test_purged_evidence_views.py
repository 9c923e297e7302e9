"""Purged evidence on the pages and the API: the row is still listed, marked, never a dead link."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.models.evaluation import EvidenceFile
from tenant_app.services.files import retention
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.helpers import bearer, login, token_for
from tests.retention.helpers import add_years, attach_evidence, lock

PURGED = "đã xoá theo thời hạn lưu giữ"


def purged_evidence(factory, tenant):
    ward = build_ward(factory, tenant)
    evidence_id, _path = attach_evidence(tenant, ward)
    locked_on = lock(tenant, ward)
    with tenant_context(tenant):
        retention.purge_tenant(add_years(locked_on, 10))
        db.session.commit()
        row = db.session.get(EvidenceFile, (tenant.id, evidence_id))
        return ward, row.id, row.report_id


def test_my_work_lists_purged_evidence_without_a_link(app, factory, tenant_a):
    ward, evidence_id, _report_id = purged_evidence(factory, tenant_a)
    client = app.test_client()
    login(client, "phuong-a", "vanthu")
    html = client.get(f"/t/phuong-a/my/work?period={ward['period']}").get_data(as_text=True)
    assert "Biên bản.pdf" in html and PURGED in html
    assert f"/evidence/{evidence_id}" not in html


def test_purged_evidence_download_is_gone(app, factory, tenant_a):
    """The API answers 410 with its code and lists the row with ``purged_at``; the page's
    download link answers 404."""
    _ward, evidence_id, report_id = purged_evidence(factory, tenant_a)
    api = app.test_client()
    headers = bearer(token_for(api, "phuong-a", "vanthu"))
    base = f"/api/v1/t/phuong-a/reports/{report_id}/evidence"
    response = api.get(f"{base}/{evidence_id}", headers=headers)
    assert response.status_code == 410
    assert response.get_json()["error"]["code"] == "evidence_purged"
    listed = api.get(base, headers=headers).get_json()
    rows = listed["items"] if isinstance(listed, dict) else listed
    assert rows[0]["purged_at"] is not None
    page = app.test_client()
    login(page, "phuong-a", "vanthu")
    assert page.get(f"/t/phuong-a/evidence/{evidence_id}").status_code == 404
