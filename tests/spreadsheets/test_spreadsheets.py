"""Safe reading and formula-safe writing of .xlsx files."""

from __future__ import annotations

import io
import zipfile

import pytest

from tenant_app.services.errors import ServiceError
from tenant_app.services.files import import_parsing, import_registry, spreadsheets
from tests.spreadsheets.xlsx import make_xlsx, read_back, zip_bomb


def _refusal(data: bytes) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        spreadsheets.check_xlsx(data)
    return caught.value


def test_spreadsheets_refuse_a_non_xlsx_file(app):
    """A text file renamed .xlsx is refused by its magic bytes, with a Vietnamese message."""
    exc = _refusal(b"Ho va ten,Ten dang nhap\nNguyen Van A,a\n")
    assert exc.code == "not_xlsx" and exc.status == 400
    assert "Excel" in exc.message


def test_spreadsheets_refuse_a_zip_that_is_not_a_workbook(app):
    """A ZIP archive without the parts of a workbook is refused."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    assert _refusal(buffer.getvalue()).code == "not_xlsx"


def test_spreadsheets_refuse_a_zip_bomb(app):
    """A small file that declares 60 MB uncompressed is refused before openpyxl opens it."""
    bomb = zip_bomb(60)
    assert len(bomb) < 1024 * 1024
    assert _refusal(bomb).code == "zip_bomb"


def test_spreadsheets_refuse_a_high_compression_ratio(app):
    """Even under 50 MB, a compression ratio above 100 is refused."""
    assert _refusal(zip_bomb(5)).code == "zip_bomb"


def test_spreadsheets_refuse_an_oversized_file(app):
    """A file above the upload limit is refused with 413."""
    app.config["MAX_CONTENT_LENGTH"] = 1024
    exc = _refusal(make_xlsx([["a" * 10, "b" * 2000, None, "staff"]]))
    assert (exc.code, exc.status) == ("file_too_large", 413)


def test_spreadsheets_formula_text_is_written_as_text(app):
    """Text starting with = + - @ tab or CR is written as a text cell, never as a formula."""
    risky = ['=HYPERLINK("http://x.example","bấm")', "+1+1", "-2", "@SUM(A1)", "\tx"]
    data = spreadsheets.build_workbook([spreadsheets.Sheet("T", ["Giá trị"], [[v] for v in risky])])
    sheet = read_back(data)
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(risky))]
    assert [c.value for c in cells] == risky
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.quotePrefix for c in cells)


def test_spreadsheets_template_has_headers_examples_and_guide(app):
    """The users template has the Vietnamese headers, two example rows and a 'Hướng dẫn' sheet."""
    from openpyxl import load_workbook

    data = import_registry.template_file(import_registry.get_import_kind("users"))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Vai trò", "Mã cán bộ"]
    assert len(rows) == 3
    assert "Hướng dẫn" in workbook.sheetnames
    guide = [r[0] for r in workbook["Hướng dẫn"].iter_rows(min_row=2, values_only=True)]
    assert guide == list(rows[0])


def test_spreadsheets_template_passes_its_own_validation(app, tenant_a):
    """The example rows of the template are themselves a valid import."""
    from tenant_app.tenancy import tenant_context

    kind = import_registry.get_import_kind("users")
    with tenant_context(tenant_a):
        parsed = import_parsing.parse(kind, import_registry.template_file(kind))
    assert parsed.problems == [] and parsed.total == 2
