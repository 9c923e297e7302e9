"""In a real browser, the unit administrator (the approver the period names) finds a proposed
exemption from the dashboard, reads its reason and proof, and approves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_month_browser import _login
from tests.evaluation.conftest import build_ward
from tests.evaluation.test_exemption_proof import REASON
from tests.evaluation.test_exemption_views import _proposed

pytestmark = pytest.mark.browser


def test_browser_approver_decides_a_proposed_exemption(
    live_server, page, factory, tenant_a, admin_a
):
    """Dashboard link → list → the proposal (reason, proof link) → "Duyệt miễn trừ": the list
    is empty again and the page says the score is recomputed."""
    _proposed(tenant_a, build_ward(factory, tenant_a))
    _login(page, live_server, "admin.a")
    page.goto(f"{live_server}/t/phuong-a/dashboard")
    page.get_by_role("link", name="Có 1 đề nghị miễn trừ chờ bạn duyệt.").click()
    page.get_by_role("link", name="Xem và quyết định").click()
    expect(page.locator("dl")).to_contain_text(REASON)
    expect(page.get_by_role("link", name="Xác nhận mất điện")).to_be_visible()
    page.get_by_label("Ý kiến (bắt buộc khi không duyệt)").fill("Có xác nhận của Điện lực")
    page.get_by_role("button", name="Duyệt miễn trừ").click()
    expect(page.locator("body")).to_contain_text(
        "Đã duyệt miễn trừ cho Trần Thị Văn; điểm được tính lại."
    )
    expect(page.locator("body")).to_contain_text("Không có đề nghị miễn trừ nào chờ bạn duyệt.")
