"""In a real browser, a running month's grade reads "Tạm tính" until the head approves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_month_browser import _login
from tests.evaluation.view_helpers import golden_month, ward_today

pytestmark = pytest.mark.browser

WHY = "Kỳ đang diễn ra: điểm và xếp loại sẽ thay đổi đến khi kỳ được phê duyệt"


def test_browser_grade_is_provisional_until_approved(live_server, page, factory, tenant_a):
    """The dashboard marks the clerk's grade Tạm tính (with why); approval removes the mark."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    base = live_server
    _login(page, base, "truong")
    page.goto(f"{base}/t/phuong-a/dashboard")
    row = page.locator("#d-NS2")
    mark = row.locator("span.badge.provisional")
    expect(mark).to_have_text("Tạm tính")
    expect(mark).to_have_attribute("title", WHY)
    page.get_by_role("navigation").get_by_role("link", name="Phê duyệt").click()
    page.get_by_role("button", name="Phê duyệt tất cả").click()
    expect(page.locator("div.flash-success")).to_have_text("Đã phê duyệt 1 người.")
    page.goto(f"{base}/t/phuong-a/dashboard")
    expect(row).to_contain_text("Hoàn thành tốt nhiệm vụ")
    expect(row.locator("span.badge.provisional")).to_have_count(0)
