"""Imports of workbooks made by LibreOffice Calc and XlsxWriter (tests/fixtures/spreadsheets):
typed cells recovered with a note or refused with the fix, workbook shapes, exports read back."""

from __future__ import annotations

import dataclasses
import io
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.staff import StaffMember
from tenant_app.services.files import import_parsing, import_registry
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.helpers import login
from tests.spreadsheets.test_import_kinds import (
    STAFF_HEADER,
    api,
    commit,
    make_units_and_positions,
    messages,
    staff_codes,
    upload,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "spreadsheets"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def notes(body: dict) -> dict[tuple[int, str], str]:
    return {(n["row"], n["column"]): n["message"] for n in body["notes"]}


def people(tenant) -> dict[str, StaffMember]:
    db.session.expire_all()
    with tenant_context(tenant):
        return {p.code: p for p in db.session.execute(sa.select(StaffMember)).scalars()}


@pytest.fixture()
def units_a(tenant_a):
    """Tenant A's units UB, VP and positions LD, CV, without people."""
    make_units_and_positions(tenant_a)


def test_rank_code_libreoffice_vietnamese_is_recovered_and_stored(
    client, admin_a_api, tenant_a, units_a
):
    """The issue's case with Vietnamese settings: 01.003 became the number 1003; the preview
    says 'đã hiểu 1003 là 01.003' on each row and the people are stored with 01.003."""
    body = upload(client, admin_a_api, fixture("libreoffice/staff_rank_code.vi.xlsx"), "staff")
    assert (body["state"], body["problems"]) == ("ready", []), body
    found = notes(body)
    assert [found[(row, "Mã ngạch")] for row in (2, 3, 4)] == ["đã hiểu 1003 là 01.003"] * 3
    assert body["preview"][0]["values"]["Mã ngạch"] == "01.003"
    assert commit(client, admin_a_api, body)["created"] == 3
    stored = people(tenant_a)
    assert {stored[c].rank_code for c in ("CB10", "CB11", "CB12")} == {"01.003"}


def test_rank_code_libreoffice_english_is_recovered_and_swapped_date_refused(
    client, admin_a_api, tenant_a, units_a
):
    """The issue's case with English settings: 1.003 is read as 01.003 with a note, and the
    date 01/08/2025 that LibreOffice read month-first (15/08/2025 beside it stayed text) is
    refused with the fix; nothing is written."""
    body = upload(client, admin_a_api, fixture("libreoffice/staff_rank_code.en.xlsx"), "staff")
    assert notes(body)[(2, "Mã ngạch")] == "đã hiểu 1.003 là 01.003"
    found = messages(body)
    assert list(found) == [(2, "Ngày bắt đầu")], found
    assert "đảo ngày và tháng" in found[(2, "Ngày bắt đầu")]
    assert "định dạng cột Ngày bắt đầu là Văn bản" in found[(2, "Ngày bắt đầu")]
    assert body["state"] == "invalid"
    assert staff_codes(tenant_a) == set()


@pytest.mark.parametrize("settings", ["en", "vi"])
def test_staff_typed_cells_libreoffice_recovered_or_refused(
    client, admin_a_api, tenant_a, units_a, settings
):
    """Staff code 007 that became 7 is refused with the fix; a name in NFD with a non-breaking
    space is cleaned; thousands and decimal comma in text are read; 01.030 is recovered from
    1030 (Vietnamese settings) and refused as 1.03 (English: it could be 01.030 or 1.03)."""
    body = upload(client, admin_a_api, fixture(f"libreoffice/staff_typed.{settings}.xlsx"), "staff")
    found = messages(body)
    assert "đổi mã thành số 7" in found[(4, "Mã cán bộ")]
    assert "định dạng cột Mã cán bộ là Văn bản" in found[(4, "Mã cán bộ")]
    assert body["preview"][0]["values"]["Họ và tên"] == "Nguyễn Thị Hằng"  # NFC, no NBSP
    assert body["preview"][1]["values"]["Lương tháng"] == "8750000.5"
    assert body["preview"][0]["values"]["Mã ngạch"] == "01.002"
    if settings == "vi":
        assert notes(body)[(5, "Mã ngạch")] == "đã hiểu 1030 là 01.030"
        assert (5, "Mã ngạch") not in found
    else:
        assert "1.03" in found[(5, "Mã ngạch")] and "Văn bản" in found[(5, "Mã ngạch")]
        assert notes(body)[(2, "Lương tháng")] == "đã hiểu 9.500.000 là 9500000"
    assert body["state"] == "invalid"
    assert staff_codes(tenant_a) == set()


@pytest.mark.parametrize("name", ["xlsxwriter/typed.xlsx", "libreoffice/typed.resaved.xlsx"])
def test_typed_cells_with_number_formats_are_recovered(
    client, admin_a_api, tenant_a, units_a, name
):
    """A code formatted 000 keeps its zeros (7 → 007), a rank code formatted 00.000 or read
    1003 becomes 01.003, a date cell formatted dd/mm/yyyy is taken as it is, and each
    reinterpretation is said in the notes."""
    body = upload(client, admin_a_api, fixture(name), "staff")
    assert (body["state"], body["problems"]) == ("ready", []), body
    found = notes(body)
    assert found[(2, "Mã cán bộ")] == "đã hiểu 7 là 007"
    assert found[(3, "Mã cán bộ")] == "đã hiểu 42 là 042"
    assert found[(2, "Mã ngạch")] == "đã hiểu 1.003 là 01.003"
    assert found[(3, "Mã ngạch")] == "đã hiểu 1003 là 01.003"
    assert (2, "Ngày bắt đầu") not in found
    commit(client, admin_a_api, body)
    stored = people(tenant_a)
    assert (stored["007"].rank_code, stored["042"].rank_code) == ("01.003", "01.003")
    assert stored["007"].monthly_salary == Decimal(9500000)
    assert stored["042"].start_date == date(2025, 8, 15)


@pytest.mark.parametrize("name", ["xlsxwriter/shapes.xlsx", "libreoffice/shapes.resaved.xlsx"])
def test_workbook_shapes_are_read_and_error_cell_refused(app, tenant_a, units_a, name):
    """Instruction sheet first, hidden sheet, merged title, header on row 3, blank row and a
    repeated header between blocks, a second table right of an empty column: the four people
    are read, the formula's cached salary is taken, and the #REF! cell is a row problem."""
    kind = import_registry.get_import_kind("staff")
    with tenant_context(tenant_a):
        parsed = import_parsing.parse(kind, fixture(name))
    assert [r["code"] for r in parsed.rows] == ["CB30", "CB31", "CB32", "CB33"]
    assert [r["_row"] for r in parsed.rows] == [4, 5, 8, 9]
    assert parsed.rows[1]["monthly_salary"] == Decimal(9500000)
    assert [(p["row"], p["column"]) for p in parsed.problems] == [(9, "Lương tháng")]
    assert "#REF!" in parsed.problems[0]["message"]
    said = " | ".join(n["message"] for n in parsed.notes)
    for part in ("Nhân sự", "Nháp", "dòng 3", "cột M", "lặp lại tiêu đề"):
        assert part in said, said


def test_catalogue_typed_cells_libreoffice_percent_and_decimal_comma(
    client, admin_a_api, tenant_a, units_a
):
    """'1,5' left as text and '95%' turned into 0.95 are read as 1.5 and 95, with notes."""
    for settings in ("en", "vi"):
        data = fixture(f"libreoffice/catalogue_typed.{settings}.xlsx")
        body = upload(client, admin_a_api, data, "catalogue")
        assert (body["state"], body["problems"]) == ("ready", []), body
        assert notes(body)[(3, "Chỉ tiêu")] == "đã hiểu 95% là 95"
    assert notes(body)  # the Vietnamese file: the percentage only
    commit(client, admin_a_api, body)
    with tenant_context(tenant_a):
        assert catalogue.latest_version(catalogue.find_item("SP02")).coefficient == Decimal("1.5")
        assert catalogue.latest_version(catalogue.find_item("CT01")).target == Decimal(95)


def test_five_thousand_formatted_rows_parse_in_seconds(app, tenant_a, units_a, tmp_path):
    """5,000 rows with borders, fills, number and date formats (XlsxWriter) parse cleanly
    within 30 s on a shared CI machine (about 3 s alone)."""
    import xlsxwriter

    path = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Nhân sự")
    border = book.add_format({"border": 1, "bg_color": "#F2F2F2"})
    money = book.add_format({"border": 1, "num_format": "#,##0"})
    day = book.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, STAFF_HEADER, book.add_format({"bold": True, "border": 1}))
    for i in range(1, 5001):
        sheet.write_row(i, 0, [f"CB{i:05d}", f"Người Thứ {i}", "Công chức", "VP", "CV"], border)
        sheet.write_string(i, 7, "01.003", border)
        sheet.write_number(i, 8, 9000000 + i, money)
        sheet.write_datetime(i, 9, date(2025, 8, 1), day)
    book.close()
    kind = import_registry.get_import_kind("staff")
    started = time.perf_counter()
    with tenant_context(tenant_a):
        parsed = import_parsing.parse(kind, path.read_bytes())
    elapsed = time.perf_counter() - started
    assert (parsed.total, parsed.problems, parsed.notes) == (5000, [], [])
    assert elapsed < 30, elapsed


