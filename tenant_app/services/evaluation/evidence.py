"""Evidence files (minh chứng): type- and size-checked, stored in the tenant's own folder.

The type is what the file's structure shows (``security.filetypes``: a PDF that opens, an image
that decodes, an Office package with its main part), never the name or the browser's claim; the
stored and served name is a clean basename with that type's extension.

Files live under ``<KPI_UPLOAD_DIR>/<tenant_id>/evidence/`` with a random name; the database
row (tenant-scoped) is the only way to reach one, so another tenant can never be served it.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.config import upload_dir
from tenant_app.extensions import db
from tenant_app.models.evaluation import Assignment, EvidenceFile, Report
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import ReportStatus
from tenant_app.security import filetypes
from tenant_app.services.errors import ServiceError
from tenant_app.services.workspace.lookup import get_scoped
from tenant_app.tenancy.context import current_tenant_id

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_REPORT = 10
# The name of a file whose own name leaves nothing usable.
FALLBACK_NAME = "minh-chung"


def _root() -> Path:
    return upload_dir(current_app.config) / str(current_tenant_id()) / "evidence"


def _kind(data: bytes) -> filetypes.FileKind:
    """The kind of ``data`` judged by its structure (``filetypes.detect``), or a ServiceError
    naming the accepted kinds."""
    try:
        return filetypes.detect(data)
    except filetypes.UnacceptedFile:
        raise ServiceError(
            "file_type",
            _(
                "Chỉ nhận minh chứng dạng PDF, ảnh PNG/JPEG, văn bản Word (.docx), Excel (.xlsx) "
                "hoặc OpenDocument (.odt, .ods) còn nguyên vẹn: tệp này không mở được như một "
                "trong các loại đó."
            ),
            field="file",
        ) from None


def download_name(row: EvidenceFile) -> str:
    """The name ``row`` is served under: a safe basename whose extension matches its type
    (rows stored before names were cleaned are cleaned here too)."""
    return filetypes.safe_name(row.filename, filetypes.kind_of(row.content_type), FALLBACK_NAME)


def download_headers(row: EvidenceFile) -> dict[str, str]:
    """Headers of a download of ``row``: an attachment under ``download_name``, its detected
    type, never sniffed by the browser, never cached."""
    kind = filetypes.kind_of(row.content_type)
    return {
        "Content-Type": kind.mimetype,
        "Content-Disposition": filetypes.content_disposition(download_name(row), kind),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }


def add_evidence(report: Report, *, filename: str, stream, actor) -> EvidenceFile:
    """Store an uploaded file as evidence of ``report`` (by the person who reports it).

    Raises ServiceError for an empty, oversized or unaccepted file, or a report of someone else.
    """
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    if person.user_id is None or person.user_id != getattr(actor, "id", None):
        raise ServiceError("forbidden", _("Chỉ người báo cáo mới đính kèm minh chứng."), status=403)
    if report.status == ReportStatus.ACCEPTED:
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
    kind = _kind(data)
    name = filetypes.safe_name(filename, kind, FALLBACK_NAME)
    key = f"{uuid.uuid4().hex}{kind.extension}"
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    (root / key).write_bytes(data)
    row = EvidenceFile(
        report_id=report.id,
        filename=name,
        content_type=kind.mimetype,
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
            "filename": name,
            "sha256": row.sha256,
            "size": row.size,
        },
        actor=actor,
    )
    return row


def get_evidence(evidence_id) -> EvidenceFile:
    return get_scoped(EvidenceFile, evidence_id, _("Không tìm thấy minh chứng."))


def evidence_path(row: EvidenceFile) -> Path:
    """Where the file of ``row`` is (the tenant in context owns ``row``: scoped lookup).

    Raises ServiceError 410 once the retention policy purged the file (the row is kept)."""
    if row.purged_at is not None:
        raise ServiceError(
            "evidence_purged",
            _("Tệp minh chứng này đã được xoá theo thời hạn lưu giữ."),
            status=410,
        )
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
