"""Reading a workbook against its import kind: typed cells, problems by row and column, preview.

The table is found by ``workbook_reading`` and each cell read by ``cell_reading``: what a
spreadsheet program changed is recovered exactly with a note (shown with the preview), or the
row is refused with the column and the fix. Nothing is written while a problem remains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from marshmallow import ValidationError

from tenant_app.errors import translate_validation
from tenant_app.services.files import cell_reading, workbook_reading
from tenant_app.services.files.cell_reading import Cell, Refused
from tenant_app.services.files.import_registry import ROW_KEY, Column, ImportKind

PREVIEW_ROWS = 10
MAX_PROBLEMS = 1000
MAX_NOTES = 1000
PROGRESS_EVERY = 100
EMPTY = Cell(None)


@dataclass
class Parsed:
    """What ``parse`` found: the rows, the problems (the first MAX_PROBLEMS), a preview."""

    rows: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    preview: list[dict] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    total: int = 0
    # What was read differently from the cell as stored, and said so ("đã hiểu 1.003 là 01.003").
    notes: list[dict] = field(default_factory=list)
    note_count: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"row": row, "column": column, "message": str(message)})

    def note(self, row: int, column: str, message: str) -> None:
        self.note_count += 1
        if len(self.notes) < MAX_NOTES:
            self.notes.append({"row": row, "column": column, "message": str(message)})


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _read_cell(column: Column, cell: Cell):
    """(value for the field, note); raises Refused (see ``cell_reading.read``)."""
    return cell_reading.read(column.cell_kind, cell, column.header)


def _messages(exc: ValidationError) -> str:
    messages = translate_validation(exc.messages)
    if isinstance(messages, dict):
        messages = [m for ms in messages.values() for m in (ms if isinstance(ms, list) else [ms])]
    if isinstance(messages, str):
        messages = [messages]
    return " ".join(str(m) for m in messages)


def parse(kind: ImportKind, data: bytes, progress: Callable[[int, int], None] | None = None):
    """Read and validate every row of ``data`` for ``kind``; returns a Parsed.

    Raises ServiceError when the file itself is refused (size, type, ZIP bomb, damaged).
    """
    by_header = {_norm(c.header): c for c in kind.columns}
    table = workbook_reading.read_table(data, lambda text: _norm(text) in by_header)
    headers, body, total, head = table.headers, table.rows, table.total, table.header_row
    parsed = Parsed(headers=headers, total=total)
    index: dict[str, int] = {}
    for i, text in enumerate(headers):
        if not text:
            continue
        column = by_header.get(_norm(text))
        if column is None:
            parsed.add(head, text, _("Cột không có trong mẫu nhập. Hãy dùng đúng tệp mẫu."))
        elif column.key in index:
            parsed.add(head, text, _("Cột bị lặp lại."))
        else:
            index[column.key] = i
    for column in kind.columns:
        if column.required and column.key not in index:
            parsed.add(head, column.header, _("Thiếu cột bắt buộc."))
    if parsed.problem_count:
        return parsed

    header_of = {c.key: c.header for c in kind.columns}
    state = kind.prepare() if kind.prepare else None
    day_month = cell_reading.DayMonthCheck()
    dates = [c for c in kind.columns if c.cell_kind == cell_reading.CellKind.DATE]
    done = 0
    for number, values in body:
        row: dict = {}
        bad = False
        for column in kind.columns:
            i = index.get(column.key)
            cell = values[i] if i is not None and i < len(values) else EMPTY
            try:
                raw, note = _read_cell(column, cell)
            except Refused as exc:
                parsed.add(number, column.header, exc.message)
                bad = True
                continue
            if raw is None:
                if column.required:
                    parsed.add(number, column.header, _("Ô bắt buộc, không được để trống."))
                    bad = True
                row[column.key] = None
                continue
            try:
                row[column.key] = column.field.deserialize(raw)
            except ValidationError as exc:
                parsed.add(number, column.header, _messages(exc))
                bad = True
                continue
            if note:
                parsed.note(number, column.header, note)
        for column in dates:
            i = index.get(column.key)
            if i is not None and i < len(values):
                day_month.see(column.header, number, values[i])
        if not bad and kind.validate_row:
            for key, message in kind.validate_row(row, number, state):
                parsed.add(number, header_of.get(key, key), message)
        if len(parsed.preview) < PREVIEW_ROWS:
            parsed.preview.append(
                {
                    "row": number,
                    "values": {header_of[k]: _display(v) for k, v in row.items() if k in header_of},
                }
            )
        row[ROW_KEY] = number
        parsed.rows.append(row)
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    if kind.finish:
        for number, key, message in kind.finish(state):
            parsed.add(number, header_of.get(key, key), message)
    for number, label, message in day_month.problems():
        parsed.add(number, label, message)
    parsed.total = done
    parsed.notes[:0] = table.notes  # where the table was found, then cell by cell
    parsed.note_count += len(table.notes)
    return parsed


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
