"""The data-source pages of the unit administrator: list, settings, mappings, tokens shown once,
replay, uploads; refused to staff (403) and to another unit (404)."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import FeedBatch, FeedRecord, FeedSource
from tenant_app.services.feeds import sources
from tenant_app.tenancy import tenant_context
from tests.feeds.conftest import post, record
from tests.helpers import login, post_form

LIST = "/t/phuong-a/feeds"
HEADER = "external_id,event,officer,item_code,occurred_at,due_on,value\n"


def _page(ward):
    return f"{LIST}/{ward['source']}"


def _status(tenant, external_id):
    db.session.expire_all()
    with tenant_context(tenant):
        return db.session.scalars(
            sa.select(FeedRecord.status).where(FeedRecord.external_id == external_id)
        ).all()


def _batches(tenant):
    db.session.expire_all()
    with tenant_context(tenant):
        return db.session.scalar(sa.select(sa.func.count()).select_from(FeedBatch))


def test_admin_sees_the_list_and_a_source_with_its_mappings(client, fed_ward, admin_a):
    login(client, "phuong-a", admin_a.username)
    home = client.get("/t/phuong-a/").get_data(as_text=True)
    assert "Nguồn dữ liệu" in home
    listed = client.get(LIST)
    html = listed.get_data(as_text=True)
    assert listed.status_code == 200
    assert "mot-cua" in html and "Hệ thống một cửa" in html
    assert "ngày 3 tháng sau, 17:00" in html and "Chuyển sang kỳ sau" in html
    page = client.get(_page(fed_ward))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("CB-CHANH", "CB-VAN", "TTHC-01", "Cấp token mới", "Xử lý lại"):
        assert text in html, text


def test_adding_a_source(client, tenant_a, fed_ward, admin_a):
    login(client, "phuong-a", admin_a.username)
    data = {"code": "van-ban", "name": "Quản lý văn bản", "kind": "documents",
            "closing_day": "5", "closing_time": "16:30", "late_policy": "refuse"}  # fmt: skip
    response = post_form(client, LIST, data)
    assert response.status_code == 302
    with tenant_context(tenant_a):
        source = db.session.scalars(sa.select(FeedSource).where(FeedSource.code == "van-ban")).one()
        assert (source.closing_day, source.closing_time.strftime("%H:%M")) == (5, "16:30")
        assert source.late_policy == "refuse"
    html = client.get(LIST).get_data(as_text=True)
    assert "ngày 5 tháng sau, 16:30" in html
    again = post_form(client, LIST, {**data, "closing_day": "31"})
    assert again.status_code == 422
    assert "Mã nguồn đã được dùng." in again.get_data(as_text=True)
    bad_day = post_form(client, LIST, {**data, "code": "giai-ngan", "closing_day": "31"})
    assert bad_day.status_code == 422
    assert "từ 1 đến 28" in bad_day.get_data(as_text=True)


def test_mapping_an_officer_then_replay_accepts_the_rejected_record(
    client, tenant_a, fed_ward, admin_a
):
    sent = post(client, fed_ward["token"], [record("d9", "received", officer="CB-MOI")])
    assert sent.status_code == 202
    assert _status(tenant_a, "d9") == ["rejected"]
    login(client, "phuong-a", admin_a.username)
    page = client.get(_page(fed_ward)).get_data(as_text=True)
    assert "CB-MOI" in page and "chưa được ánh xạ" in page
    mapped = post_form(
        client,
        f"{_page(fed_ward)}/officers",
        {"external_id": "CB-MOI", "staff_code": "NS2"},
        page=_page(fed_ward),
    )
    assert mapped.status_code == 302
    replayed = post_form(
        client, f"{_page(fed_ward)}/replay", {}, page=_page(fed_ward), follow_redirects=True
    )
    html = replayed.get_data(as_text=True)
    assert "Đã xử lý lại 1 bản ghi: 1 được chấp nhận, 0 bị từ chối, 0 chờ kỳ sau" in html
    assert _status(tenant_a, "d9") == ["accepted"]


def test_mapping_to_an_unknown_staff_code_is_a_field_error(client, fed_ward, admin_a):
    login(client, "phuong-a", admin_a.username)
    response = post_form(
        client,
        f"{_page(fed_ward)}/officers",
        {"external_id": "CB-MOI", "staff_code": "KHONG-CO"},
        page=_page(fed_ward),
    )
    assert response.status_code == 422
    assert "Không có nhân sự mã" in response.get_data(as_text=True)


def test_a_new_token_is_shown_once_and_the_old_one_stops_working(client, fed_ward, admin_a):
    login(client, "phuong-a", admin_a.username)
    rotated = post_form(client, f"{_page(fed_ward)}/tokens", {}, page=_page(fed_ward))
    assert rotated.status_code == 200
    assert rotated.headers["Cache-Control"] == "no-store"
    match = re.search(r"(kpi_f\d+_[A-Za-z0-9_-]+)", rotated.get_data(as_text=True))
    assert match
    token = match.group(1)
    assert token not in client.get(_page(fed_ward)).get_data(as_text=True)
    assert post(client, fed_ward["token"], [record("d1", "received")]).status_code == 401
    assert post(client, token, [record("d1", "received")]).status_code == 202


def test_staff_are_refused(client, fed_ward):
    login(client, "phuong-a", "vanthu")
    assert client.get(LIST).status_code == 403
    assert client.get(_page(fed_ward)).status_code == 403


def test_another_unit_cannot_open_the_source(client, fed_ward, tenant_b, admin_b):
    login(client, "phuong-b", admin_b.username)
    assert client.get(f"/t/phuong-b/feeds/{fed_ward['source']}").status_code == 404
    assert client.get("/t/phuong-b/feeds").status_code == 200


def _upload(client, ward, text, name="ho-so.csv"):
    return post_form(
        client,
        f"{_page(ward)}/upload",
        {"file": (io.BytesIO(text.encode()), name)},
        page=_page(ward),
        content_type="multipart/form-data",
    )


def test_an_upload_with_a_bad_row_shows_it_and_stores_nothing(client, tenant_a, fed_ward, admin_a):
    login(client, "phuong-a", admin_a.username)
    text = (
        HEADER
        + "d1,received,CB-VAN,TTHC-01,2026-11-10T09:00:00,2026-11-20,\n"
        + "d2,exploded,CB-VAN,TTHC-01,2026-11-10T09:00:00,2026-11-20,\n"
    )
    response = _upload(client, fed_ward, text)
    assert response.status_code == 422
    assert "Dòng 3, cột event:" in response.get_data(as_text=True)
    assert _batches(tenant_a) == 0


def test_a_good_upload_creates_a_batch(client, tenant_a, fed_ward, admin_a):
    login(client, "phuong-a", admin_a.username)
    text = (
        HEADER
        + "d1,received,CB-VAN,TTHC-01,2026-11-10T09:00:00,2026-11-20,\n"
        + "d1,settled,CB-VAN,TTHC-01,2026-11-15T09:00:00,2026-11-20,\n"
    )
    response = _upload(client, fed_ward, text)
    assert response.status_code == 302
    assert _batches(tenant_a) == 1
    assert _status(tenant_a, "d1") == ["accepted", "accepted"]
    html = client.get(_page(fed_ward)).get_data(as_text=True)
    assert "ho-so.csv" in html


def test_settings_unmapping_and_revoking_from_the_page(client, tenant_a, fed_ward, admin_a):
    login(client, "phuong-a", admin_a.username)
    page = _page(fed_ward)
    edited = post_form(
        client,
        page,
        {"name": "Một cửa mới", "closing_day": "10", "closing_time": "08:00",
         "late_policy": "refuse"},
    )  # fmt: skip
    assert edited.status_code == 302
    for path, external, status in (
        ("officers/remove", "CB-CHANH", 302),
        ("items/remove", "TTHC-01", 302),
        ("items/remove", "KHONG-CO", 404),
    ):
        removed = post_form(client, f"{page}/{path}", {"external": external}, page=page)
        assert removed.status_code == status, path
    with tenant_context(tenant_a):
        source = db.session.get(FeedSource, (tenant_a.id, fed_ward["source"]))
        assert (source.name, source.closing_day, source.active) == ("Một cửa mới", 10, False)
        token_id = sources.tokens_of(source)[0].id
    html = client.get(page).get_data(as_text=True)
    assert "CB-CHANH" not in html and "TTHC-01" not in html
    assert "Tạm dừng" in client.get(LIST).get_data(as_text=True)
    assert "ngày 10 tháng sau, 08:00" in html
    revoked = post_form(client, f"{page}/tokens/{token_id}/revoke", {}, page=page)
    assert revoked.status_code == 302
    assert post(client, fed_ward["token"], [record("d1", "received")]).status_code == 401
