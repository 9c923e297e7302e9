"""The person's salary and concurrent-post page: the unit administrator records, audited,
validated, and never reaches another unit's people."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, ConcurrentPost, SalaryChange
from tenant_app.tenancy import tenant_context
from tests.helpers import csrf_token, login


def _page(org, suffix=""):
    return f"/t/phuong-a/staff/{org['clerk']}/income{suffix}"


def test_salary_page_records_a_change_and_audits_it(client, tenant_a, admin_a, org_a):
    """The administrator records 9.500.000 from 1/3/2026; the history shows it, the record
    follows it and the audit trail has salary.recorded."""
    login(client, "phuong-a", "admin.a")
    token = csrf_token(client, _page(org_a))
    response = client.post(
        _page(org_a, "/salary"),
        data={"csrf_token": token, "effective_from": "2026-03-01",
              "monthly_salary": "9.500.000", "decision_ref": "QĐ 12/QĐ-UBND"},
    )  # fmt: skip
    assert response.status_code == 302
    html = client.get(_page(org_a)).get_data(as_text=True)
    assert "9.500.000" in html and "01/03/2026" in html and "QĐ 12/QĐ-UBND" in html
    with tenant_context(tenant_a):
        change = db.session.execute(sa.select(SalaryChange)).scalar_one()
        assert change.monthly_salary == 9_500_000
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
        assert "salary.recorded" in actions


def test_salary_page_shows_the_field_error(client, tenant_a, admin_a, org_a):
    """A negative salary is refused next to its field, in Vietnamese, and nothing is saved."""
    login(client, "phuong-a", "admin.a")
    token = csrf_token(client, _page(org_a))
    response = client.post(
        _page(org_a, "/salary"),
        data={"csrf_token": token, "effective_from": "2026-03-01", "monthly_salary": "-5"},
    )
    assert response.status_code == 400
    assert "Lương tháng phải lớn hơn hoặc bằng 0" in response.get_data(as_text=True)
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(SalaryChange)).first() is None


def test_concurrent_post_added_and_deleted(client, tenant_a, admin_a, org_a):
    """The administrator adds a concurrent post with its salary, then deletes it; both audited."""
    login(client, "phuong-a", "admin.a")
    token = csrf_token(client, _page(org_a))
    client.post(
        _page(org_a, "/posts"),
        data={"csrf_token": token, "position_id": str(org_a["head_pos"]),
              "effective_from": "2026-02-01", "monthly_salary": "14000000"},
    )  # fmt: skip
    assert "Chánh Văn phòng" in client.get(_page(org_a)).get_data(as_text=True)
    with tenant_context(tenant_a):
        post = db.session.execute(sa.select(ConcurrentPost)).scalar_one()
    client.post(_page(org_a, f"/posts/{post.id}/delete"), data={"csrf_token": token})
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(ConcurrentPost)).first() is None
        actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
        assert {"concurrent_post.added", "concurrent_post.deleted"} <= actions


def test_salary_page_is_for_the_unit_administrator(client, tenant_a, staff_a, org_a):
    """A staff member gets 403 on the page and on a post."""
    login(client, "phuong-a", "staff.a")
    assert client.get(_page(org_a)).status_code == 403


def test_salary_page_of_another_unit_is_404(client, tenant_a, tenant_b, admin_b, org_a, org_b):
    """Unit B's administrator can neither read nor write unit A's person, nor delete A's rows
    through B's address: 404 and nothing changes."""
    login(client, "phuong-b", "admin.b")
    token = csrf_token(client, f"/t/phuong-b/staff/{org_b['clerk']}/income")
    assert client.get(f"/t/phuong-b/staff/{org_a['clerk']}/income").status_code == 404
    response = client.post(
        f"/t/phuong-b/staff/{org_a['clerk']}/income/salary",
        data={"csrf_token": token, "effective_from": "2026-03-01", "monthly_salary": "1"},
    )
    assert response.status_code == 404
    with tenant_context(tenant_a):
        db.session.add(
            SalaryChange(staff_id=org_a["clerk"], effective_from=date(2026, 1, 1), monthly_salary=5)
        )
        db.session.commit()
        change_id = db.session.execute(sa.select(SalaryChange.id)).scalar_one()
    response = client.post(
        f"/t/phuong-b/staff/{org_b['clerk']}/income/salary/{change_id}/delete",
        data={"csrf_token": token},
    )
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(SalaryChange)).first() is not None
