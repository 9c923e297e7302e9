"""In a real browser: a unit administrator imports staff from an Excel file and sees them listed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tests.helpers import PASSWORD
from tests.spreadsheets.xlsx import make_xlsx
from tests.workspace.conftest import make_structure

pytestmark = pytest.mark.browser

STAFF_HEADER = [
    "Mã cán bộ", "Họ và tên", "Loại", "Mã đơn vị", "Mã vị trí việc làm", "Mã người quản lý",
    "Nhóm nhiệm vụ tương đồng", "Mã ngạch", "Lương tháng", "Ngày bắt đầu", "Tên đăng nhập",
]  # fmt: skip


def test_browser_admin_imports_staff_and_sees_them_in_the_list(
    live_server, page, tenant_a, admin_a
):
    """Upload a staff .xlsx, see a clean preview, commit, find the people in the staff list."""
    make_structure(tenant_a)
    data = make_xlsx(
        [
            [
                "CB21",
                "Vũ Thị Hạnh",
                "Công chức",
                "VP",
                "CV",
                "NS1",
                "Văn thư",
                "01.003",
                8000000,
                "01/09/2025",
                None,
            ],
            [
                "CB22",
                "Bùi Văn Khánh",
                "Viên chức",
                "VP",
                "CV",
                "CB21",
                None,
                None,
                None,
                "15/09/2025",
                None,
            ],
        ],  # fmt: skip
        STAFF_HEADER,
    )
    base = f"{live_server}/t/phuong-a"
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill("admin.a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/imports")
    page.get_by_label("Loại dữ liệu").select_option("staff")
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(
        {"name": "nhan-su.xlsx", "mimeType": XLSX_MIMETYPE, "buffer": data}
    )
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    page.wait_for_url(re.compile(r".*/t/phuong-a/imports/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhân sự")
    expect(page.get_by_text("Lỗi cần sửa")).to_have_count(0)
    preview = page.locator("table.list")
    expect(preview).to_contain_text("Vũ Thị Hạnh")
    expect(preview).to_contain_text("Bùi Văn Khánh")
    page.get_by_role("button", name="Ghi dữ liệu").click()
    expect(page.locator("section.card").first).to_contain_text("Đã ghi")

    page.goto(f"{base}/staff")
    table = page.locator("table.list")
    for name in ("Vũ Thị Hạnh", "Bùi Văn Khánh"):
        row = table.locator("tr", has_text=name)
        expect(row).to_contain_text("Văn phòng HĐND và UBND")
        expect(row).to_contain_text("Chuyên viên văn thư")
