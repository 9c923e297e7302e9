"""Giao việc screen: managers assign work to their people (one by one or by position), withdraw."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Assignment, Period, PeriodScore
from tenant_app.services.evaluation import periods
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import assign, count, get, report, ward_today
from tests.helpers import login, post_form

PAGE = "/t/phuong-a/assign"


def _form(ward, code="T1", quantity="4", due=None, tenant=None):
    return {"item_id": str(ward["items"][code]), "quantity": quantity, "due_on": due or ""}


def _due(tenant, ward):
    with tenant_context(tenant):
        return get(Period, tenant, ward["period"]).ends_on.isoformat()


def test_assign_page_lists_managed_people_and_their_items(client, factory, tenant_a):
    """The head sees the clerk and the items of the clerk's position."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Trần Thị Văn" in html and "T1 – Sản phẩm T1 (hồ sơ)" in html


def test_assign_page_forbidden_to_staff(client, factory, tenant_a):
    """A staff member gets 403 on the assignment screen."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    assert client.get(PAGE).status_code == 403


def test_assign_creates_assignment_and_score(client, factory, tenant_a):
    """Assigning 4 × T1 stores the assignment and, through the re-score, a running score."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    response = post_form(
        client,
        f"{PAGE}/{ward['clerk']}",
        _form(ward, due=_due(tenant_a, ward)),
        page=PAGE,
    )
    assert response.status_code == 302
    assert count(Assignment, tenant_a, Assignment.staff_id == ward["clerk"]) == 1
    assert count(PeriodScore, tenant_a, PeriodScore.staff_id == ward["clerk"]) == 1


def test_assign_zero_quantity_shows_message_and_writes_nothing(client, factory, tenant_a):
    """Quantity 0 is refused next to the quantity field; no assignment is stored."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    response = post_form(
        client,
        f"{PAGE}/{ward['clerk']}",
        _form(ward, quantity="0", due=_due(tenant_a, ward)),
        page=PAGE,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="a-NS2-quantity-err">Số lượng phải lớn hơn 0.' in html
    assert count(Assignment, tenant_a) == 0


def test_assign_due_date_outside_period_is_refused(client, factory, tenant_a):
    """A due date outside the period is shown next to the due-date field."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    response = post_form(
        client, f"{PAGE}/{ward['clerk']}", _form(ward, due="2020-01-01"), page=PAGE
    )
    assert 'id="a-NS2-due_on-err">Hạn hoàn thành phải nằm trong kỳ' in response.get_data(
        as_text=True
    )
    assert count(Assignment, tenant_a) == 0


def test_assign_by_a_manager_of_other_people_is_forbidden(client, factory, tenant_a):
    """A manager who does not manage the clerk gets 403 and nothing is assigned."""
    ward = ward_today(factory, tenant_a)
    factory.user(tenant_a, "truong.khac", ("manager", "staff"))
    login(client, "phuong-a", "truong.khac")
    response = post_form(
        client, f"{PAGE}/{ward['clerk']}", _form(ward, due=_due(tenant_a, ward)), page=PAGE
    )
    assert response.status_code == 403
    assert count(Assignment, tenant_a) == 0


def test_assign_to_another_tenants_person_is_404(client, factory, tenant_a, tenant_b):
    """Tenant B's staff id under tenant A is not found."""
    ward = ward_today(factory, tenant_a)
    ward_b = ward_today(factory, tenant_b, "b")
    login(client, "phuong-a", "truong")
    response = post_form(
        client, f"{PAGE}/{ward_b['clerk']}", _form(ward, due=_due(tenant_a, ward)), page=PAGE
    )
    assert response.status_code == 404


def test_assign_without_csrf_is_refused(client, factory, tenant_a):
    """An assignment POST without the CSRF token is rejected and writes nothing."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    response = client.post(f"{PAGE}/{ward['clerk']}", data=_form(ward, due=_due(tenant_a, ward)))
    assert response.status_code == 400
    assert count(Assignment, tenant_a) == 0


def test_assign_bulk_by_position(client, factory, tenant_a):
    """Bulk assignment gives the item to everyone holding the clerk's position."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    data = {**_form(ward, due=_due(tenant_a, ward)), "position_id": str(ward["clerk_pos"])}
    response = post_form(client, f"{PAGE}/bulk", data, page=PAGE)
    assert response.status_code == 302
    assert count(Assignment, tenant_a, Assignment.staff_id == ward["clerk"]) == 1


def test_assignment_withdraw_removes_it(client, factory, tenant_a):
    """Withdrawing an assignment without a report deletes it."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    login(client, "phuong-a", "truong")
    response = post_form(client, f"/t/phuong-a/assignments/{aid}/withdraw", {}, page=PAGE)
    assert response.status_code == 302
    assert count(Assignment, tenant_a) == 0


def test_assignment_withdraw_with_submitted_report_is_refused(client, factory, tenant_a):
    """A submitted report blocks the withdrawal, with the service's message."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    report(tenant_a, ward, aid, 3)
    login(client, "phuong-a", "truong")
    response = post_form(
        client, f"/t/phuong-a/assignments/{aid}/withdraw", {}, page=PAGE, follow_redirects=True
    )
    assert "Đã có báo cáo kết quả: không thể thu hồi." in response.get_data(as_text=True)
    assert count(Assignment, tenant_a) == 1


def test_assignment_withdraw_of_another_tenant_is_404(client, factory, tenant_a, tenant_b):
    """Tenant B's assignment id under tenant A is not found and is kept."""
    ward_today(factory, tenant_a)
    ward_b = ward_today(factory, tenant_b, "b")
    aid = assign(tenant_b, ward_b)
    login(client, "phuong-a", "truong")
    response = post_form(client, f"/t/phuong-a/assignments/{aid}/withdraw", {}, page=PAGE)
    assert response.status_code == 404
    assert count(Assignment, tenant_b) == 1


def test_assign_refused_when_period_locked(client, factory, tenant_a):
    """In a locked period the form refuses with the period's status in Vietnamese."""
    ward = ward_today(factory, tenant_a)
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, ward["period"])
        periods.lock_period(periods.close_period(period))
        db.session.commit()
    login(client, "phuong-a", "truong")
    url = f"{PAGE}/{ward['clerk']}?period={ward['period']}"
    response = post_form(client, url, _form(ward, due=_due(tenant_a, ward)), page=PAGE)
    assert "đang ở trạng thái “Đã khóa”: không thể thay đổi." in response.get_data(as_text=True)
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(sa.func.count()).select_from(Assignment)).scalar() == 0