EXPORTS = ["catalogue", "org_units", "staff", "users"]


def _read_only(name: str):
    """The import kind with the export's columns and without its database checks: how the
    export's cells are read, nothing else."""
    kind = import_registry.get_import_kind(name)
    columns = import_registry.get_export_kind(name).columns
    return dataclasses.replace(kind, columns=columns, prepare=None, validate_row=None, finish=None)


@pytest.mark.parametrize("name", EXPORTS)
def test_export_opened_by_libreoffice_reads_back_unchanged(app, tenant_a, name):
    """Each export kind, opened and saved by LibreOffice, reads back to the same rows as the
    app's own file: no problem, nothing reinterpreted."""
    kind = _read_only(name)
    with tenant_context(tenant_a):
        ours = import_parsing.parse(kind, fixture(f"exports/{name}.xlsx"))
        theirs = import_parsing.parse(kind, fixture(f"exports/{name}.libreoffice.xlsx"))
    assert (theirs.problems, theirs.notes) == ([], [])
    assert (ours.problems, ours.notes) == ([], [])
    assert theirs.rows == ours.rows and len(theirs.rows) >= 1


def test_staff_export_libreoffice_keeps_types_and_vietnamese_formats():
    """In the LibreOffice-saved staff export codes are text (007 stays 007) in columns that stay
    formatted Text, dates are dates shown dd/mm/yyyy, salaries numbers grouped by thousands."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(fixture("exports/staff.libreoffice.xlsx"))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    head = rows[0]
    assert (head[0].value, head[0].data_type) == ("007", "s")
    assert (head[7].value, head[7].data_type) == ("01.002", "s")
    assert (head[8].value, head[8].number_format) == (12000000, "#,##0")
    assert head[9].is_date and head[9].number_format == "dd/mm/yyyy"
    columns = sheet.column_dimensions
    assert (columns["A"].number_format, columns["H"].number_format) == ("@", "@")  # still Text


def test_staff_export_libreoffice_imports_into_another_unit(client, admin_b_api, tenant_b):
    """The LibreOffice-saved staff export imports cleanly into a unit with the same units and
    positions, without a note, and the people keep code 007 and their rank codes."""
    make_units_and_positions(tenant_b)
    body = upload(
        client, admin_b_api, fixture("exports/staff.libreoffice.xlsx"), "staff", slug="phuong-b"
    )
    assert (body["state"], body["problems"], body["notes"]) == ("ready", [], []), body
    assert commit(client, admin_b_api, body, slug="phuong-b")["created"] == 3
    stored = people(tenant_b)
    assert (stored["007"].rank_code, stored["NS2"].rank_code) == ("01.002", "V.07.01.03")
    assert stored["NS2"].manager_id == stored["007"].id


def test_import_notes_are_shown_on_the_preview_page(
    client, admin_a_api, admin_a, tenant_a, units_a
):
    """The import's page lists the notes ('đã hiểu 1003 là 01.003') with row and column."""
    body = upload(client, admin_a_api, fixture("libreoffice/staff_rank_code.vi.xlsx"), "staff")
    login(client, "phuong-a", "admin.a")
    html = client.get(f"/t/phuong-a/imports/{body['id']}").get_data(as_text=True)
    assert "Ô đã được hiểu lại (4)" in html  # three rank codes, one date that could be swapped
    assert "<td>2</td><td>Mã ngạch</td><td>đã hiểu 1003 là 01.003</td>" in html


