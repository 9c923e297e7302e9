"""In a real browser, the clerk learns that the manager returned a report, and why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_month_browser import _login
from tests.evaluation.view_helpers import assign, report, ward_today

pytestmark = pytest.mark.browser

COMMENT = "Thiếu biên bản nghiệm thu"


def test_browser_clerk_is_told_the_report_was_returned(live_server, browser, factory, tenant_a):
    """The head returns T1 with a comment; the clerk's bell, notice and my-work page say so."""
    ward = ward_today(factory, tenant_a)
    report(tenant_a, ward, assign(tenant_a, ward), 10)
    base = live_server
    manager_ctx = browser.new_context(locale="vi-VN")
    staff_ctx = browser.new_context(locale="vi-VN")
    try:
        manager = manager_ctx.new_page()
        staff = staff_ctx.new_page()
        for p in (manager, staff):
            p.set_default_timeout(15_000)

        _login(manager, base, "truong")
        manager.goto(f"{base}/t/phuong-a/review")
        article = manager.locator("article.review-item", has_text="Sản phẩm T1")
        article.get_by_label("Kết quả thẩm định").select_option("return")
        article.get_by_label("Nhận xét").fill(COMMENT)
        article.get_by_role("button", name="Lưu thẩm định").click()
        expect(article.locator("[data-row-status]")).to_have_text("Đã trả lại.")

        _login(staff, base, "vanthu")
        staff.get_by_role("link", name=re.compile("Thông báo: 2 chưa đọc")).click()
        notice = staff.locator("ul.notifications li", has_text="bị trả lại")
        expect(notice).to_contain_text("Báo cáo “Sản phẩm T1” bị trả lại để bổ sung.")
        expect(notice).to_contain_text(f"Ý kiến của Lê Văn Chánh: {COMMENT}")
        notice.get_by_role("button", name="Xem").click()
        card = staff.locator("section.work-item", has_text="Sản phẩm T1")
        expect(card.locator("span.badge").first).to_have_text("Bị trả lại")
        expect(card).to_contain_text(COMMENT)
        assert re.search(r"/my/work\?period=[0-9a-f-]+#a-[0-9a-f-]+$", staff.url)
    finally:
        manager_ctx.close()
        staff_ctx.close()
