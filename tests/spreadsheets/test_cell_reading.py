"""Reading one cell by its column's kind: exact recovery with a note, or refusal with the fix."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenant_app.services.files.cell_reading import (
    Cell,
    CellKind,
    DayMonthCheck,
    Refused,
    clean_text,
    number_text,
    read,
)
from tenant_app.services.files.import_registry import Day


@pytest.fixture(autouse=True)
def _context(app):
    """Messages are translated: an app context with the default (Vietnamese) language."""
    with app.test_request_context():
        yield


def test_cell_reading_float_noise_is_cut_at_fifteen_digits():
    """1.0030000000000001, as a writer may store 1.003, is read as 1.003."""
    assert number_text(1.0030000000000001) == "1.003"
    assert read(CellKind.RANK_CODE, Cell(1.0030000000000001), "Mã ngạch")[0] == "01.003"


@given(st.integers(1, 99), st.integers(1, 999).filter(lambda n: n % 10))
def test_cell_reading_rank_code_from_english_number_is_exact(group, rank):
    """Any rank code gg.rrr whose last digit is not 0, turned into the number gg.rrr by a
    spreadsheet, is recovered exactly, with a note."""
    code = f"{group:02d}.{rank:03d}"
    value, note = read(CellKind.RANK_CODE, Cell(float(code)), "Mã ngạch")
    assert value == code
    assert note == f"đã hiểu {number_text(float(code))} là {code}"


@given(st.integers(1, 99), st.integers(0, 999))
def test_cell_reading_rank_code_from_vietnamese_number_is_exact(group, rank):
    """Vietnamese settings read the dot as a thousands sign: ggrrr comes back as gg.rrr."""
    code = f"{group:02d}.{rank:03d}"
    assert read(CellKind.RANK_CODE, Cell(group * 1000 + rank), "Mã ngạch")[0] == code


@pytest.mark.parametrize("value", [1.03, 1.3, 1.0, 7, 123456, 1.0035, -1.003])
def test_cell_reading_ambiguous_rank_code_is_refused_with_the_fix(value):
    """1.03 may be 01.030 or a mistyped 1.03: refused, naming the column's Text format."""
    with pytest.raises(Refused) as refused:
        read(CellKind.RANK_CODE, Cell(value), "Mã ngạch")
    assert "định dạng cột Mã ngạch là Văn bản" in refused.value.message


def test_cell_reading_code_with_zero_padding_format_keeps_its_width():
    """7 formatted 000 is the code 007; 7 in the General format is refused."""
    assert read(CellKind.CODE, Cell(7, "000"), "Mã cán bộ") == ("007", "đã hiểu 7 là 007")
    with pytest.raises(Refused, match="số 0 ở đầu"):
        read(CellKind.CODE, Cell(7), "Mã cán bộ")
    with pytest.raises(Refused):
        read(CellKind.CODE, Cell(1.5), "Mã cán bộ")


def test_cell_reading_text_is_nfc_without_odd_spaces():
    """NFD, non-breaking and zero-width spaces, trailing spaces: NFC text, trimmed."""
    import unicodedata

    typed = unicodedata.normalize("NFD", "\u00a0Nguyễn\u00a0Văn An\u200b ")
    assert read(CellKind.TEXT, Cell(typed), "Họ và tên") == ("Nguyễn Văn An", None)
    assert clean_text("\u00a0\u202f ") is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (Cell("9.500.000"), Decimal(9500000)),
        (Cell("1,5"), Decimal("1.5")),
        (Cell("9 500 000 đ"), Decimal(9500000)),
        (Cell("95%"), Decimal(95)),
        (Cell(0.95, "0.00%"), Decimal(95)),
        (Cell(12000000, "#,##0"), Decimal(12000000)),
    ],
)
def test_cell_reading_numbers_the_vietnamese_way(cell, expected):
    """Thousands dots, decimal commas, đồng, percentages: the number the user meant."""
    assert read(CellKind.NUMBER, cell, "Lương tháng")[0] == expected


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False))
def test_cell_reading_number_cells_are_exact(number):
    """A number of up to 15 significant digits stored as a float reads back exactly."""
    value, note = read(CellKind.NUMBER, Cell(float(number)), "Giá trị")
    assert value == number and note is None


@pytest.mark.parametrize(
    ("text", "expected"), [("Có", True), ("không", False), ("x", True), (True, True)]
)
def test_cell_reading_booleans_co_khong(text, expected):
    """Có/Không (any case), x, and boolean cells."""
    assert read(CellKind.BOOLEAN, Cell(text), "Đang hoạt động")[0] is expected
    with pytest.raises(Refused):
        read(CellKind.BOOLEAN, Cell("có lẽ"), "Đang hoạt động")


def test_cell_reading_error_cell_is_refused():
    """A cell holding #REF! is a problem naming the error."""
    with pytest.raises(Refused, match="#REF!"):
        read(CellKind.NUMBER, Cell("#REF!", error=True), "Lương tháng")


def test_cell_reading_dates_cells_and_text():
    """A date cell formatted dd/mm/yyyy is taken silently; the program's short date with a
    day that could be a month is taken with a note; a bare number is refused."""
    assert read(CellKind.DATE, Cell(datetime(2025, 8, 1), "dd/mm/yyyy"), "Ngày") == (
        date(2025, 8, 1),
        None,
    )
    value, note = read(CellKind.DATE, Cell(datetime(2025, 1, 8), "mm/dd/yy"), "Ngày")
    assert value == date(2025, 1, 8) and "08/01/2025" in note
    assert read(CellKind.DATE, Cell(datetime(2025, 8, 15), "mm/dd/yy"), "Ngày")[1] is None
    with pytest.raises(Refused):
        read(CellKind.DATE, Cell(45870), "Ngày")


def test_cell_reading_month_first_column_refuses_doubtful_dates():
    """When a date column holds text 15/08/2025 (no 15th month), its short-date cells with a
    day ≤ 12 may be swapped and are refused; without such text they pass."""
    check = DayMonthCheck()
    check.see("Ngày", 2, Cell(datetime(2025, 1, 8), "mm/dd/yy"))
    assert check.problems() == []
    check.see("Ngày", 3, Cell("15/08/2025"))
    assert [(row, label) for row, label, _m in check.problems()] == [(2, "Ngày")]


@pytest.mark.parametrize("text", ["01/01/1900", "01/01/2205", "2205-01-01"])
def test_day_outside_sane_bounds_is_refused(text):
    """A year before 1945 or after 2100 is a typing slip, never stored."""
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        Day().deserialize(text)
