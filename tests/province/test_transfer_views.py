"""The province console's transfer screens: choose, preview, confirm; administrators only."""

from __future__ import annotations

from tests.helpers import csrf_token, login
from tests.province.transfer_helpers import by_code, person

FORM = "/admin/transfers/new?source=phuong-a&target=phuong-b"


def _values(a, b, **over):
    data = {
        "source": "phuong-a",
        "target": "phuong-b",
        "staff_id": str(a["clerk"]),
        "org_unit_id": str(b["body"]),
        "position_id": str(b["clerk_pos"]),
        "effective_on": "2026-10-01",
        "reference": "125/QĐ-UBND",
        "reason": "Điều động theo nhu cầu công tác",
    }
    data.update(over)
    return data


def test_transfer_form_lists_people_of_the_old_unit_and_posts_of_the_new(
    client, wards, province_admin
):
    """The form shows A's clerk and B's office and positions (B's codes end in ``b``)."""
    login(client, None, "tinh.admin")
    html = client.get(FORM).get_data(as_text=True)
    assert "Trần Thị Văn (NS2)" in html
    assert "Văn phòng HĐND và UBND (VPb)" in html and "Chuyên viên văn thư (CVb)" in html


def test_transfer_preview_shows_results_that_move_and_work_that_stays(
    client, tenant_a, wards, province_admin
):
    """The preview lists the nine published months and November (open, scored) staying in A,
    and changes nothing."""
    a, b = wards
    login(client, None, "tinh.admin")
    token = csrf_token(client, FORM)
    response = client.post("/admin/transfers/preview", data={"csrf_token": token, **_values(a, b)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kết quả chuyển theo (9 kỳ đã công khai)" in html
    assert "Tháng 01/2026" in html and "Tháng 09/2026" in html
    staying = html.split('id="staying-work"')[1]
    assert "Tháng 11/2026" in staying and "Đang mở" in staying
    assert "hồ sơ kết thúc ngày 30/09/2026" in html
    assert person(tenant_a, a["clerk"]).end_date is None


def test_transfer_confirm_moves_and_redirects(client, tenant_a, tenant_b, wards, province_admin):
    """Confirming moves the clerk (302 back to the list, which names the move)."""
    a, b = wards
    login(client, None, "tinh.admin")
    token = csrf_token(client, FORM)
    response = client.post(
        "/admin/transfers/confirm", data={"csrf_token": token, "confirm": "yes", **_values(a, b)}
    )
    assert response.status_code == 302 and response.location.endswith("/admin/transfers")
    assert by_code(tenant_b, "NS2").start_date.isoformat() == "2026-10-01"
    html = client.get("/admin/transfers").get_data(as_text=True)
    listed = html.split('id="recent-transfers"')[1]
    assert "Trần Thị Văn (NS2)" in listed and "125/QĐ-UBND" in listed and "01/10/2026" in listed


def test_transfer_confirm_without_decision_is_refused(client, tenant_a, wards, province_admin):
    """No decision number: 400 with the message next to the field, nothing moved."""
    a, b = wards
    login(client, None, "tinh.admin")
    token = csrf_token(client, FORM)
    response = client.post(
        "/admin/transfers/confirm",
        data={"csrf_token": token, "confirm": "yes", **_values(a, b, reference="")},
    )
    assert response.status_code == 400
    assert "Số quyết định cần từ 3 đến 100 ký tự." in response.get_data(as_text=True)
    assert person(tenant_a, a["clerk"]).end_date is None


def test_transfer_confirm_needs_csrf(client, tenant_a, wards, province_admin):
    """A POST without the CSRF token is refused and moves nobody."""
    a, b = wards
    login(client, None, "tinh.admin")
    response = client.post("/admin/transfers/confirm", data={"confirm": "yes", **_values(a, b)})
    assert response.status_code == 400
    assert person(tenant_a, a["clerk"]).end_date is None


def test_transfer_screens_refused_to_auditors(client, tenant_a, wards, auditor):
    """An auditor (read-only) reads the list page (the proposals waiting, without the form)
    but gets 403 on the transfer screens and on the confirmation."""
    a, b = wards
    login(client, None, "tinh.thanhtra")
    assert client.get("/admin/transfers").status_code == 200
    assert client.get(FORM).status_code == 403
    response = client.post("/admin/transfers/confirm", data={"confirm": "yes", **_values(a, b)})
    assert response.status_code in (400, 403)
    assert person(tenant_a, a["clerk"]).end_date is None


def test_transfer_screens_refused_to_unit_users(client, wards, admin_a):
    """A unit administrator signed in to their unit is not let into the province console."""
    login(client, "phuong-a", "admin.a")
    assert client.get("/admin/transfers").status_code in (302, 401, 403)


def _moved(tenant_a, tenant_b, wards, actor):
    from tenant_app.tenancy.door import transfer_write
    from tests.province.transfer_helpers import request_for

    a, b = wards
    return transfer_write(tenant_a, tenant_b, actor=actor, **request_for(a, b))


def test_staff_pages_name_the_transfer_on_each_side(
    client, tenant_a, tenant_b, wards, province_admin, admin_a, admin_b
):
    """A's staff list says the clerk went to Phường B on 01/10/2026; B's record of the clerk says
    they came from Phường A on that day, with the decision."""
    _tid, new = _moved(tenant_a, tenant_b, wards, province_admin)
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/staff").get_data(as_text=True)
    assert "Đã chuyển đến Phường B ngày 01/10/2026 (quyết định 125/QĐ-UBND)" in html
    client.post("/t/phuong-a/logout", data={"csrf_token": csrf_token(client, "/t/phuong-a/staff")})
    login(client, "phuong-b", "admin.b")
    html = client.get(f"/t/phuong-b/staff/{new.id}").get_data(as_text=True)
    assert "Chuyển đến từ Phường A ngày 01/10/2026 (quyết định 125/QĐ-UBND)" in html


def test_annual_page_of_the_new_unit_shows_the_source(
    client, tenant_a, tenant_b, wards, province_admin
):
    """B's annual page shows the clerk's received months as "kết quả do Phường A chuyển sang"
    and the average over twelve periods (244/3 ≈ 81,33)."""
    from tests.province.transfer_helpers import own_months

    _tid, new = _moved(tenant_a, tenant_b, wards, province_admin)
    own_months(tenant_b, new.id, {10: 70, 11: 80, 12: 91})
    login(client, "phuong-b", "truongb")
    page = "/t/phuong-b/annual?year=2026"
    token = csrf_token(client, page)
    client.post("/t/phuong-b/annual/compute?year=2026", data={"csrf_token": token})
    html = client.get(page).get_data(as_text=True)
    assert "Kỳ 2026-01 (kết quả do Phường A chuyển sang)" in html
    assert ") / 12 ≈ 81,33" in html
