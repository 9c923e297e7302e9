"""In a real browser: a clerk's session expires while the self-assessment is being typed; pressing
Save leads to the login page, and signing in again brings back the form filled in, to save.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tenant_app.extensions import db
from tenant_app.models import Assessment, LoginSession
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import ward_today
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

KEPT = "Phiên làm việc đã hết hạn. Đăng nhập lại để tiếp tục; nội dung bạn đã nhập được giữ lại."
RESTORED = "Đã khôi phục nội dung bạn nhập trước khi phiên hết hạn. Kiểm tra và bấm Lưu."
COMMENT = "Hoàn thành đủ hồ sơ một cửa trong tháng"


def _login(page, base, username):
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _end_sessions(tenant) -> None:
    """End every session of the unit on the server, as the idle timeout does."""
    with tenant_context(tenant):
        db.session.execute(sa.delete(LoginSession))
        db.session.commit()


def test_browser_expired_save_comes_back_filled_in(live_server, page, factory, tenant_a):
    """Typed, session expired, Save → login with the message → the form again, filled in, with
    the notice → Save stores it."""
    ward_today(factory, tenant_a)
    base = live_server
    page.goto(f"{base}/t/phuong-a/login")
    _login(page, base, "vanthu")
    page.wait_for_url(f"{base}/t/phuong-a/")
    page.goto(f"{base}/t/phuong-a/my/work")
    for i in range(3):
        page.locator(f"#self-general_{i}").fill("8")
    page.locator("#self-comment").fill(COMMENT)

    _end_sessions(tenant_a)
    page.get_by_role("button", name="Lưu đánh giá").click()
    page.wait_for_url(re.compile(r"/t/phuong-a/login\?next="))
    expect(page.locator("div.flash-warning")).to_have_text(KEPT)

    _login(page, base, "vanthu")
    page.wait_for_url(f"{base}/t/phuong-a/my/work")
    expect(page.locator("div.flash-info")).to_have_text(RESTORED)
    expect(page.locator("#self-general_0")).to_have_value("8")
    expect(page.locator("#self-comment")).to_have_value(COMMENT)

    page.get_by_role("button", name="Lưu đánh giá").click()
    expect(page.locator("div.flash-success")).to_have_text("Đã lưu phiếu tự đánh giá.")
    with tenant_context(tenant_a):
        db.session.expire_all()
        row = db.session.execute(sa.select(Assessment)).scalar_one()
        assert row.comment == COMMENT and row.stage == "self"


def test_browser_another_account_gets_no_draft(live_server, page, factory, tenant_a):
    """The head signing in on the clerk's browser lands on the page without the clerk's text."""
    ward_today(factory, tenant_a)
    base = live_server
    page.goto(f"{base}/t/phuong-a/login")
    _login(page, base, "vanthu")
    page.wait_for_url(f"{base}/t/phuong-a/")
    page.goto(f"{base}/t/phuong-a/my/work")
    page.locator("#self-comment").fill(COMMENT)
    _end_sessions(tenant_a)
    page.get_by_role("button", name="Lưu đánh giá").click()
    page.wait_for_url(re.compile(r"/t/phuong-a/login\?next="))

    _login(page, base, "truong")
    page.wait_for_url(f"{base}/t/phuong-a/my/work")
    expect(page.locator("div.flash-info")).to_have_count(0)
    expect(page.locator("#self-comment")).to_have_value("")
