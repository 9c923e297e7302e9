"""Comparison downloads: typed .xlsx cells with number formats, Vietnamese CSV, formula-safe."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tenant_app.extensions import db
from tenant_app.models import Tenant

UNITS = "/admin/comparison/export/units.{fmt}?period=2026-10"
HEADER = [
    "Đơn vị", "Số người được đánh giá", "HTXS (người)", "HTT (người)", "HTNV (người)",
    "KHTNV (người)", "HTXS (%)", "HTT (%)", "HTNV (%)", "KHTNV (%)", "Điểm bình quân",
    "Độ lệch chuẩn", "Thấp nhất", "Cao nhất", "HTXS so với HTT (%)", "HTXS tối đa theo tỷ lệ",
    "Sử dụng tỷ lệ HTXS (%)", "Báo cáo chậm (%)", "Báo cáo bị trả lại (%)",
    "Tự đánh giá − quản lý, bình quân (điểm)", "Chênh lệch tuyệt đối bình quân (điểm)",
    "Tự đánh giá trùng điểm quản lý (%)", "Số dấu hiệu cảnh báo", "Số liệu tính lúc",
]  # fmt: skip


def _csv_rows(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _sheet(response):
    return load_workbook(io.BytesIO(response.data)).active


def test_export_units_xlsx_has_header_and_numbers(auditor_client):
    """The .xlsx opens, has the Vietnamese header, and keeps numbers as numbers with formats
    (percentages as fractions shown with %), so Excel shows them in the reader's locale."""
    response = auditor_client.get(UNITS.format(fmt="xlsx"))
    assert response.status_code == 200
    assert 'filename="so-sanh-2026-10.xlsx"' in response.headers["Content-Disposition"]
    sheet = _sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    a = dict(zip(HEADER, rows[1], strict=True))
    assert a["Đơn vị"] == "Phường An" and a["Số người được đánh giá"] == 3
    assert round(a["Điểm bình quân"], 6) == 81.666667
    assert round(a["Độ lệch chuẩn"], 6) == 12.472191
    assert round(a["HTXS (%)"], 6) == 0.333333
    assert a["Báo cáo chậm (%)"] == 0.5
    assert a["Sử dụng tỷ lệ HTXS (%)"] == "vượt (cho phép 0)"
    assert sheet["K2"].number_format == "#,##0.00"  # mean
    assert sheet["G2"].number_format == "0.00%"  # HTXS share
    assert sheet["B2"].number_format == "#,##0"
    total = rows[-1]
    assert total[0] == "Toàn tỉnh" and total[1] == 8 and total[10] == 80.625


def test_export_units_csv_is_vietnamese(auditor_client):
    """CSV: BOM, ``;`` between cells, decimal comma, times as dd/mm/yyyy hh:mm."""
    response = auditor_client.get(UNITS.format(fmt="csv"))
    assert response.mimetype == "text/csv"
    assert 'filename="so-sanh-2026-10.csv"' in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == HEADER
    a = dict(zip(HEADER, rows[1], strict=True))
    assert (a["Điểm bình quân"], a["Độ lệch chuẩn"], a["HTXS (%)"]) == ("81,67", "12,47", "33,33")
    assert a["Tự đánh giá − quản lý, bình quân (điểm)"] == "0,00"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", a["Số liệu tính lúc"])
    assert rows[-1][:2] == ["Toàn tỉnh", "8"] and rows[-1][10] == "80,63"
    assert not any(re.fullmatch(r"-?\d+\.\d+", cell) for row in rows for cell in row)


def test_export_units_follow_the_page_sort(auditor_client):
    """The download lists units in the order of the page's ``sort``."""
    rows = _csv_rows(auditor_client.get(UNITS.format(fmt="csv") + "&sort=-mean"))
    assert [r[0] for r in rows[1:]] == ["Phường An", "Phường Bình", "Xã Cẩm", "Toàn tỉnh"]


def test_export_flags_lists_each_sign_with_numbers(auditor_client):
    """One row per warning sign: unit, code, title, detail and its numbers."""
    response = auditor_client.get("/admin/comparison/export/flags.csv?period=2026-10")
    assert 'filename="so-sanh-canh-bao-2026-10.csv"' in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["Đơn vị", "Mã dấu hiệu", "Dấu hiệu", "Chi tiết", "Số liệu"]
    assert rows[1][:3] == ["Phường An", "quota_exceeded", "Vượt tỷ lệ HTXS"]
    assert rows[1][4] == "htxs=1; allowed=0; groups="
    inflation = next(r for r in rows if r[1] == "inflation")
    assert inflation[4] == "good=5; people=5; share=100,00"
    sheet = _sheet(auditor_client.get("/admin/comparison/export/flags.xlsx?period=2026-10"))
    assert sheet.max_row == 1 + 4  # A: quota; B: inflation, uniformity, self = manager


def test_export_item_table(auditor_client):
    """The item download carries a, b, c, score and rank as numbers (percent format)."""
    response = auditor_client.get("/admin/comparison/items/export.xlsx?period=2026-10&code=HS.01")
    assert (
        'filename="so-sanh-chi-tieu-HS.01-2026-10.xlsx"' in response.headers["Content-Disposition"]
    )
    rows = list(_sheet(response).iter_rows(values_only=True))
    assert rows[0][0] == "Đơn vị" and rows[0][-1] == "Hạng"
    assert rows[2][0] == "Phường An" and rows[2][-1] == 2
    assert [round(v, 6) for v in rows[2][9:13]] == [0.8, 0.775, 0.8, 0.791667]
    csv_rows = _csv_rows(
        auditor_client.get("/admin/comparison/items/export.csv?period=2026-10&code=HS.01")
    )
    assert csv_rows[2][9:14] == ["80,00", "77,50", "80,00", "79,17", "2"]


def test_export_unit_name_is_formula_safe(auditor_client, province):
    """A unit named like a formula is written as text in both formats."""
    tenant = db.session.get(Tenant, province["a"].id)
    tenant.name = '=HYPERLINK("x")'
    db.session.commit()
    rows = _csv_rows(auditor_client.get(UNITS.format(fmt="csv")))
    assert rows[1][0] == '\'=HYPERLINK("x")'
    sheet = _sheet(auditor_client.get(UNITS.format(fmt="xlsx")))
    cell = sheet["A2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_export_unknown_table_or_format_is_404(auditor_client):
    assert (
        auditor_client.get("/admin/comparison/export/units.pdf?period=2026-10").status_code == 404
    )
    assert (
        auditor_client.get("/admin/comparison/export/people.csv?period=2026-10").status_code == 404
    )
