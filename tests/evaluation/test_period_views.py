"""Periods screen: unit administrators open, close, lock and reopen; the head publishes."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import count, get, ward_today
from tests.helpers import login, post_form

LIST = "/t/phuong-a/periods"


def _status(tenant, period_id):
    with tenant_context(tenant):
        db.session.expire_all()
        return get(Period, tenant, period_id).status


def test_periods_list_visible_to_unit_admin(client, factory, tenant_a, admin_a):
    """The unit administrator sees the periods with their status in Vietnamese."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "admin.a")
    html = client.get(LIST).get_data(as_text=True)
    with tenant_context(tenant_a):
        code = get(Period, tenant_a, ward["period"]).code
    assert code in html and "Đang mở" in html


def test_periods_list_forbidden_to_staff(client, factory, tenant_a):
    """A staff member without an administrative role gets 403."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    assert client.get(LIST).status_code == 403


def test_period_open_creates_the_period(client, tenant_a, admin_a):
    """Opening month 3 of 2027 stores period 2027-03 with its windows."""
    login(client, "phuong-a", "admin.a")
    response = post_form(client, LIST, {"kind": "month", "number": "3", "year": "2027"})
    assert response.status_code == 302
    assert count(Period, tenant_a, Period.code == "2027-03") == 1


def test_period_open_duplicate_shows_message_next_to_number(client, factory, tenant_a, admin_a):
    """A period opened twice is refused in Vietnamese next to the number; nothing is added."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "admin.a")
    response = post_form(client, LIST, {"kind": "month", "number": "11", "year": "2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="open-number-err">Kỳ đánh giá 2026-11 đã được mở.' in html
    assert count(Period, tenant_a, Period.code == "2026-11") == 1


def test_period_open_invalid_month_is_refused(client, tenant_a, admin_a):
    """Month 13 is refused with the service's message; no period is written."""
    login(client, "phuong-a", "admin.a")
    response = post_form(client, LIST, {"kind": "month", "number": "13", "year": "2027"})
    assert "Tháng phải từ 1 đến 12." in response.get_data(as_text=True)
    assert count(Period, tenant_a) == 0


def test_period_open_without_csrf_is_refused(client, tenant_a, admin_a):
    """A POST without the CSRF token is rejected (400) and writes nothing."""
    login(client, "phuong-a", "admin.a")
    response = client.post(LIST, data={"kind": "month", "number": "3", "year": "2027"})
    assert response.status_code == 400
    assert count(Period, tenant_a) == 0


def test_period_close_then_lock(client, factory, tenant_a, admin_a):
    """Close then lock move the period to closed, then locked."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "admin.a")
    post_form(client, f"{LIST}/{ward['period']}/close", {}, page=LIST)
    assert _status(tenant_a, ward["period"]) == "closed"
    post_form(client, f"{LIST}/{ward['period']}/lock", {}, page=LIST)
    assert _status(tenant_a, ward["period"]) == "locked"


def test_period_reopen_requires_a_reason(client, factory, tenant_a, admin_a):
    """Reopening without a reason shows the message next to the field; the period stays closed."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "admin.a")
    post_form(client, f"{LIST}/{ward['period']}/close", {}, page=LIST)
    response = post_form(client, f"{LIST}/{ward['period']}/reopen", {"reason": "x"}, page=LIST)
    assert "Cần ghi rõ lý do mở lại kỳ đánh giá" in response.get_data(as_text=True)
    assert _status(tenant_a, ward["period"]) == "closed"


def test_period_reopen_with_reason(client, factory, tenant_a, admin_a):
    """With a written reason the closed period is open again."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "admin.a")
    post_form(client, f"{LIST}/{ward['period']}/close", {}, page=LIST)
    post_form(
        client,
        f"{LIST}/{ward['period']}/reopen",
        {"reason": "Bổ sung báo cáo theo chỉ đạo của UBND"},
        page=LIST,
    )
    assert _status(tenant_a, ward["period"]) == "open"


def test_period_close_of_another_tenant_is_404(client, factory, tenant_a, tenant_b, admin_a):
    """Tenant B's period id under tenant A's URL is not found and stays open."""
    ward_b = ward_today(factory, tenant_b, "b")
    login(client, "phuong-a", "admin.a")
    response = post_form(client, f"{LIST}/{ward_b['period']}/close", {}, page=LIST)
    assert response.status_code == 404
    assert _status(tenant_b, ward_b["period"]) == "open"


def test_period_publish_forbidden_to_unit_admin(client, factory, tenant_a, admin_a):
    """Publishing is the head's: a unit administrator gets 403."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "admin.a")
    response = post_form(client, f"{LIST}/{ward['period']}/publish", {}, page=LIST)
    assert response.status_code == 403
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(Period.published_at)).scalars().all()[0] is None
