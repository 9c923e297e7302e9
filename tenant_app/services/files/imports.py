"""Spreadsheet imports and exports: the kind registry, parsing with row problems, the import flow.

A kind lives in one module of ``services.files.import_kinds`` that calls ``register_import``
and/or ``register_export`` at import time; every module of that package is loaded on first use.
Flow: ``start_import`` stores the upload under ``<KPI_UPLOAD_DIR>/<tenant_id>/`` and enqueues the
validation job (queue ``io``); ``request_commit`` enqueues the commit job once the file is clean;
``tenant_app.jobs.imports`` holds both jobs (``background.paths.IMPORT_*``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from tenant_app import config as settings
from tenant_app.background import IO, enqueue, paths
from tenant_app.errors import translate_validation
from tenant_app.extensions import db
from tenant_app.models.jobs import JobRun
from tenant_app.services.errors import Conflict, NotFound
from tenant_app.services.files import spreadsheets
from tenant_app.tenancy.context import current_tenant_id

GUIDE_SHEET = "Hướng dẫn"
PREVIEW_ROWS = 10
MAX_PROBLEMS = 1000
PROGRESS_EVERY = 100
ROW_KEY = "_row"  # each validated row dict also carries its sheet row number under this key


@dataclass(frozen=True)
class Column:
    """One column of a kind: the Vietnamese header written in files, the key rows use, the
    marshmallow field that turns the cell into a value, and whether a value is required."""

    key: str
    header: str
    field: fields.Field
    required: bool = False
    help: str = ""


class Day(fields.Field):
    """A date cell: a real Excel date, or text dd/mm/yyyy (also d-m-yyyy) or yyyy-mm-dd."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        try:
            if match:
                return date(int(match[3]), int(match[2]), int(match[1]))
            return date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                _("Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm (dd/mm/yyyy).")
            ) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat()


@dataclass(frozen=True)
class ImportKind:
    """What a kind of import needs.

    ``prepare()`` loads once what validation needs (e.g. keys already in the database) and returns
    a state object; ``validate_row(row, number, state)`` returns ``[(column key, message)]`` and may
    normalise ``row`` in place; ``commit(rows)`` writes every validated row and returns a summary
    dict. It runs inside ONE transaction that the job commits only if nothing raised.
    ``finish(state)``, called once after every row was validated, returns
    ``[(row number, column key, message)]`` for checks that need the whole file (e.g. references
    to rows further down).
    """

    name: str
    label: str
    columns: tuple[Column, ...]
    commit: Callable[[list[dict]], dict | None]
    validate_row: Callable[[dict, int, object], list[tuple[str, str]]] | None = None
    prepare: Callable[[], object] | None = None
    examples: tuple[dict, ...] = ()
    finish: Callable[[object], list[tuple[int, str, str]]] | None = None


@dataclass(frozen=True)
class ExportKind:
    """What a kind of export needs: its columns and ``rows()`` → dicts keyed by column key."""

    name: str
    label: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[dict]]


IMPORT_KINDS: dict[str, ImportKind] = {}
EXPORT_KINDS: dict[str, ExportKind] = {}
_loaded = False


def register_import(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.name] = kind
    return kind


def register_export(kind: ExportKind) -> ExportKind:
    EXPORT_KINDS[kind.name] = kind
    return kind


def _load_kinds() -> None:
    global _loaded
    if _loaded:
        return
    from tenant_app.services.files import import_kinds

    for module in pkgutil.iter_modules(import_kinds.__path__):
        importlib.import_module(f"{import_kinds.__name__}.{module.name}")
    _loaded = True


def import_kinds() -> dict[str, ImportKind]:
    _load_kinds()
    return dict(sorted(IMPORT_KINDS.items()))


def export_kinds() -> dict[str, ExportKind]:
    _load_kinds()
    return dict(sorted(EXPORT_KINDS.items()))


def get_import_kind(name: str) -> ImportKind:
    """Return the import kind ``name``; raises NotFound for an unknown kind."""
    kind = import_kinds().get(name)
    if kind is None:
        raise NotFound("unknown_kind", _("Không có loại dữ liệu nhập này."))
    return kind


def get_export_kind(name: str) -> ExportKind:
    kind = export_kinds().get(name)
    if kind is None:
        raise NotFound("unknown_kind", _("Không có loại dữ liệu xuất này."))
    return kind


# --- files: templates and exports


def template_file(kind: ImportKind) -> bytes:
    """Return the template workbook: headers, two example rows and a sheet 'Hướng dẫn'."""
    with force_locale("vi"):  # files are Vietnamese whatever the page language
        return _template_file(kind)


