"""The province console's unit ratings: the list, one unit's page, the administrator's entry."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.models.unit_rating import UnitRating
from tenant_app.tenancy import tenant_context
from tests.helpers import login, post_form

FORM = {
    "grade": "HTNV",
    "decision_ref": "QĐ 7/QĐ-UBND",
    "decision_date": "2026-12-03",
    "reason": "Đơn vị chưa đạt chỉ tiêu giải quyết hồ sơ",
    "score": "61,5",
}


def test_admin_sets_a_rating_and_sees_it(client, ward_a, province_admin, tenant_a):
    login(client, None, "tinh.admin")
    page = "/admin/units/phuong-a/unit-ratings?year=2026"
    assert client.get(page).status_code == 200
    response = post_form(
        client, "/admin/units/phuong-a/unit-ratings/2026-11?year=2026", FORM, page=page
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        row = db.session.execute(sa.select(UnitRating)).scalar_one()
    assert (row.grade, str(row.score), row.decision_ref) == ("HTNV", "61.500000", "QĐ 7/QĐ-UBND")
    text = client.get(page).get_data(as_text=True)
    assert "QĐ 7/QĐ-UBND" in text and "61,5" in text
    listing = client.get("/admin/unit-ratings?year=2026").get_data(as_text=True)
    assert "HTNV · 2026-11" in listing


def test_admin_short_reason_is_shown_beside_the_form(client, ward_a, province_admin):
    login(client, None, "tinh.admin")
    page = "/admin/units/phuong-a/unit-ratings?year=2026"
    response = post_form(
        client,
        "/admin/units/phuong-a/unit-ratings/2026-11?year=2026",
        {**FORM, "reason": "ngắn"},
        page=page,
    )
    assert response.status_code == 400
    assert "ít nhất 10 ký tự" in response.get_data(as_text=True)


def test_auditor_reads_but_cannot_write(client, ward_a, auditor):
    login(client, None, "tinh.thanhtra")
    page = "/admin/units/phuong-a/unit-ratings?year=2026"
    text = client.get(page).get_data(as_text=True)
    assert "Ghi xếp loại đơn vị" not in text
    response = post_form(
        client, "/admin/units/phuong-a/unit-ratings/2026-11?year=2026", FORM, page=page
    )
    assert response.status_code == 403


def test_admin_marks_a_public_service_unit(client, ward_a, province_admin, tenant_a):
    login(client, None, "tinh.admin")
    page = "/admin/units/phuong-a/unit-ratings?year=2026"
    response = post_form(
        client,
        "/admin/units/phuong-a/classification?year=2026",
        {"public_service_unit": "1", "head_capped_by_unit": "1"},
        page=page,
    )
    assert response.status_code == 302
    db.session.expire_all()
    settings = db.session.get(Tenant, tenant_a.id).settings
    assert settings["public_service_unit"] is True and settings["head_capped_by_unit"] is True


def test_unit_dashboard_and_head_score_show_the_rating_and_the_cap(
    client, ward_a, province_admin, tenant_a
):
    """The head sees the unit's rating on the unit dashboard, and the cap line on their own
    explained score."""
    from tests.evaluation.test_unit_ratings import _head_excellent, _public_service_unit

    _public_service_unit(tenant_a)
    _head_excellent(tenant_a, ward_a)
    login(client, None, "tinh.admin")
    post_form(
        client,
        "/admin/units/phuong-a/unit-ratings/2026-11?year=2026",
        {**FORM, "grade": "HTT"},
        page="/admin/units/phuong-a/unit-ratings?year=2026",
    )
    client.get("/admin/logout")
    login(client, "phuong-a", "truong")
    period = ward_a["period"]
    board = client.get(f"/t/phuong-a/dashboard/unit?period={period}").get_data(as_text=True)
    assert "Xếp loại của đơn vị" in board and "QĐ 7/QĐ-UBND" in board
    own = client.get(f"/t/phuong-a/my/score?period={period}").get_data(as_text=True)
    assert "Xếp loại của người đứng đầu không cao hơn xếp loại của đơn vị" in own
    assert "HTXS hạ xuống HTT" in own
