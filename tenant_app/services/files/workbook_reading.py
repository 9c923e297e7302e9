"""Finding the table of an import in a workbook as people make them, and reading its cells.

People leave the instruction sheet in, hide sheets, put a title (often merged across the columns)
above the header, leave blank rows between blocks, and keep a second table to the right. The
table is the first visible sheet with a row, among its first ``HEADER_SEARCH_ROWS``, that holds
headers of the kind; its columns are the run of filled header cells around them, so what lies
right of an empty column is another table and is left alone. Each cell keeps its number format
and whether it holds an error, for ``cell_reading``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _

from tenant_app.services.errors import ServiceError
from tenant_app.services.files import spreadsheets
from tenant_app.services.files.cell_reading import Cell, clean_text

HEADER_SEARCH_ROWS = 30
MIN_HEADER_MATCHES = 2


@dataclass
class Table:
    """The table found: header texts, where it is, the body rows of cells, and notes."""

    headers: list[str]
    header_row: int
    sheet: str
    rows: Iterator[tuple[int, list[Cell]]]
    total: int
    notes: list[dict] = field(default_factory=list)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _texts(values) -> list[str]:
    return ["" if v is None else (clean_text(str(v)) or "") for v in values]


def _find_header(sheet, is_header: Callable[[str], bool]) -> tuple[int, list[str]] | None:
    for number, values in enumerate(
        sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        texts = _texts(values)
        if sum(1 for t in texts if t and is_header(t)) >= MIN_HEADER_MATCHES:
            return number, texts
    return None


def _first_filled(sheet) -> tuple[int, list[str]] | None:
    for number, values in enumerate(
        sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        texts = _texts(values)
        if any(texts):
            return number, texts
    return None


def _span(texts: list[str], is_header: Callable[[str], bool]) -> tuple[int, int]:
    """The run of filled header cells around the first known header: [start, end)."""
    first = next((i for i, t in enumerate(texts) if t and is_header(t)), None)
    if first is None:
        first = next(i for i, t in enumerate(texts) if t)
    start = first
    while start > 0 and texts[start - 1]:
        start -= 1
    end = first
    while end < len(texts) and texts[end]:
        end += 1
    return start, end


def read_table(data: bytes, is_header: Callable[[str], bool]) -> Table:
    """Open a checked workbook and find its table; ``is_header(text)`` says whether a header
    cell's text is one of the kind's. Raises ServiceError for a damaged or empty workbook."""
    spreadsheets.check_xlsx(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        visible = [s for s in workbook.worksheets if s.sheet_state == "visible"]
        found = None
        for sheet in visible:
            found = _find_header(sheet, is_header)
            if found:
                break
        if found is None and visible:
            sheet = visible[0]
            found = _first_filled(sheet)
    except ServiceError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise ServiceError(
            "unreadable_xlsx", _("Không đọc được bảng tính: tệp bị hỏng."), field="file"
        ) from exc
    if found is None:
        workbook.close()
        raise ServiceError(
            "empty_xlsx",
            _("Bảng tính trống: không thấy dòng tiêu đề cột trong trang tính đầu tiên."),
            field="file",
        )
    header_row, texts = found
    start, end = _span(texts, is_header)
    table = Table(
        headers=texts[start:end],
        header_row=header_row,
        sheet=sheet.title,
        rows=iter(()),
        total=max((sheet.max_row or header_row) - header_row, 0),
    )
    _add_notes(table, workbook, sheet, texts, start, end)
    table.rows = _body(workbook, sheet, header_row, start, end, table.headers, table.notes)
    return table


def _add_notes(table: Table, workbook, sheet, texts, start: int, end: int) -> None:
    def note(message: str) -> None:
        table.notes.append({"row": table.header_row, "column": "", "message": message})

    if workbook.worksheets[0] is not sheet:
        note(_("đã đọc trang tính %(sheet)s, bỏ qua các trang trước", sheet=sheet.title))
    hidden = [s.title for s in workbook.worksheets if s.sheet_state != "visible"]
    if hidden:
        note(_("bỏ qua trang tính ẩn: %(sheets)s", sheets=", ".join(hidden)))
    if table.header_row > 1:
        note(_("tiêu đề cột ở dòng %(row)d, bỏ qua các dòng phía trên", row=table.header_row))
    outside = [i for i, t in enumerate(texts) if t and not start <= i < end]
    if outside:
        note(
            _(
                "bỏ qua các ô ngoài bảng (từ cột %(column)s): bảng dừng ở cột trống đầu tiên",
                column=_column_letter(outside[0]),
            )
        )


def _cell(cell) -> Cell:
    value = getattr(cell, "value", None)
    if value is None:
        return Cell(None)
    if getattr(cell, "data_type", None) == "e":
        return Cell(value, error=True)
    if isinstance(value, str):
        return Cell(clean_text(value))
    return Cell(value, cell.number_format or "General")


def _body(workbook, sheet, header_row: int, start: int, end: int, headers, notes):
    header_key = [h.casefold() for h in headers]
    try:
        for number, cells in enumerate(
            sheet.iter_rows(min_row=header_row + 1, max_col=end), start=header_row + 1
        ):
            row = [_cell(c) for c in cells[start:end]]
            if not any(c.value is not None for c in row):
                continue
            texts = [str(c.value).casefold() if c.value is not None else "" for c in row]
            if texts == header_key[: len(texts)] + [""] * (len(texts) - len(header_key)):
                notes.append(
                    {"row": number, "column": "", "message": _("bỏ qua dòng lặp lại tiêu đề cột")}
                )
                continue
            yield number, row
    finally:
        workbook.close()
