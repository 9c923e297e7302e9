"""Evidence files (minh chứng): type- and size-checked, stored in the tenant's own folder.

Files live under ``<instance>/uploads/<tenant_id>/evidence/`` with a random name; the database
row (tenant-scoped) is the only way to reach one, so another tenant can never be served it.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.evaluation import Assignment, EvidenceFile, Report
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.lookup import get_scoped
from tenant_app.tenancy.context import current_tenant_id

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_REPORT = 10
# Accepted types by their first bytes (what the file is), not by what the browser claims.
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"PK\x03\x04": ("application/zip", ".zip"),  # docx/xlsx/odt: refined by extension below
}
OFFICE = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _root() -> Path:
    return (
        Path(current_app.config["KPI_INSTANCE_DIR"])
        / "uploads"
        / str(current_tenant_id())
        / "evidence"
    )


def _sniff(head: bytes, filename: str) -> str:
    ext = os.path.splitext(filename.lower())[1]
    for magic, (content_type, _ext) in SIGNATURES.items():
        if head.startswith(magic):
            if content_type == "application/zip":
                if ext in OFFICE:
                    return OFFICE[ext]
                break
            return content_type
    raise ServiceError(
        "file_type",
        _("Chỉ nhận minh chứng dạng PDF, ảnh PNG/JPEG hoặc văn bản Word/Excel/OpenDocument."),
        field="file",
    )


def add_evidence(report: Report, *, filename: str, stream, actor) -> EvidenceFile:
    """Store an uploaded file as evidence of ``report`` (by the person who reports it).

    Raises ServiceError for an empty, oversized or unaccepted file, or a report of someone else.
    """
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    if person.user_id is None or person.user_id != getattr(actor, "id", None):
        raise ServiceError("forbidden", _("Chỉ người báo cáo mới đính kèm minh chứng."), status=403)
    if report.status == "accepted":
        raise ServiceError("already_accepted", _("Báo cáo đã được chấp nhận."), status=409)
    count = db.session.query(EvidenceFile).filter(EvidenceFile.report_id == report.id).count()
    if count >= MAX_FILES_PER_REPORT:
        raise ServiceError(
            "too_many_files",
            _("Mỗi báo cáo đính kèm tối đa %(n)d tệp.", n=MAX_FILES_PER_REPORT),
            field="file",
        )
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise ServiceError("empty_file", _("Tệp minh chứng trống."), field="file")
    if len(data) > MAX_BYTES:
        raise ServiceError(
            "file_too_large", _("Tệp minh chứng vượt quá 10 MB."), field="file", status=413
        )
    name = secure_filename(filename or "") or "minh-chung"
    original = (filename or name).strip()[:255] or name
    content_type = _sniff(data[:8], original)
    key = f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()[:8]}"
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    (root / key).write_bytes(data)
    row = EvidenceFile(
        report_id=report.id,
        filename=original,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "evidence.added",
        object_type="evidence",
        object_id=row.id,
        after={
            "report_id": report.id,
            "filename": original,
            "sha256": row.sha256,
            "size": row.size,
        },
        actor=actor,
    )
    return row


def get_evidence(evidence_id) -> EvidenceFile:
    return get_scoped(EvidenceFile, evidence_id, _("Không tìm thấy minh chứng."))


def evidence_path(row: EvidenceFile) -> Path:
    """Where the file of ``row`` is (the tenant in context owns ``row``: scoped lookup)."""
    path = (_root() / row.storage_key).resolve()
    if _root().resolve() not in path.parents:
        raise ServiceError("not_found", _("Không tìm thấy minh chứng."), status=404)
    return path


def files_of(report_ids) -> dict:
    """Evidence rows per report id."""
    rows = (
        db.session.query(EvidenceFile)
        .filter(EvidenceFile.report_id.in_(list(report_ids)))
        .order_by(EvidenceFile.created_at)
        .all()
    )
    result: dict = {}
    for row in rows:
        result.setdefault(row.report_id, []).append(row)
    return result
