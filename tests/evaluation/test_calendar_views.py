"""The calendar on screen and in the API: extending a window (unit and province), late units."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, User
from tenant_app.models.calendar import WindowExtension
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assessments, assignments, periods, reports, scores
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward
from tests.helpers import bearer, login, post_form, token_for

REASON = "Mất điện diện rộng ba ngày cuối kỳ"
LATE_DAY = "2026-12-20"  # after 2026-11's approval deadline (10 December)


def _future_period(tenant):
    """A period whose windows are all ahead of the real clock: extensions of it stay valid
    whatever day the suite runs."""
    ahead = date.today() + timedelta(days=70)
    with tenant_context(tenant):
        period = periods.open_period(year=ahead.year, number=ahead.month, kind="month")
        db.session.commit()
        return period.id, period.approval_until


def _unapproved_work(tenant, ward):
    """The clerk's result of 2026-11 scored but not approved (late at approval after 10 Dec)."""
    with tenant_context(tenant):
        head = db.session.get(User, (tenant.id, ward["head_user"]))
        clerk_user = db.session.get(User, (tenant.id, ward["clerk_user"]))
        clerk = db.session.get(StaffMember, (tenant.id, ward["clerk"]))
        period = db.session.get(Period, (tenant.id, ward["period"]))
        item = db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"]))
        assignment = assignments.assign(
            period, clerk, item, quantity=2, due_on=date(2026, 11, 25), actor=head
        )
        report = reports.save_report(
            assignment, actor=clerk_user, completed=2, completed_on=TODAY, submit=True, today=TODAY
        )
        reports.review_report(report, actor=head, accept=True, today=TODAY)
        assessments.save_assessment(
            period, clerk, stage="manager", general=[9, 9, 9], actor=head, today=TODAY
        )
        scores.score_people(period)
        db.session.commit()


@pytest.fixture()
def ward_b(factory, tenant_b):
    return build_ward(factory, tenant_b, "-b")


def test_period_page_unit_admin_extends_a_window(client, ward_a, admin_a, tenant_a):
    """The unit administrator extends a window from the periods page; the page shows it."""
    period_id, until = _future_period(tenant_a)
    login(client, "phuong-a", "admin.a")
    page = "/t/phuong-a/periods"
    new = (until + timedelta(days=4)).isoformat()
    response = post_form(
        client,
        f"/t/phuong-a/periods/{period_id}/extend",
        {"window": "approval", "new_until": new, "reason": REASON},
        page=page,
    )
    assert response.status_code == 302
    text = client.get(page).get_data(as_text=True)
    assert REASON in text and "Gia hạn Phê duyệt" in text


def test_period_page_short_reason_is_refused_beside_the_field(client, ward_a, admin_a, tenant_a):
    """A reason under ten characters is refused in Vietnamese and nothing is stored."""
    period_id, until = _future_period(tenant_a)
    login(client, "phuong-a", "admin.a")
    response = post_form(
        client,
        f"/t/phuong-a/periods/{period_id}/extend",
        {"window": "approval", "new_until": (until + timedelta(days=4)).isoformat(), "reason": "x"},
        page="/t/phuong-a/periods",
    )
    assert response.status_code == 400
    assert "Cần ghi rõ lý do gia hạn" in response.get_data(as_text=True)
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(WindowExtension)).first() is None


def test_period_page_manager_cannot_extend(client, ward_a, tenant_a):
    """A manager (not an administrator) is refused."""
    period_id, until = _future_period(tenant_a)
    login(client, "phuong-a", "truong")
    response = post_form(
        client,
        f"/t/phuong-a/periods/{period_id}/extend",
        {
            "window": "approval",
            "new_until": (until + timedelta(days=4)).isoformat(),
            "reason": REASON,
        },
        page="/t/phuong-a/my/work",
    )
    assert response.status_code == 403


def test_period_page_unit_b_cannot_extend_unit_a(
    client, ward_a, admin_a, tenant_a, admin_b, tenant_b
):
    """Unit B's administrator gets 404 for unit A's period, and nothing changes in A."""
    period_id, until = _future_period(tenant_a)
    login(client, "phuong-b", "admin.b")
    response = post_form(
        client,
        f"/t/phuong-b/periods/{period_id}/extend",
        {
            "window": "approval",
            "new_until": (until + timedelta(days=4)).isoformat(),
            "reason": REASON,
        },
        page="/t/phuong-b/periods",
    )
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert db.session.get(Period, (tenant_a.id, period_id)).approval_until == until


