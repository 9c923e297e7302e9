"""The province comparison page: hand-computed figures, visibility, grants, audit, refusals.

The figures are worked out in ``tests/admin/comparison_data.py``; each test reads them off the
page as a person would (Vietnamese decimal comma).
"""

from __future__ import annotations

import base64
import re

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, ProvinceUser
from tests.admin.comparison_data import (
    PAGE,
    cross_tenant_reads,
    row_of,
    tables,
)
from tests.helpers import login, post_form

# Unit, people, HTXS…KHTNV (count and share), mean, SD, min, max, HTXS of HTT, HTXS / allowed,
# late, returned, self − manager, its absolute mean, self equal to manager.
ROW_A = [
    "Phường An 1",
    "3",
    "1 33,3 %",
    "1 33,3 %",
    "1 33,3 %",
    "0 0,0 %",
    "81,67",
    "12,47",
    "65,00",
    "95,00",
    "100,0 %",
    "1 / 0",
    "50,0 %",
    "50,0 %",
    "0,00",
    "3,33",
    "33,3 %",
]
ROW_B = [
    "Phường Bình 3",
    "5",
    "0 0,0 %",
    "5 100,0 %",
    "0 0,0 %",
    "0 0,0 %",
    "80,00",
    "0,00",
    "80,00",
    "80,00",
    "0,0 %",
    "0 / 1",
    "100,0 %",
    "0,0 %",
    "0,00",
    "0,00",
    "100,0 %",
]
# A and B added up: 8 people, 645/8 = 80.625; SD √(52475/8 − 80.625²) = 7.680; late 2/3.
ROW_PROVINCE = ["Toàn tỉnh", "8", "1 12,5 %", "6 75,0 %", "1 12,5 %", "0 0,0 %", "80,63",
                "7,68", "65,00", "95,00", "16,7 %", "1 / 1", "66,7 %", "33,3 %", "0,00", "1,25",
                "75,0 %"]  # fmt: skip


def _units_table(html: str) -> list[list[str]]:
    return tables(html)[0]


def test_comparison_auditor_sees_hand_computed_figures(auditor_client):
    """Each unit's row and the province total equal the figures computed by hand."""
    html = auditor_client.get(PAGE).get_data(as_text=True)
    table = _units_table(html)
    assert row_of(table, "Phường An") == ROW_A
    assert row_of(table, "Phường Bình") == ROW_B
    assert row_of(table, "Toàn tỉnh") == ROW_PROVINCE


def test_comparison_auditor_does_not_see_unpublished_unit(auditor_client):
    """Unit C's period is not published: an auditor gets no figures for it, only a note."""
    response = auditor_client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert row_of(_units_table(html), "Xã Cẩm") == ["Xã Cẩm", "Chưa có số liệu trong kỳ này"]
    assert "Chỉ kết quả đã công khai hoặc đã khóa" in html


def test_comparison_province_admin_sees_unpublished_unit(admin_client):
    """A province administrator sees C too (70 and 50): 10 people, mean 765/10 = 76.5."""
    html = admin_client.get(PAGE).get_data(as_text=True)
    table = _units_table(html)
    assert row_of(table, "Xã Cẩm")[1:7] == [
        "2",
        "0 0,0 %",
        "1 50,0 %",
        "1 50,0 %",
        "0 0,0 %",
        "60,00",
    ]
    assert row_of(table, "Toàn tỉnh")[1] == "10" and row_of(table, "Toàn tỉnh")[6] == "76,50"
    assert "Gồm cả kết quả chưa công khai" in html


def test_comparison_warning_signs_come_first_with_their_numbers(auditor_client):
    """The flags section precedes the table and names each sign with the numbers behind it."""
    html = auditor_client.get(PAGE).get_data(as_text=True)
    assert html.index("Dấu hiệu cần xem xét") < html.index("Số liệu từng đơn vị")
    flags = html[html.index('id="canh-bao"') : html.index('id="don-vi"')]
    assert "Vượt tỷ lệ HTXS</strong>: toàn đơn vị 1 HTXS, cho phép 0 (20% của 1 HTT)." in flags
    assert "Xếp loại cao bất thường</strong>: 5/5 người (100,0%)" in flags
    assert "Điểm đồng đều bất thường</strong>: 5 người, độ lệch chuẩn 0,0 điểm" in flags
    assert "Tự đánh giá luôn trùng điểm quản lý</strong>: 5/5 lượt" in flags
    # A has fewer than five people: shares say little, so only the quota is flagged there.
    a_part = flags[flags.index("Phường An") : flags.index("Phường Bình")]
    assert a_part.count("<li>") == 1


