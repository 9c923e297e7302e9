"""In a real browser: a ward manager logs in and sees the ward's home, not the other ward."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_browser_manager_sees_own_ward_and_not_the_other(
    live_server, page, factory, tenant_a, tenant_b
):
    """Log in to phường A as its manager; A's home is Vietnamese; B's URL is the not-found page."""
    factory.user(tenant_a, "truongphong.a", ("manager", "staff"), full_name="Trịnh Văn Hùng")
    factory.user(tenant_b, "truongphong.b", ("manager", "staff"), full_name="Lê Thị Lan")

    page.goto(f"{live_server}/t/phuong-a/login")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Tên đăng nhập").fill("truongphong.a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.wait_for_url(f"{live_server}/t/phuong-a/")
    assert page.get_by_role("heading", level=1).inner_text() == "Xin chào, Trịnh Văn Hùng"
    assert "Phường A" in page.locator(".brand").inner_text()
    assert page.get_by_role("navigation").get_by_role("link", name="Trang chủ").is_visible()

    response = page.goto(f"{live_server}/t/phuong-b/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Không tìm thấy"
    assert "Lê Thị Lan" not in page.content()


def test_browser_wrong_password_shows_vietnamese_error(live_server, page, tenant_a, admin_a):
    """A wrong password keeps the user on the login page with a Vietnamese message."""
    page.goto(f"{live_server}/t/phuong-a/login")
    page.get_by_label("Tên đăng nhập").fill("admin.a")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert (
        page.locator(".error")
        .first.inner_text()
        .startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    )