def test_api_extension_created_listed_and_isolated(
    client, ward_a, admin_a, staff_a, tenant_a, admin_b
):
    """The API extends a window (201), lists the extension; staff cannot (403); unit B's
    token gets 404 for unit A's period, for reading and writing."""
    period_id, until = _future_period(tenant_a)
    url = f"/api/v1/t/phuong-a/periods/{period_id}/extensions"
    body = {
        "window": "review",
        "new_until": (until + timedelta(days=3)).isoformat(),
        "reason": REASON,
    }
    staff = token_for(client, "phuong-a", "staff.a")
    assert client.post(url, json=body, headers=bearer(staff)).status_code == 403
    admin = token_for(client, "phuong-a", "admin.a")
    created = client.post(url, json=body, headers=bearer(admin))
    assert created.status_code == 201
    assert [x["window"] for x in created.get_json()] == ["review", "approval"]
    listed = client.get(url, headers=bearer(admin)).get_json()
    assert [x["reason"] for x in listed] == [REASON, REASON]
    other = token_for(client, "phuong-b", "admin.b")
    url_b = f"/api/v1/t/phuong-b/periods/{period_id}/extensions"
    assert client.get(url_b, headers=bearer(other)).status_code == 404
    assert client.post(url_b, json=body, headers=bearer(other)).status_code == 404


def test_api_extension_refuses_an_earlier_date(client, ward_a, admin_a, tenant_a):
    """A date not after the current deadline: 400 naming the field."""
    period_id, until = _future_period(tenant_a)
    admin = token_for(client, "phuong-a", "admin.a")
    response = client.post(
        f"/api/v1/t/phuong-a/periods/{period_id}/extensions",
        json={"window": "approval", "new_until": until.isoformat(), "reason": REASON},
        headers=bearer(admin),
    )
    assert response.status_code == 400
    assert "Hạn mới phải sau hạn hiện tại" in str(response.get_json())


def test_console_lists_late_units_of_every_unit_and_filters(
    client, tenant_a, tenant_b, ward_a, ward_b, auditor
):
    """The province console shows both units late at approval, with days late; filtering by
    unit keeps one; an auditor sees no extension form."""
    _unapproved_work(tenant_a, ward_a)
    _unapproved_work(tenant_b, ward_b)
    login(client, None, "tinh.thanhtra")
    text = client.get(f"/admin/calendar?on={LATE_DAY}").get_data(as_text=True)
    assert 'id="late-phuong-a-approval-2026-11"' in text
    assert 'id="late-phuong-b-approval-2026-11"' in text
    assert '<td class="num">10</td>' in text  # 20 December − 10 December
    assert "new_until" not in text
    only_b = client.get(f"/admin/calendar?on={LATE_DAY}&unit=phuong-b").get_data(as_text=True)
    assert "late-phuong-a" not in only_b and "late-phuong-b-approval" in only_b
    none = client.get(f"/admin/calendar?on={LATE_DAY}&min_days=11").get_data(as_text=True)
    assert "late-phuong" not in none


def test_console_province_admin_extends_a_unit_window(client, tenant_a, ward_a, province_admin):
    """The province administrator extends unit A's window from the console; the change and
    a province audit event are recorded; an auditor's attempt is refused."""
    period_id, until = _future_period(tenant_a)
    login(client, None, "tinh.admin")
    new = until + timedelta(days=6)
    response = post_form(
        client,
        f"/admin/units/phuong-a/periods/{period_id}/extend",
        {"window": "approval", "new_until": new.isoformat(), "reason": REASON},
        page="/admin/calendar",
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        row = db.session.execute(sa.select(WindowExtension)).scalar_one()
        assert (row.new_until, row.extended_by is not None) == (new, True)
    actions = db.session.execute(sa.select(ProvinceAuditEvent.action)).scalars().all()
    assert "period.window_extended" in actions


def test_console_auditor_cannot_extend(client, tenant_a, ward_a, auditor):
    """Auditors read the console but cannot extend a window."""
    period_id, until = _future_period(tenant_a)
    login(client, None, "tinh.thanhtra")
    response = post_form(
        client,
        f"/admin/units/phuong-a/periods/{period_id}/extend",
        {
            "window": "approval",
            "new_until": (until + timedelta(days=2)).isoformat(),
            "reason": REASON,
        },
        page="/admin/calendar",
    )
    assert response.status_code == 403


def test_console_is_for_province_accounts_only(client, ward_a, admin_a):
    """A unit administrator cannot open the province's late-units page."""
    login(client, "phuong-a", "admin.a")
    assert client.get("/admin/calendar").status_code in (302, 403, 404)
