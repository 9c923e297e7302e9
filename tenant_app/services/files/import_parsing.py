"""Reading a workbook against its import kind: typed cells, problems by row and column, preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from tenant_app.errors import translate_validation
from tenant_app.services.files import spreadsheets
from tenant_app.services.files.import_registry import ROW_KEY, Column, ImportKind

PREVIEW_ROWS = 10
MAX_PROBLEMS = 1000
PROGRESS_EVERY = 100


@dataclass
class Parsed:
    """What ``parse`` found: the rows, the problems (the first MAX_PROBLEMS), a preview."""

    rows: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    preview: list[dict] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"row": row, "column": column, "message": str(message)})


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _cell_to_field_input(column: Column, value):
    # Spreadsheet programs turn codes like 012345 into numbers; text fields take them back.
    if isinstance(column.field, fields.String) and not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    return value


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
    headers, body, total = spreadsheets.read_rows(data)
    parsed = Parsed(headers=headers, total=total)
    by_header = {_norm(c.header): c for c in kind.columns}
    index: dict[str, int] = {}
    for i, text in enumerate(headers):
        if not text:
            continue
        column = by_header.get(_norm(text))
        if column is None:
            parsed.add(1, text, _("Cột không có trong mẫu nhập. Hãy dùng đúng tệp mẫu."))
        elif column.key in index:
            parsed.add(1, text, _("Cột bị lặp lại."))
        else:
            index[column.key] = i
    for column in kind.columns:
        if column.required and column.key not in index:
            parsed.add(1, column.header, _("Thiếu cột bắt buộc."))
    if parsed.problem_count:
        return parsed

    header_of = {c.key: c.header for c in kind.columns}
    state = kind.prepare() if kind.prepare else None
    done = 0
    for number, values in body:
        row: dict = {}
        bad = False
        for column in kind.columns:
            i = index.get(column.key)
            raw = values[i] if i is not None and i < len(values) else None
            if raw is None:
                if column.required:
                    parsed.add(number, column.header, _("Ô bắt buộc, không được để trống."))
                    bad = True
                row[column.key] = None
                continue
            try:
                row[column.key] = column.field.deserialize(_cell_to_field_input(column, raw))
            except ValidationError as exc:
                parsed.add(number, column.header, _messages(exc))
                bad = True
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
    parsed.total = done
    return parsed


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