def test_comparison_sorts_server_side(auditor_client):
    """``sort=-mean`` puts the higher mean first, ``sort=mean`` the lower; no figures: last."""

    def order(sort):
        html = auditor_client.get(f"{PAGE}&sort={sort}").get_data(as_text=True)
        return [re.sub(r" \d+$", "", row[0]) for row in _units_table(html)[1:-1]]

    assert order("-mean") == ["Phường An", "Phường Bình", "Xã Cẩm"]
    assert order("mean") == ["Phường Bình", "Phường An", "Xã Cẩm"]


def test_comparison_selected_units_only(auditor_client, province):
    """Ticking unit A alone compares A only; the total then equals A's figures."""
    html = auditor_client.get(f"{PAGE}&tenants={province['a'].id}").get_data(as_text=True)
    table = _units_table(html)
    assert [row[0] for row in table[1:]] == ["Phường An 1", "Các đơn vị đã chọn"]
    assert row_of(table, "Các đơn vị đã chọn")[1:10] == ROW_A[1:10]


def test_comparison_charts_are_images_of_svg(auditor_client):
    """Grade distribution, ranking and trend are drawn: SVG images (the CSP allows no inline
    styles), each with a description as alternative text."""
    html = auditor_client.get(PAGE).get_data(as_text=True)
    images = re.findall(
        r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html
    )
    assert len(images) == 3
    svg = base64.b64decode(images[1][0]).decode("utf-8")
    assert svg.startswith("<svg") and "Phường An" in svg and "81,67" in svg
    assert "Bình quân chung: 80,63" in svg  # the ranking's reference line


def test_comparison_spread_lists_the_shared_item(auditor_client):
    """HS.01 scores 98.33 in B and 79.17 in A: a spread of 19.17, linked to the item page."""
    html = auditor_client.get(PAGE).get_data(as_text=True)
    spread = tables(html)[1]
    assert spread[1] == ["HS.01", spread[1][1], "2", "Phường Bình: 98,33 %", "Phường An: 79,17 %",
                         "19,17"]  # fmt: skip
    assert "/admin/comparison/items?code=HS.01&amp;period=2026-10" in html


def test_comparison_default_period_is_newest_month(auditor_client):
    """Without ``period`` the newest month with figures is shown (October 2026)."""
    html = auditor_client.get("/admin/comparison").get_data(as_text=True)
    assert "So sánh kết quả giữa các đơn vị · Tháng 10/2026" in html
    assert row_of(_units_table(html), "Phường An") == ROW_A


def test_comparison_quarter_and_year_add_up_the_months(auditor_client):
    """Q4 and the year 2026 hold October only here: the same figures; the picker offers all."""
    for scope, label in (("2026-Q4", "Quý 4/2026"), ("2026", "Năm 2026")):
        html = auditor_client.get(f"/admin/comparison?period={scope}").get_data(as_text=True)
        assert f"So sánh kết quả giữa các đơn vị · {label}" in html
        assert row_of(_units_table(html), "Phường An") == ROW_A
        assert f'<option value="{scope}" selected>{label}</option>' in html


def test_comparison_invalid_period_is_refused(auditor_client):
    """A malformed period is a 400 with a Vietnamese explanation, and nothing is read."""
    before = len(cross_tenant_reads())
    response = auditor_client.get("/admin/comparison?period=2026-13")
    assert response.status_code == 400
    assert "Kỳ “2026-13” không hợp lệ" in response.get_data(as_text=True)
    assert len(cross_tenant_reads()) == before


def test_comparison_every_read_is_audited(auditor_client, province):
    """Each page and download is one cross_tenant.read event naming the units read."""
    a, b = province["a"].id, province["b"].id
    urls = [
        PAGE,
        f"{PAGE}&tenants={a}&tenants={b}",
        "/admin/comparison/items?period=2026-10",
        "/admin/comparison/items?period=2026-10&code=HS.01",
        "/admin/comparison/export/units.csv?period=2026-10",
        "/admin/comparison/export/flags.xlsx?period=2026-10",
        "/admin/comparison/items/export.xlsx?period=2026-10&code=HS.01",
    ]
    for url in urls:
        before = len(cross_tenant_reads())
        assert auditor_client.get(url).status_code == 200, url
        events = cross_tenant_reads()[before:]
        assert len(events) == 1, url
        assert events[0].actor_name == "tinh.thanhtra"
        assert events[0].after["purpose"].startswith("comparison")
    assert events[0].after["tenants"] == "all"
    assert cross_tenant_reads()[-6].after["tenants"] == sorted([a, b])


