"""Safe .xlsx files: refuse non-workbooks and ZIP bombs, read rows, write formulas as text.

Reading checks the bytes before openpyxl sees them: size, the ZIP magic, the members a workbook
has, and the total uncompressed size and compression ratio declared in the ZIP directory (Python's
zipfile never inflates a member past its declared size, so the declared sizes bound the work).
openpyxl then parses with defusedxml (installed), read-only, taking cached values, never formulas.
Writing stores every text that a spreadsheet program would take for a formula as plain text.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _

from tenant_app.services.errors import ServiceError

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
XLSX_MAGIC = b"PK\x03\x04"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula (or DDE payload) to a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    """A sheet to write: its title, header row and data rows (lists of cell values)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] | None = None


def max_upload_bytes() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 10 * 1024 * 1024)


def check_xlsx(data: bytes) -> None:
    """Raise ServiceError unless ``data`` looks like a safe .xlsx workbook.

    413 for an oversized upload; 400 for a non-xlsx file, a damaged one, or a ZIP bomb.
    """
    if len(data) > max_upload_bytes():
        raise ServiceError(
            "file_too_large",
            _("Tệp quá lớn: tối đa %(mb)d MB.", mb=max_upload_bytes() // (1024 * 1024)),
            field="file",
            status=413,
        )
    not_xlsx = ServiceError(
        "not_xlsx",
        _("Tệp không phải bảng tính Excel (.xlsx) hợp lệ. Hãy dùng tệp mẫu và lưu dạng .xlsx."),
        field="file",
    )
    if not data.startswith(XLSX_MAGIC):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise not_xlsx from exc
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    uncompressed = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members)
    ratio = uncompressed / max(compressed, 1)
    if uncompressed > MAX_UNCOMPRESSED or ratio > MAX_RATIO:
        raise ServiceError(
            "zip_bomb",
            _(
                "Tệp bị từ chối: dữ liệu giải nén quá lớn hoặc nén bất thường "
                "(tối đa %(mb)d MB sau giải nén).",
                mb=MAX_UNCOMPRESSED // (1024 * 1024),
            ),
            field="file",
        )


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list]], int]:
    """Open the first sheet of a checked workbook: (header texts, (row number, values)…, rows).

    Fully empty rows are skipped. Raises ServiceError for an unreadable or empty workbook.
    """
    check_xlsx(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    except ServiceError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise ServiceError(
            "unreadable_xlsx", _("Không đọc được bảng tính: tệp bị hỏng."), field="file"
        ) from exc
    if header is None or not any(_clean(v) is not None for v in header):
        raise ServiceError(
            "empty_xlsx", _("Bảng tính trống: dòng 1 phải là tiêu đề cột."), field="file"
        )
    headers = ["" if v is None else str(v).strip() for v in header]
    total = max((sheet.max_row or 1) - 1, 0)

    def body():
        try:
            for number, values in enumerate(rows, start=2):
                cleaned = [_clean(v) for v in values]
                if any(v is not None for v in cleaned):
                    yield number, cleaned
        finally:
            workbook.close()

    return headers, body(), total


def safe_cell_value(value):
    """Return ``value`` as it should be written (dates, numbers kept; other objects as text)."""
    if value is None or isinstance(value, bool | int | float | datetime | date):
        return value
    return str(value)


def write_cell(cell, value) -> None:
    """Write ``value`` into an openpyxl cell; text that looks like a formula stays text."""
    value = safe_cell_value(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def build_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Return the .xlsx bytes of ``sheets`` (bold header row, frozen below it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])
        for col, text in enumerate(spec.header, start=1):
            cell = sheet.cell(row=1, column=col)
            write_cell(cell, text)
            cell.font = bold
        for row_number, values in enumerate(spec.rows, start=2):
            for col, value in enumerate(values, start=1):
                write_cell(sheet.cell(row=row_number, column=col), value)
        sheet.freeze_panes = "A2"
        for col, text in enumerate(spec.header, start=1):
            width = spec.widths[col - 1] if spec.widths else max(12, min(len(str(text)) + 4, 60))
            sheet.column_dimensions[get_column_letter(col)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
