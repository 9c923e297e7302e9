"""The import flow: store an upload, validate it in the background, commit it once it is clean.

``start_import`` stores the upload under ``<KPI_UPLOAD_DIR>/<tenant_id>/`` and enqueues the
validation job (queue ``io``); ``request_commit`` enqueues the commit job once the file is clean;
``tenant_app.jobs.imports`` holds both jobs (``background.paths.IMPORT_*``), which read the kinds
from ``import_registry`` and the rows with ``import_parsing``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from tenant_app import config as settings
from tenant_app.background import IO, enqueue, paths
from tenant_app.extensions import db
from tenant_app.models.jobs import JobRun
from tenant_app.models.vocabulary import JobStatus
from tenant_app.services.errors import Conflict, NotFound
from tenant_app.services.files import spreadsheets
from tenant_app.services.files.import_registry import get_import_kind
from tenant_app.tenancy.context import current_tenant_id


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
    if run.status == JobStatus.FAILED:
        return "failed"
    if run.status in (JobStatus.QUEUED, JobStatus.RUNNING):
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
    run.status = JobStatus.QUEUED
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
        "note_count": result.get("note_count", 0),
        "notes": result.get("notes", []),
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "attempts": run.attempts,
    }