def _template_file(kind: ImportKind) -> bytes:
    header = [c.header for c in kind.columns]
    examples = [[ex.get(c.key) for c in kind.columns] for ex in kind.examples[:2]]
    guide = [
        [c.header, _("Bắt buộc") if c.required else _("Không bắt buộc"), c.help]
        for c in kind.columns
    ]
    return spreadsheets.build_workbook(
        [
            spreadsheets.Sheet(kind.label, header, examples),
            spreadsheets.Sheet(
                GUIDE_SHEET, [_("Cột"), _("Bắt buộc"), _("Cách ghi")], guide, widths=(24, 16, 90)
            ),
        ]
    )


def export_file(kind: ExportKind) -> bytes:
    """Return the workbook of every row of ``kind`` in the tenant in context."""
    header = [c.header for c in kind.columns]
    rows = ([row.get(c.key) for c in kind.columns] for row in kind.rows())
    return spreadsheets.build_workbook([spreadsheets.Sheet(kind.label, header, rows)])


# --- parsing


@dataclass
class Parsed:
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


# --- the flow


def upload_dir(tenant_id: int) -> Path:
    """The tenant's folder for import workbooks, under ``KPI_UPLOAD_DIR``."""
    return settings.upload_dir(current_app.config) / str(int(tenant_id))


def stored_file(run: JobRun) -> Path:
    """Return the path of the upload of import ``run`` (inside its tenant's upload folder)."""
    return upload_dir(run.tenant_id) / f"{run.id}.xlsx"


def start_import(kind_name: str, filename: str, data: bytes, *, user) -> JobRun:
    """Check and store an upload, then enqueue its validation; returns the import's job run.

    Raises NotFound for an unknown kind; ServiceError (400/413) for a refused file.
    """
    kind = get_import_kind(kind_name)
    spreadsheets.check_xlsx(data)
    tid = current_tenant_id()
    run = JobRun(
        tenant_id=tid,
        id=uuid.uuid4(),
        kind=f"import.{kind.name}",
        queue=IO,
        params={"kind": kind.name, "filename": (filename or "")[:200], "size": len(data)},
        created_by=getattr(user, "id", None),
    )
    path = stored_file(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    db.session.add(run)
    db.session.flush()
    enqueue(IO, paths.IMPORT_VALIDATE, tid, job_run_id=run.id)
    db.session.refresh(run)  # an in-process job has already moved it on
    return run


def list_imports():
    """Return a select of the imports of the tenant in context, newest first."""
    return (
        sa.select(JobRun)
        .where(JobRun.kind.like("import.%"))
        .order_by(JobRun.created_at.desc(), JobRun.id.desc())
    )


def get_import(run_id) -> JobRun:
    """Return an import of the tenant in context; NotFound for any other id (other tenants too)."""
    tid = current_tenant_id()
    try:
        key = uuid.UUID(str(run_id))
    except ValueError:
        key = None
    run = db.session.get(JobRun, (tid, key)) if tid is not None and key else None
    if run is None or not run.kind.startswith("import."):
        raise NotFound("not_found", _("Không tìm thấy lượt nhập dữ liệu."))
    return run


def state(run: JobRun) -> str:
    """validating, invalid, ready, committing, committed or failed."""
    phase = (run.result or {}).get("phase")
    if run.status == "failed":
        return "failed"
    if run.status in ("queued", "running"):
        return "committing" if run.params.get("phase") == "commit" else "validating"
    if phase == "committed":
        return "committed"
    if phase == "validated":
        return "invalid" if (run.result or {}).get("problem_count") else "ready"
    return "validating"


def request_commit(run: JobRun, *, user) -> JobRun:
    """Enqueue the commit of a clean, validated import; raises Conflict otherwise."""
    current = state(run)
    if current in ("committing", "committed"):
        return run
    if current != "ready":
        raise Conflict(
            "import_not_ready",
            _("Chỉ ghi được khi tệp đã kiểm tra xong và không còn lỗi."),
        )
    run.params = {**run.params, "phase": "commit", "commit_by": str(getattr(user, "id", ""))}
    run.status = "queued"
    run.progress_done = 0
    enqueue(IO, paths.IMPORT_COMMIT, run.tenant_id, job_run_id=run.id)
    db.session.refresh(run)
    return run


def as_dict(run: JobRun) -> dict:
    """The status of an import as the API and the polling script read it."""
    result = run.result or {}
    return {
        "id": str(run.id),
        "kind": run.params.get("kind"),
        "filename": run.params.get("filename"),
        "status": run.status,
        "state": state(run),
        "progress_done": run.progress_done,
        "progress_total": run.progress_total,
        "percent": run.percent,
        "message": run.message,
        "rows": result.get("rows"),
        "created": result.get("created"),
        "problem_count": result.get("problem_count", 0),
        "problems": result.get("problems", []),
        "preview": result.get("preview", []),
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "attempts": run.attempts,
    }
