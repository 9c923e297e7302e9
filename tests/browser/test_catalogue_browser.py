"""In a real browser, an item added to the catalogue mid-month is assigned in the running month."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tenant_app.services.evaluation import periods
from tenant_app.services.workspace import catalogue, catalogue_dates
from tenant_app.tenancy import tenant_context
from tests.browser.test_month_browser import _assign, _login
from tests.evaluation.conftest import TODAY, build_ward

pytestmark = pytest.mark.browser


class _Today(date):
    @classmethod
    def today(cls):
        return TODAY


def test_browser_item_added_mid_month_is_assigned_this_month(
    live_server, browser, factory, tenant_a, admin_a, monkeypatch
):
    """On 20/11 the admin adds an item with the proposed date; the head assigns it in 2026-11."""
    for module in (catalogue, catalogue_dates, periods):
        monkeypatch.setattr(module, "date", _Today)
    ward = build_ward(factory, tenant_a)
    base = live_server
    admin_ctx = browser.new_context(locale="vi-VN")
    manager_ctx = browser.new_context(locale="vi-VN")
    try:
        admin = admin_ctx.new_page()
        manager = manager_ctx.new_page()
        for p in (admin, manager):
            p.set_default_timeout(15_000)

        _login(admin, base, "admin.a")
        admin.goto(f"{base}/t/phuong-a/catalogue/new")
        expect(admin.get_by_label("Ngày hiệu lực của giá trị mới")).to_have_value("2026-11-01")
        expect(admin.get_by_text("ngày bắt đầu kỳ đang mở")).to_be_visible()
        admin.get_by_label("Mã mục").fill("MOI1")
        admin.get_by_label("Tên mục").fill("Tờ trình mới")
        admin.get_by_label("Đơn vị tính").fill("tờ trình")
        admin.get_by_label("Hệ số quy đổi (sản phẩm/công việc)").fill("2")
        admin.get_by_label(re.compile("Chuyên viên văn thư")).check()
        admin.get_by_role("button", name="Lưu").click()
        expect(admin.locator("div.flash-success")).to_contain_text("Đã thêm mục Tờ trình mới")

        _login(manager, base, "truong")
        manager.goto(f"{base}/t/phuong-a/assign")
        expect(manager.get_by_role("heading", level=1)).to_contain_text("Tháng 11/2026")
        with tenant_context(tenant_a):
            item_id = catalogue.find_item("MOI1").id
        _assign(manager, ward["clerk"], item_id, 3)
        expect(manager.locator(f"#p-{ward['clerk']}")).to_contain_text("Tờ trình mới")
    finally:
        admin_ctx.close()
        manager_ctx.close()
