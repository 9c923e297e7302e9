"""Import jobs (queue ``io``): validate an uploaded workbook, then commit it all or nothing."""

from __future__ import annotations

from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.background.runner import current_job_run, report_progress
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import import_parsing, import_registry, imports


def _parse(run):
    kind = import_registry.get_import_kind(run.params["kind"])
    try:
        data = imports.stored_file(run).read_bytes()
    except FileNotFoundError as exc:
        raise ServiceError("upload_missing", _("Không còn tệp đã tải lên: hãy tải lại.")) from exc
    parsed = import_parsing.parse(
        kind, data, progress=lambda done, total: report_progress(done, total)
    )
    return kind, parsed


def _result(parsed, phase: str) -> dict:
    return {
        "phase": phase,
        "rows": parsed.total,
        "headers": parsed.headers,
        "problem_count": parsed.problem_count,
        "problems": parsed.problems,
        "preview": parsed.preview,
        "note_count": parsed.note_count,
        "notes": parsed.notes,
    }


def validate_import(tenant_id: int) -> dict:
    """Parse and validate every row of the current run's upload; return problems and a preview.

    Read-only: safe to run again. Progress is recorded every 100 rows.
    """
    run = current_job_run()
    report_progress(0, None, _("Đang kiểm tra tệp…"))
    _kind, parsed = _parse(run)
    report_progress(parsed.total, parsed.total)
    return _result(parsed, "validated")


def commit_import(tenant_id: int) -> dict:
    """Validate again and write every row in one transaction (the runner commits it with the
    run's success mark), or nothing: problems found now fail the run and are stored on it."""
    run = current_job_run()
    if (run.result or {}).get("phase") == "committed":
        return run.result
    report_progress(0, None, _("Đang kiểm tra lại trước khi ghi…"))
    kind, parsed = _parse(run)
    if parsed.problem_count:
        exc = ServiceError(
            "import_invalid",
            _("Dữ liệu đã thay đổi từ lần kiểm tra trước: không ghi dòng nào, hãy xem lỗi."),
        )
        exc.result = _result(parsed, "validated")
        raise exc
    report_progress(0, parsed.total, _("Đang ghi dữ liệu…"))
    summary = kind.commit(parsed.rows) or {}
    audit.record(
        "import.committed",
        object_type="import",
        object_id=run.id,
        after={"kind": kind.name, "rows": parsed.total, "filename": run.params.get("filename")},
    )
    result = _result(parsed, "committed")
    result.update(summary)
    result["committed"] = parsed.total
    return result
