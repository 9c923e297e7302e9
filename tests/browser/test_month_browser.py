"""In a real browser, a manager and their clerk run a whole month, ending on the golden score.

DOMAIN.md's worked example: T1 10 × 1.0 with one error and two delays, T2 2 × 2.5, T3 1 × 5.0 not
done, general 9/9/9 → total 78.625, shown 78,63, "Hoàn thành tốt nhiệm vụ".
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import get, ward_today
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def small_pdf() -> bytes:
    """A one-page PDF with a valid cross-reference table, made here (no file on disk)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _login(page, base, username):
    page.goto(f"{base}/t/phuong-a/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/t/phuong-a/")


def _assign(page, clerk_id, item_id, quantity):
    person = page.locator(f"#p-{clerk_id}")
    person.get_by_label("Sản phẩm/công việc").select_option(str(item_id))
    person.get_by_label("Số lượng").fill(str(quantity))
    person.get_by_role("button", name="Giao việc").click()
    expect(page.locator("div.flash-success")).to_contain_text("Đã giao việc cho Trần Thị Văn")


def _report(page, item_name, completed, *, file=None):
    card = page.locator("section.work-item", has_text=item_name)
    card.get_by_label("Số lượng hoàn thành").fill(str(completed))
    card.get_by_label("Ngày hoàn thành").fill(date.today().isoformat())
    if file is not None:
        card.get_by_label(re.compile("Tệp minh chứng")).set_input_files(file)
    card.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("div.flash-success")).to_have_text("Đã gửi báo cáo.")


def _review(page, item_name, errors, delays):
    article = page.locator("article.review-item", has_text=item_name)
    article.get_by_label("Số lỗi nội dung lớn").fill(str(errors))
    article.get_by_label("Số lần chậm tiến độ").fill(str(delays))
    if delays:  # the dates propose none (completed before the due date): say why
        article.get_by_label("Lý do sửa số lần chậm đề xuất").fill("Đối chiếu sổ theo dõi văn bản")
    article.get_by_role("button", name="Lưu thẩm định").click()
    # Saved in place: the row itself confirms (tests/browser/test_review_queue_browser.py).
    expect(page.locator("article.review-item", has_text=item_name)).to_contain_text("Đã chấp nhận")


def _general(scope, prefix):
    for i in range(3):
        scope.locator(f"#{prefix}-general_{i}").fill("9")


def test_browser_full_month_ends_on_the_golden_score(live_server, browser, factory, tenant_a):
    """Assign, report with a PDF, review (error, delays), assess, approve, publish: 78,63 HTT."""
    ward = ward_today(factory, tenant_a)
    with tenant_context(tenant_a):
        today_period = get(Period, tenant_a, ward["period"])
        assert today_period.starts_on <= date.today() <= today_period.ends_on
        db.session.expunge_all()
    base, clerk, items = live_server, ward["clerk"], ward["items"]
    manager_ctx = browser.new_context(locale="vi-VN")
    staff_ctx = browser.new_context(locale="vi-VN")
    try:
        manager = manager_ctx.new_page()
        staff = staff_ctx.new_page()
        for p in (manager, staff):
            p.set_default_timeout(15_000)

        # The manager assigns the month's work (due date prefilled: the period's last day).
        _login(manager, base, "truong")
        manager.get_by_role("navigation").get_by_role("link", name="Giao việc").click()
        expect(manager.get_by_role("heading", level=1)).to_contain_text("Giao việc")
        _assign(manager, clerk, items["T1"], 10)
        _assign(manager, clerk, items["T2"], 2)
        _assign(manager, clerk, items["T3"], 1)

        # The clerk reports T1 (with a PDF) and T2; T3 stays undone.
        _login(staff, base, "vanthu")
        staff.get_by_role("navigation").get_by_role("link", name="Công việc của tôi").click()
        pdf = {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
        _report(staff, "Sản phẩm T1", 10, file=pdf)
        _report(staff, "Sản phẩm T2", 2)
        expect(staff.get_by_role("link", name="bien-ban.pdf")).to_be_visible()

        # The manager keeps the dashboard open in a second tab; it updates itself after review.
        dashboard = manager_ctx.new_page()
        dashboard.goto(f"{base}/t/phuong-a/dashboard")
        accepted = dashboard.locator(f'[data-live="{clerk}:accepted_text"]')
        expect(accepted).to_have_text("0,00")
        manager.goto(f"{base}/t/phuong-a/review")
        expect(manager.get_by_role("link", name="bien-ban.pdf")).to_be_visible()
        _review(manager, "Sản phẩm T1", 1, 2)
        _review(manager, "Sản phẩm T2", 0, 0)
        expect(accepted).to_have_text("15,00", timeout=20_000)  # polled, never reloaded

        # Self-assessment, then the manager's assessment.
        staff.goto(f"{base}/t/phuong-a/my/work")
        _general(staff, "self")
        staff.get_by_role("button", name="Lưu đánh giá").click()
        expect(staff.locator("div.flash-success")).to_have_text("Đã lưu phiếu tự đánh giá.")
        manager.goto(f"{base}/t/phuong-a/review")
        manager.get_by_text("Đánh giá tiêu chí chung của Trần Thị Văn").click()
        _general(manager, "m-NS2")
        manager.locator("#m-NS2-submit").click()
        expect(manager.locator("div.flash-success")).to_contain_text("Đã lưu đánh giá")

        # The head approves everyone and publishes.
        manager.get_by_role("navigation").get_by_role("link", name="Phê duyệt").click()
        expect(manager.get_by_role("cell", name="78,63")).to_be_visible()
        manager.get_by_role("button", name="Phê duyệt tất cả").click()
        expect(manager.locator("div.flash-success")).to_have_text("Đã phê duyệt 1 người.")
        manager.get_by_role("button", name="Công khai kết quả").click()
        expect(manager.locator("div.flash-success")).to_contain_text("Đã công khai kết quả")

        # The clerk reads the explained score.
        staff.get_by_role("navigation").get_by_role("link", name="Kết quả của tôi").click()
        expect(staff.locator('[data-live="total"]')).to_have_text("78,63")
        expect(staff.locator('[data-live="grade"]')).to_have_text("Hoàn thành tốt nhiệm vụ")
        steps = staff.locator("ol.explain")
        expect(steps.locator("li.step-a .step-result")).to_have_text("75,00")
        expect(steps.locator("li.step-b .step-result")).to_have_text("73,75")
        expect(steps.locator("li.step-c .step-result")).to_have_text("72,50")
        expect(steps.locator("li.step-task_points .step-result")).to_have_text("51,63")
        expect(steps.locator("li.step-general_points .step-result")).to_have_text("27,00")
        expect(steps.locator("li.step-total .step-result")).to_have_text("78,63")
        expect(staff.get_by_text("Đã công khai").first).to_be_visible()
    finally:
        manager_ctx.close()
        staff_ctx.close()
