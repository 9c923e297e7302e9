"""In a real browser: the province administrator onboards a ward through the wizard, and the
invited unit administrator sets a password with the one-time link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture()
def published_version(app):
    """A published template version to apply."""
    from tenant_app.extensions import db
    from tenant_app.services.rollout import templates

    template = templates.create_template({"code": "PHUONG", "name": "Bộ chỉ số cấp phường"})
    payload = templates.default_payload()
    payload["positions"] = [
        {"code": "CM01", "name": "Công chức văn thư", "position_group": "professional_common"}
    ]
    payload["items"] = [
        {"canonical_code": "TH.SP01", "kind": "work_item", "code": "SP01",
         "name": "Vào sổ văn bản đến", "unit_of_measure": "văn bản", "coefficient": "0.1",
         "positions": ["CM01"], "mandatory": True}
    ]  # fmt: skip
    version = templates.create_draft(template, payload)
    templates.publish(version)
    db.session.commit()
    return version


def test_browser_onboarding_wizard_end_to_end(live_server, page, province_admin, published_version):
    """Create the ward, invite its admin, apply v1, skip staff, activate; the link works once."""
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("Tên đăng nhập").fill("tinh.admin")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_text("Đơn vị", exact=True).click()  # the units menu
    nav.get_by_role("link", name="Thiết lập đơn vị mới").click()
    page.get_by_label("Tên đơn vị").fill("Phường Quảng Phú")
    page.get_by_label("Mã đơn vị (dùng trong địa chỉ)").fill("quang-phu")
    page.get_by_role("button", name="Tạo đơn vị").click()

    page.wait_for_url(re.compile(r".*/admin/onboarding/quang-phu/admin$"))
    page.get_by_label("Tên đăng nhập").fill("qt.quangphu")
    page.get_by_label("Họ và tên").fill("Phạm Văn Quản")
    page.get_by_role("button", name="Tạo quản trị đơn vị").click()
    link = page.locator("#invitation-link").inner_text()
    assert "/t/quang-phu/invitation/" in link

    # Interrupted here: the list of units being onboarded resumes at step 3.
    page.goto(f"{live_server}/admin/onboarding/")
    page.get_by_role("row", name=re.compile("Phường Quảng Phú")).get_by_role(
        "link", name="Tiếp tục"
    ).click()
    page.wait_for_url(re.compile(r".*/quang-phu/config$"))
    page.get_by_role("button", name="Áp dụng").click()

    page.wait_for_url(re.compile(r".*/quang-phu/staff$"))
    page.get_by_role("button", name="Bỏ qua, đơn vị tự nhập sau").click()
    page.wait_for_url(re.compile(r".*/quang-phu/activate$"))
    page.get_by_role("button", name="Kích hoạt: thí điểm").click()
    page.wait_for_url(re.compile(r".*/admin/tenants/quang-phu$"))
    assert page.locator(".badge.status-pilot").first.inner_text() == "Thí điểm"

    person = page.context.browser.new_context(locale="vi-VN").new_page()
    person.goto(link)
    person.get_by_label("Mật khẩu mới", exact=True).fill("Quang-Phu-2026")
    person.get_by_label("Nhập lại mật khẩu mới").fill("Quang-Phu-2026")
    person.get_by_role("button", name="Đặt mật khẩu").click()
    person.wait_for_url(re.compile(r".*/t/quang-phu/login$"))
    person.get_by_label("Tên đăng nhập").fill("qt.quangphu")
    person.get_by_label("Mật khẩu", exact=True).fill("Quang-Phu-2026")
    person.get_by_role("button", name="Đăng nhập").click()
    person.wait_for_url(f"{live_server}/t/quang-phu/")
    assert person.goto(link).status == 410
    person.context.close()


def _sign_in(page, live_server):
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("Tên đăng nhập").fill("tinh.admin")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_browser_new_ward_goes_active_with_the_sample_files_alone(
    live_server, page, province_admin, published_version, tmp_path
):
    """Download each sample file from the wizard (org chart, staff, accounts, in that order),
    upload it unchanged: zero row errors each time, readable states, set-password links for the
    imported accounts, a stepper showing where the wizard stands; the ward then goes active."""
    _sign_in(page, live_server)
    page.goto(f"{live_server}/admin/onboarding/")
    page.get_by_label("Tên đơn vị").fill("Phường Quảng Phú")
    page.get_by_label("Mã đơn vị (dùng trong địa chỉ)").fill("quang-phu")
    page.get_by_role("button", name="Tạo đơn vị").click()
    page.wait_for_url(re.compile(r".*/admin/onboarding/quang-phu/admin$"))
    page.get_by_label("Tên đăng nhập").fill("qt.quangphu")
    page.get_by_label("Họ và tên").fill("Phạm Văn Quản")
    page.get_by_role("button", name="Tạo quản trị đơn vị").click()
    page.get_by_role("link", name="Tiếp: chọn cấu hình").click()
    page.get_by_role("button", name="Áp dụng").click()
    page.wait_for_url(re.compile(r".*/quang-phu/staff$"))

    stepper = page.get_by_role("navigation", name="Các bước thiết lập").locator("ol > li")
    assert stepper.count() == 5
    current = page.locator('[aria-current="step"]')
    assert "Nhân sự" in current.inner_text() and "step-current" in current.get_attribute("class")
    assert "step-done" in stepper.nth(2).get_attribute("class")  # configuration applied
    assert "step-todo" in stepper.nth(4).get_attribute("class")

    samples = page.locator("ol.import-order > li")
    assert [samples.nth(i).inner_text().split(" · ")[0] for i in range(3)] == [
        "Cơ cấu tổ chức", "Nhân sự", "Tài khoản",
    ]  # fmt: skip
    for index, (kind, label) in enumerate(
        (("org_units", "Cơ cấu tổ chức"), ("staff", "Nhân sự"), ("users", "Tài khoản"))
    ):
        with page.expect_download() as download:
            samples.nth(index).get_by_role("link", name="Tải tệp mẫu").click()
        path = tmp_path / f"{kind}.xlsx"
        download.value.save_as(path)
        page.get_by_label("Loại dữ liệu").select_option(label=label)
        page.get_by_label("Tệp Excel (.xlsx)").set_input_files(path)
        page.get_by_role("button", name="Tải lên và kiểm tra").click()
        run = page.locator(".review-item").first
        assert "Sẵn sàng ghi" in run.locator(".badge").inner_text()
        assert "Lỗi: 0" in run.inner_text()
        run.get_by_role("button", name="Ghi dữ liệu").click()
        run = page.locator(".review-item").first
        assert run.locator(".badge").inner_text() == "Đã ghi"

    page.get_by_role("button", name="Tạo liên kết đặt mật khẩu").click()
    links = page.locator("#invitation-links .secret code")
    expect(links).to_have_count(2)
    assert "/t/quang-phu/invitation/" in links.first.inner_text()

    page.get_by_role("link", name="Tiếp: rà soát").click()
    page.get_by_role("button", name="Kích hoạt: hoạt động chính thức").click()
    page.wait_for_url(re.compile(r".*/admin/tenants/quang-phu$"))
    assert page.locator(".badge.status-active").first.inner_text() == "Đang hoạt động"
