"""The head's pages: /annual (quota decisions, approval) and /income (run, approve, download)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tenant_app.extensions import db
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import annual
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import open_month, stored_score
from tests.helpers import csrf_token, login

PAGE = "/t/phuong-a/annual?year=2026"


def _scores(tenant, ward, clerk_grade="HTXS"):
    with tenant_context(tenant):
        period = open_month(11)
        stored_score(period, ward["clerk"], "96", clerk_grade)
        stored_score(period, ward["head"], "80", "HTT")
        db.session.get(StaffMember, (tenant.id, ward["clerk"])).monthly_salary = 4_000_000
        db.session.commit()
        return period.id


def test_annual_page_shows_violation_and_records_decision(client, tenant_a, ward_a):
    """The head computes the year, sees the quota violation, lowers the clerk with a reason,
    then approves everyone but himself; the page says his row waits for the higher level."""
    _scores(tenant_a, ward_a)
    login(client, "phuong-a", "truong")
    token = csrf_token(client, PAGE)
    client.post("/t/phuong-a/annual/compute?year=2026", data={"csrf_token": token})
    html = client.get(PAGE).get_data(as_text=True)
    assert "Vượt tỷ lệ HTXS: cần quyết định" in html
    with tenant_context(tenant_a):
        row = next(r for r in annual.rows_of(2026) if r.staff_id == ward_a["clerk"])
    client.post(
        f"/t/phuong-a/annual/{row.id}/decide",
        data={"csrf_token": token, "final_grade": "HTT", "reason": "Vượt tỷ lệ của cơ quan"},
    )
    client.post("/t/phuong-a/annual/approve?year=2026", data={"csrf_token": token})
    with tenant_context(tenant_a):
        rows = {r.staff_id: r for r in annual.rows_of(2026)}
    assert rows[ward_a["clerk"]].final_grade == "HTT"
    assert rows[ward_a["clerk"]].status == "approved"
    assert rows[ward_a["head"]].status == "proposed"
    html = client.get(PAGE).get_data(as_text=True)
    assert "đang chờ cấp có thẩm quyền cấp trên phê duyệt" in html
    assert "Cấp có thẩm quyền cấp trên quyết định" in html  # no decide form on his own row


def test_annual_page_is_forbidden_to_staff(client, tenant_a, ward_a):
    """The clerk (staff only) gets 403 on the year-end pages."""
    login(client, "phuong-a", "vanthu")
    assert client.get(PAGE).status_code == 403
    assert client.get("/t/phuong-a/income").status_code == 403


def test_income_page_runs_approves_and_downloads(client, tenant_a, ward_a):
    """The head runs the income for 2026-11, approves it and downloads the workbook."""
    period_id = _scores(tenant_a, ward_a, clerk_grade="HTT")
    login(client, "phuong-a", "truong")
    token = csrf_token(client, "/t/phuong-a/income")
    response = client.post(
        "/t/phuong-a/income", data={"csrf_token": token, "period_id": str(period_id)}
    )
    assert response.status_code == 302
    detail = response.headers["Location"]
    assert "1.500.000" in client.get(detail).get_data(as_text=True)
    client.post(f"{detail}/approve", data={"csrf_token": token})
    assert "Đã phê duyệt" in client.get(detail).get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(client.get(f"{detail}.xlsx").data))
    assert workbook.worksheets[0].title == "Thu nhập tăng thêm"
