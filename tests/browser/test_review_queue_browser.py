"""In a real browser, a manager accepts one report and returns another without leaving the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.evaluation.view_helpers import assign, report, ward_today
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_browser_review_accept_and_return_in_place(live_server, browser, factory, tenant_a):
    """Accept T1, return T2 with a reason: each row confirms, the count drops, no reload."""
    ward = ward_today(factory, tenant_a)
    report(tenant_a, ward, assign(tenant_a, ward, "T1", 10), 10)
    report(tenant_a, ward, assign(tenant_a, ward, "T2", 2), 1)
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/t/phuong-a/login")
        page.get_by_label("Tên đăng nhập").fill("truong")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server}/t/phuong-a/")
        page.goto(f"{live_server}/t/phuong-a/review")
        waiting = page.locator('[data-count="waiting"]').first
        expect(waiting).to_have_text("1")
        page.evaluate("window.__sameDocument = 'kept'")

        first = page.locator("article.review-item", has_text="Sản phẩm T1")
        first.get_by_role("button", name="Lưu thẩm định").click()
        expect(first.locator("[data-row-status]")).to_have_text("Đã chấp nhận.")

        second = page.locator("article.review-item", has_text="Sản phẩm T2")
        second.get_by_label("Kết quả thẩm định").select_option("return")
        second.get_by_role("button", name="Lưu thẩm định").click()
        expect(second.locator("[data-row-status]")).to_contain_text("Trả lại báo cáo cần ghi rõ")
        second.get_by_label("Nhận xét").fill("Thiếu biên bản")
        second.get_by_role("button", name="Lưu thẩm định").click()
        expect(second.locator("[data-row-status]")).to_have_text("Đã trả lại.")
        expect(second).to_contain_text("Đã trả lại: Thiếu biên bản")

        expect(waiting).to_have_text("0")
        assert page.evaluate("window.__sameDocument") == "kept"
        assert page.locator("div.flash-success").count() == 0
    finally:
        context.close()
