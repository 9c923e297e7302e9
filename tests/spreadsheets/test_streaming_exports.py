"""Exports that stream: the workbook re-opens with the same cells, types and formats; the CSV
keeps its byte-order mark, encoding and separator, whatever the size of its chunks.

Correctness only: the timing is ``bench/exports.py``'s.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from tenant_app.services.audit import audit_export
from tenant_app.services.comparison import comparison_export
from tenant_app.services.files import export_writers, spreadsheets

WHEN = datetime(2026, 11, 30, 14, 5)


def reopen(data_or_path):
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    return load_workbook(source).worksheets[0]


def test_write_workbook_keeps_values_types_and_formats():
    """Text, formula-like text, numbers with and without a column format, a date and a time,
    booleans, empty cells, a Decimal (text, as before) and a control character (dropped)."""
    header = ["Tên", "Số", "Điểm", "Lúc", "Ngày", "Có", "Khác"]
    rows = [
        ["Phường Hạc Thành", 3, 81.675, WHEN, date(2026, 11, 30), True, Decimal("1.50")],
        ["=SUM(A1:A2)", -2, None, None, None, False, "a\x01b"],
        ["", 0, 0.0, WHEN, date(2026, 1, 2), None, "@cmd"],
    ]
    formats = [None, "#,##0", "0.00", "dd/mm/yyyy hh:mm", None, None, None]
    sheet = reopen(
        spreadsheets.build_workbook(
            [spreadsheets.Sheet("Kết quả", header, iter(rows), [30, 8, 10, 18, 12, 6, 10], formats)]
        )
    )
    assert sheet.title == "Kết quả"
    assert [c.value for c in sheet[1]] == header
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    # Stored as Excel stores a width of 30 characters (with its cell padding).
    assert 30 <= sheet.column_dimensions["A"].width < 31
    assert 18 <= sheet.column_dimensions["D"].width < 19
    first, formula, third = sheet[2], sheet[3], sheet[4]
    assert [c.value for c in first] == [
        "Phường Hạc Thành",
        3,
        81.675,
        WHEN,
        datetime(2026, 11, 30),
        True,
        "1.50",
    ]
    assert first[1].number_format == "#,##0" and first[2].number_format == "0.00"
    assert first[3].number_format == "dd/mm/yyyy hh:mm"
    assert first[4].is_date and first[4].number_format == "yyyy-mm-dd"
    assert first[5].data_type == "b" and first[6].data_type == "s"
    # Formula-like text is text (never a formula), shown as typed.
    assert formula[0].value == "=SUM(A1:A2)" and formula[0].data_type == "s"
    assert formula[0].quotePrefix
    assert third[6].value == "@cmd" and third[6].data_type == "s"
    assert [c.value for c in formula][1:6] == [-2, None, None, None, False]
    assert formula[6].value == "ab"
    assert third[0].value is None and third[1].value == 0 and third[2].value == 0


def test_write_workbook_streams_a_generator_to_a_file(tmp_path):
    """A generator is consumed once into a file; 2,500 rows come back in order."""
    target = tmp_path / "big.xlsx"
    spreadsheets.write_workbook(
        target,
        [spreadsheets.Sheet("T", ["Mã", "Giá trị"], ([f"M{i:05d}", i] for i in range(2500)))],
    )
    sheet = reopen(target)
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == 2500
    assert values[0] == ("M00000", 0) and values[-1] == ("M02499", 2499)


def test_results_xlsx_file_types_points_and_times(tmp_path):
    """The background export's writer: Decimal points as numbers 0.00, times as dates
    dd/mm/yyyy hh:mm, codes as text (leading zeros kept), formula-like names as text."""
    path = tmp_path / "r.xlsx"
    writer = export_writers.XlsxFile(path, ["Mã", "Họ và tên", "Tổng điểm", "Lúc"], "Kết quả")
    writer.write(["007", "=HYPERLINK(1)", Decimal("78.625"), WHEN])
    writer.write(["008", "Trần Thị Văn", None, None])
    writer.close()
    sheet = reopen(path)
    code, name, total, when = sheet[2]
    assert code.value == "007" and code.data_type == "s"
    assert name.value == "=HYPERLINK(1)" and name.data_type == "s" and name.quotePrefix
    assert total.value == 78.625 and total.number_format == "0.00"
    assert when.value == WHEN and when.number_format == "dd/mm/yyyy hh:mm"
    assert [c.value for c in sheet[3]] == ["008", "Trần Thị Văn", None, None]
    assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])


def test_results_xlsx_abort_leaves_no_workbook_open(tmp_path):
    path = tmp_path / "r.xlsx.part"
    writer = export_writers.XlsxFile(path, ["Mã"], "Kết quả")
    writer.write(["1"])
    writer.abort()
    writer.abort()  # twice is harmless


def _reference_csv(header, rows, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def test_audit_csv_streams_in_chunks_with_bom_and_commas():
    """More rows than a chunk: the first chunk starts with the BOM, the joined chunks are the
    CSV the csv module writes (UTF-8, commas, CRLF), formula-like cells with an apostrophe."""
    header = ["Thời gian", "Người thực hiện"]
    rows = [[f"30/11/2026 14:{i % 60:02d}", f"Nguyễn Văn {i}"] for i in range(1234)]
    rows[7][1] = "=cmd"
    chunks = list(audit_export.iter_csv(header, iter(rows)))
    assert len(chunks) >= 3
    assert chunks[0].startswith(b"\xef\xbb\xbf") and not chunks[1].startswith(b"\xef\xbb\xbf")
    expected = [r[:] for r in rows]
    expected[7][1] = "'=cmd"
    assert b"".join(chunks) == _reference_csv(header, expected)
    assert audit_export.to_csv(header, rows) == b"".join(chunks)


def test_comparison_csv_streams_with_semicolons_and_decimal_commas():
    table = comparison_export.Table(
        "So sánh",
        ["Đơn vị", "Số người", "Điểm bình quân", "HTXS (%)", "Lúc"],
        ["text", "int", "num", "pct", "time"],
        [[f"Phường {i}", i, Decimal("81.675"), Decimal("33.3333"), None] for i in range(1201)],
    )
    chunks = list(comparison_export.iter_csv(table))
    assert len(chunks) == 4  # header, then 500 + 500 + 201 rows
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeffĐơn vị;Số người;Điểm bình quân;HTXS (%);Lúc\r\n")
    assert "Phường 3;3;81,68;33,33;\r\n" in text
    assert text.count("\r\n") == 1202


def test_comparison_xlsx_formats_per_kind(app):
    table = comparison_export.Table(
        "So sánh",
        ["Đơn vị", "Số người", "Điểm bình quân", "HTXS (%)", "Lúc"],
        ["text", "int", "num", "pct", "time"],
        [["=A1", 1234, Decimal("81.675"), Decimal("33.3333"), WHEN], ["B", None, None, None, None]],
    )
    sheet = reopen(comparison_export.to_xlsx(table))
    name, people, mean, share, when = sheet[2]
    assert name.value == "=A1" and name.data_type == "s"
    assert people.value == 1234 and people.number_format == "#,##0"
    assert mean.value == 81.675 and mean.number_format == "#,##0.00"
    assert abs(share.value - 0.333333) < 1e-9 and share.number_format == "0.00%"
    assert when.is_date and when.number_format == "dd/mm/yyyy hh:mm"
    assert [c.value for c in sheet[3]] == ["B", None, None, None, None]
