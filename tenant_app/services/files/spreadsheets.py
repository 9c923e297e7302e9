"""Safe .xlsx files: refuse non-workbooks and ZIP bombs, read rows, write formulas as text.

Reading checks the bytes before openpyxl sees them: size, the ZIP magic, the members a workbook
has, and the total uncompressed size and compression ratio declared in the ZIP directory (Python's
zipfile never inflates a member past its declared size, so the declared sizes bound the work).
openpyxl then parses with defusedxml (installed), read-only, taking cached values, never formulas.
Writing stores every text that a spreadsheet program would take for a formula as plain text. It
streams (XlsxWriter, constant memory: rows go to disk, memory stays flat however many there are):
openpyxl without lxml serialises through pure-Python XML, about 0.5 ms a row even in write-only
mode, three times the 15 s a 100,000-row export may take (``bench/exports.py``).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _

from tenant_app.services.errors import ServiceError

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
XLSX_MAGIC = b"PK\x03\x04"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula (or DDE payload) to a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TEXT_FORMAT = "@"  # a column formatted Text: what is typed stays as typed


@dataclass(frozen=True)
class Sheet:
    """A sheet to write: its title, header row and data rows (lists of cell values)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] | None = None
    # The number format of each column's numbers and dates (None: openpyxl's default).
    formats: Sequence[str | None] | None = None


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


# Control characters the XML of a cell cannot carry (a pasted name may hold one): dropped.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# openpyxl's defaults for dates without a column format (what the normal-mode writer gave).
DEFAULT_DATE_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd"}
# Text needing care: a formula-like start, or a control character anywhere (one search a cell).
SPECIAL_TEXT = re.compile(r"\A[=+\-@\t\r]|[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_OPTIONS = {
    # Rows go to a temporary file as they are written: memory stays flat.
    "constant_memory": True,
    # Text stays text: never turned into a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def open_workbook(target):
    """A new streaming workbook writing to ``target`` (a path or a binary file); ``close()`` it."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, XLSX_OPTIONS)


class SheetWriter:
    """One sheet of a streaming workbook: a bold header row frozen below it, column widths, then
    rows one at a time (``write``), never held in memory.

    Cells keep their type: text (formula-like text stays text, marked with a quote prefix as a
    typed apostrophe would), numbers, booleans, dates. ``formats`` gives a column's number
    format for its numbers and dates; ``type_formats`` a format per Python type (``Decimal``
    listed there is written as a number, otherwise as text, as ``safe_cell_value`` says).
    """

    def __init__(
        self,
        workbook,
        title: str,
        header: Sequence[str],
        *,
        widths: Sequence[int] | None = None,
        formats: Sequence[str | None] | None = None,
        type_formats: dict | None = None,
    ):
        self._sheet = workbook.add_worksheet(_sheet_title(title))
        self._workbook = workbook
        self._styles: dict[str, object] = {}
        self._text_style = workbook.add_format({"quote_prefix": True})
        bold = workbook.add_format({"bold": True})
        self._formats = [self._style(f) for f in formats or ()]
        for col, text in enumerate(header):
            width = widths[col] if widths else max(12, min(len(str(text)) + 4, 60))
            # A Text column stays Text for what is typed into it later (codes keep their zeros).
            text_column = formats and col < len(formats) and formats[col] == TEXT_FORMAT
            self._sheet.set_column(col, col, width, self._formats[col] if text_column else None)
        self._sheet.freeze_panes(1, 0)
        for col, text in enumerate(header):
            self._sheet.write_string(0, col, ILLEGAL_CHARACTERS.sub("", str(text)), bold)
        self._types = {
            t: self._style(f) for t, f in {**DEFAULT_DATE_FORMATS, **(type_formats or {})}.items()
        }
        self._row = 0

    def _style(self, number_format: str | None):
        if not number_format:
            return None
        if number_format not in self._styles:
            self._styles[number_format] = self._workbook.add_format({"num_format": number_format})
        return self._styles[number_format]

    def write(self, values: Sequence) -> None:
        self._row += 1
        row, sheet, formats = self._row, self._sheet, self._formats
        write_string = sheet.write_string
        for col, value in enumerate(values):
            if value.__class__ is str:  # most cells: checked first (100,000s of calls)
                if SPECIAL_TEXT.search(value):
                    self._text(row, col, value)
                elif value:
                    write_string(row, col, value)
                continue
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value)
                continue
            style = formats[col] if col < len(formats) else None
            kind = value.__class__
            if kind is Decimal and kind in self._types:
                value = float(value)
                style = style or self._types[kind]
            elif not isinstance(value, int | float | datetime | date):
                self._text(row, col, str(value))
                continue
            if isinstance(value, date):  # datetime included
                style = style or self._types.get(kind) or self._types[date]
                sheet.write_datetime(row, col, value, style)
            elif math.isfinite(value):
                sheet.write_number(row, col, value, style)

    def _text(self, row: int, col: int, value: str) -> None:
        if ILLEGAL_CHARACTERS.search(value):
            value = ILLEGAL_CHARACTERS.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            self._sheet.write_string(row, col, value, self._text_style)
        elif value:
            self._sheet.write_string(row, col, value)


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name, and more than 31 of them.
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet"


def write_workbook(target, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` as a workbook to ``target`` (a path or a binary file).

    Streaming (XlsxWriter's constant-memory mode): each row goes to a temporary file as it is
    read from ``spec.rows`` (a generator is consumed once, never held), so memory stays flat
    however many rows there are. Each sheet has a bold header row, frozen below it, and its
    column widths; ``spec.formats`` gives a column's number format for its numbers and dates.
    """
    workbook = open_workbook(target)
    try:
        for spec in sheets:
            writer = SheetWriter(
                workbook, spec.title, spec.header, widths=spec.widths, formats=spec.formats
            )
            for values in spec.rows:
                writer.write(values)
    finally:
        workbook.close()


def build_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Return the .xlsx bytes of ``sheets`` (``write_workbook`` into memory: for the small
    workbooks of templates and samples; a large export writes to a file instead)."""
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()