def test_import_notes_are_not_visible_to_another_tenant(
    client, admin_a_api, admin_b_api, tenant_a, units_a
):
    """Tenant B gets 404 for tenant A's import and its notes, through its own URL or A's."""
    body = upload(client, admin_a_api, fixture("libreoffice/staff_rank_code.vi.xlsx"), "staff")
    assert body["notes"]
    assert (
        client.get(f"{api('phuong-b')}/imports/{body['id']}", headers=admin_b_api).status_code
        == 404
    )
    assert client.get(
        f"{api('phuong-a')}/imports/{body['id']}", headers=admin_b_api
    ).status_code in (
        401,
        403,
        404,
    )


def test_national_formats_wrong_rank_salary_and_date_are_row_problems(
    client, admin_a_api, tenant_a, units_a
):
    """A rank code not of the national form, a salary typed in millions and a year 2205 are
    row problems naming the column; nothing is stored."""
    from tests.spreadsheets.test_import_kinds import good_staff_rows
    from tests.spreadsheets.xlsx import make_xlsx

    rows = [r[:10] + [None] for r in good_staff_rows()]
    rows[0][5] = None
    rows[0][7] = "1.3.5"
    rows[1][8] = "9,5"
    rows[2][9] = "01/01/2205"
    body = upload(client, admin_a_api, make_xlsx(rows, STAFF_HEADER), "staff")
    found = messages(body)
    assert "không đúng dạng mã ngạch" in found[(2, "Mã ngạch")]
    assert "không ghi theo triệu" in found[(3, "Lương tháng")]
    assert "ngoài khoảng hợp lý" in found[(4, "Ngày bắt đầu")]
    assert body["state"] == "invalid" and staff_codes(tenant_a) == set()


def test_template_code_columns_are_text_for_what_is_typed_later(app):
    """The staff template's code columns are formatted Text, so 01.003 typed into it stays
    01.003; the date column is dd/mm/yyyy and the salary column grouped by thousands."""
    from openpyxl import load_workbook

    kind = import_registry.get_import_kind("staff")
    sheet = load_workbook(io.BytesIO(import_registry.template_file(kind))).worksheets[0]
    formats = {
        sheet.cell(1, c).value: sheet.column_dimensions[sheet.cell(1, c).column_letter]
        for c in range(1, len(STAFF_HEADER) + 1)
    }
    for header in ("Mã cán bộ", "Mã ngạch", "Mã đơn vị", "Mã người quản lý"):
        assert formats[header].number_format == "@", header
    assert formats["Họ và tên"].number_format == "General"