def test_comparison_grant_lets_auditor_see_unpublished_and_is_audited(
    app, auditor_client, admin_client, auditor
):
    """A province admin grants unpublished results: the auditor then sees C; the grant is an
    ``auditor.access_changed`` event with before and after."""
    response = post_form(
        admin_client,
        "/admin/comparison/access",
        {"user_id": str(auditor.id), "sees_unpublished": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProvinceUser, auditor.id).sees_unpublished is True
    (event,) = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "auditor.access_changed")
    ).scalars()
    assert event.actor_name == "tinh.admin"
    assert event.before["sees_unpublished"] is False and event.after["sees_unpublished"] is True
    html = auditor_client.get(PAGE).get_data(as_text=True)
    assert row_of(_units_table(html), "Xã Cẩm")[1] == "2"
    assert "Gồm cả kết quả chưa công khai" in html
    # Withdrawn again: back to published results only.
    post_form(admin_client, "/admin/comparison/access", {"user_id": str(auditor.id)})
    html = auditor_client.get(PAGE).get_data(as_text=True)
    assert row_of(_units_table(html), "Xã Cẩm")[1] == "Chưa có số liệu trong kỳ này"


def test_comparison_access_page_lists_auditors(admin_client):
    """The access page lists each auditor with the toggle (a CSRF-protected form)."""
    html = admin_client.get("/admin/comparison/access").get_data(as_text=True)
    assert "tinh.thanhtra" in html and 'name="csrf_token"' in html and "Cho phép" in html


def test_comparison_auditor_cannot_grant(auditor_client, auditor):
    """An auditor gets 403 on the access page and on its form; nothing changes or is logged."""
    assert auditor_client.get("/admin/comparison/access").status_code == 403
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', auditor_client.get(PAGE).get_data(as_text=True)
    )
    response = auditor_client.post(
        "/admin/comparison/access",
        data={"csrf_token": token.group(1), "user_id": str(auditor.id), "sees_unpublished": "y"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(ProvinceUser, auditor.id).sees_unpublished is False
    assert not db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "auditor.access_changed")
    ).first()


def test_comparison_access_post_without_csrf_is_refused(admin_client, auditor):
    """The grant form needs its CSRF token."""
    response = admin_client.post(
        "/admin/comparison/access", data={"user_id": str(auditor.id), "sees_unpublished": "y"}
    )
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(ProvinceUser, auditor.id).sees_unpublished is False


def test_comparison_refuses_tenant_users_everywhere(app, province, factory):
    """A unit administrator of A, signed in to A, reaches none of the comparison routes; the
    door records no read for them."""
    factory.user(province["a"], "qt.an", ("unit_admin", "staff"))
    client = app.test_client()
    assert login(client, "phuong-an", "qt.an").status_code == 302
    staff_id = province["a_ids"]["staff"][0]
    urls = [
        PAGE,
        "/admin/comparison/export/units.csv?period=2026-10",
        "/admin/comparison/export/flags.xlsx?period=2026-10",
        "/admin/comparison/items?period=2026-10",
        "/admin/comparison/items?period=2026-10&code=HS.01",
        "/admin/comparison/items/export.csv?period=2026-10&code=HS.01",
        "/admin/comparison/units/phuong-an?period=2026-10",
        "/admin/comparison/units/phuong-an/report.pdf?period=2026-10",
        f"/admin/comparison/units/phuong-an/people/{staff_id}?period=2026-10",
        f"/admin/comparison/units/phuong-an/people/{staff_id}/form.pdf?period=2026-10",
        "/admin/comparison/access",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 401, 403, 404), url
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/admin/login"), url
    assert client.post("/admin/comparison/access", data={"user_id": "1"}).status_code in (
        302, 400, 401, 403, 404,
    )  # fmt: skip
    assert cross_tenant_reads() == []


def test_comparison_anonymous_is_sent_to_sign_in(client, province):
    """Without a session the console asks to sign in."""
    response = client.get(PAGE)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
