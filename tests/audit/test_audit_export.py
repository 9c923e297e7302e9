"""Exports of the filtered audit list: Vietnamese headers, local dates, formula-safe cells."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.audit.helpers import record_in
from tests.helpers import login

FORMULAS = ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)")


def _hostile_events(tenant):
    for text in FORMULAS:
        record_in(tenant, "account.updated", object_type="user", object_id=text, after={"x": text})


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_audit_export_csv_is_formula_safe(client, admin_a, tenant_a):
    """A CSV cell that would start with = + - @ starts with an apostrophe instead."""
    _hostile_events(tenant_a)
    login(client, "phuong-a", "admin.a")
    response = client.get("/t/phuong-a/audit/export.csv?action=account.updated")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    object_ids = [row[7] for row in rows[1:]]
    assert sorted(object_ids) == sorted("'" + f for f in FORMULAS)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_audit_export_csv_headers_and_local_dates(client, trail):
    """Vietnamese headers; times as dd/mm/yyyy HH:MM; both the label and the raw code."""
    login(client, "phuong-a", "admin.a")
    rows = _csv_rows(client.get("/t/phuong-a/audit/export.csv"))
    assert rows[0][:2] == ["Thời gian", "Người thực hiện"] and "Mã hành động" in rows[0]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row[0]) for row in rows[1:])
    updated = next(row for row in rows if row[5] == "account.updated")
    assert updated[4] == "Sửa tài khoản"
    assert "Họ và tên: Nguyễn Văn Cũ → Nguyễn Văn Mới" in updated[8]
    assert not any("b-only" in cell for row in rows for cell in row)


def test_audit_export_xlsx_stores_formulas_as_text(client, admin_a, tenant_a):
    """In the workbook formula-like text is a text cell, never a formula."""
    _hostile_events(tenant_a)
    login(client, "phuong-a", "admin.a")
    response = client.get("/t/phuong-a/audit/export.xlsx?action=account.updated")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Thời gian"
    cells = [sheet.cell(row=r, column=8) for r in range(2, sheet.max_row + 1)]
    assert sorted(c.value for c in cells) == sorted(FORMULAS)
    assert all(c.data_type == "s" for c in cells)


def test_audit_export_province_has_unit_column_and_is_recorded(client, trail, auditor):
    """The province export names the unit of each row; the read goes through the door."""
    login(client, None, "tinh.thanhtra")
    rows = _csv_rows(client.get("/admin/audit/export.csv?source=tenant"))
    assert rows[0][:2] == ["Nguồn", "Đơn vị"]
    assert {row[1] for row in rows[1:]} == {"Phường A", "Phường B"}
    html = client.get("/admin/audit?action=cross_tenant.read").get_data(as_text=True)
    assert "audit log export (csv)" in html


def test_audit_export_unknown_format_is_404(client, trail):
    """Only csv and xlsx exist."""
    login(client, "phuong-a", "admin.a")
    assert client.get("/t/phuong-a/audit/export.pdf").status_code == 404
