"""Province exports built in the background: request, build with progress, download, expiry.

A province user asks for an export (``request_export``); a job on the ``io`` queue builds the file
(``build``) under ``<instance>/exports/<random>.<ext>``, committing progress on the
``province_exports`` row every PROGRESS_EVERY rows; only that user may download it
(``open_download``) until ``expires_at``; ``purge_expired`` (hourly) deletes expired files and
keeps the rows as history.

Reading many units needs ``tenancy.door.cross_tenant_read``; the job passes it to ``build`` as
``door`` (a test passes a refusing one).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenant_app.background import IO, enqueue, paths
from tenant_app.background.queues import JOB_TIMEOUT
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.exports import ProvinceExport
from tenant_app.models.tenants import Tenant
from tenant_app.models.users import ProvinceUser
from tenant_app.models.vocabulary import JobStatus
from tenant_app.services.audit import audit_log
from tenant_app.services.comparison.comparison import ScopeInvalid, parse_scope, visibility_for
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.files import export_results
from tenant_app.services.files.export_writers import (
    MIMETYPES,
    export_folder,
    new_key,
    path_of,
    sweep,
)

FORMATS = ("xlsx", "csv")
KIND_LABELS = {"results": _l("Kết quả đánh giá từng người")}
STATUS_LABELS = {
    JobStatus.QUEUED: _l("Đang chờ"),
    JobStatus.RUNNING: _l("Đang tạo"),
    JobStatus.SUCCEEDED: _l("Sẵn sàng"),
    JobStatus.FAILED: _l("Lỗi"),
}
PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)
PROGRESS_EVERY = 1000
BUILD_JOB = paths.EXPORT_BUILD


class ExportGone(ServiceError):
    """The export's file is no longer served (expired or removed)."""

    status = 410


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    mimetype: str


def lifetime() -> timedelta:
    return current_app.config.get("KPI_EXPORT_LIFETIME") or timedelta(hours=24)


# --- asking -------------------------------------------------------------------------------


def _scope(value) -> str:
    try:
        scope, _kind = parse_scope(str(value or ""))
    except ScopeInvalid:
        raise ServiceError(
            "export_period_invalid",
            _("Kỳ không hợp lệ: nhập năm (2026), quý (2026-Q4) hoặc tháng (2026-11)."),
            field="period",
        ) from None
    return scope


def _tenant_ids(values) -> list[int]:
    """The selected units as sorted ids; [] means every unit. Each must exist."""
    if values is None:
        return []
    if isinstance(values, str | int):
        values = str(values).split(",")
    ids = set()
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        if not text.isdigit():
            raise ServiceError(
                "export_tenant_invalid",
                _("Mã đơn vị không hợp lệ: %(value)s.", value=text[:40]),
                field="tenants",
            )
        ids.add(int(text))
    known = set(db.session.execute(sa.select(Tenant.id).where(Tenant.id.in_(ids))).scalars())
    missing = sorted(ids - known)
    if missing:
        raise ServiceError(
            "export_tenant_unknown",
            _("Không có đơn vị với mã: %(ids)s.", ids=", ".join(map(str, missing))),
            field="tenants",
        )
    return sorted(ids)


def _filename(kind: str, scope: str, file_format: str, at: datetime) -> str:
    stamp = audit_log.to_local(at).strftime("%Y%m%d-%H%M")
    return f"{KIND_LABELS[kind]} {scope} {stamp}.{file_format}"


def request_export(user, kind: str, file_format: str, params: dict) -> ProvinceExport:
    """Record an export of ``kind`` for province ``user`` and enqueue its build; return it.

    ``params``: ``period`` (2026, 2026-Q4 or 2026-11) and ``tenant_ids`` (none: every unit).
    What the user may see (``visibility_for``) is stored now. The same export still waiting is
    returned instead of a second one. Raises ServiceError (field named) for invalid input.
    """
    if not getattr(user, "is_province", False):
        raise ServiceError(
            "forbidden", _("Chỉ người dùng cấp tỉnh được xuất dữ liệu nhiều đơn vị."), status=403
        )
    if kind not in KIND_LABELS:
        raise ServiceError("export_kind_unknown", _("Loại dữ liệu xuất không hợp lệ."), "kind")
    if file_format not in FORMATS:
        raise ServiceError(
            "export_format_unknown",
            _("Định dạng tệp phải là Excel (.xlsx) hoặc CSV."),
            field="format",
        )
    stored = {
        "period": _scope(params.get("period")),
        "tenant_ids": _tenant_ids(params.get("tenant_ids")),
        "visibility": visibility_for(user),
        "locale": str(get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")),
    }
    for waiting in db.session.execute(
        sa.select(ProvinceExport).where(
            ProvinceExport.requested_by == user.id,
            ProvinceExport.kind == kind,
            ProvinceExport.file_format == file_format,
            ProvinceExport.status.in_(PENDING),
        )
    ).scalars():
        if waiting.params == stored:
            return waiting
    now = utcnow()
    export = ProvinceExport(
        requested_by=user.id,
        kind=kind,
        file_format=file_format,
        params=stored,
        status=JobStatus.QUEUED,
        progress_done=0,
        created_at=now,
        filename=_filename(kind, stored["period"], file_format, now),
    )
    db.session.add(export)
    db.session.flush()
    export_id = export.id
    # Commits first; without Redis the file is built here and now.
    enqueue(IO, BUILD_JOB, None, export_id)
    return db.session.get(ProvinceExport, export_id)


def list_for(user, limit: int = 50) -> list[ProvinceExport]:
    """The user's own exports, newest first."""
    return list(
        db.session.execute(
            sa.select(ProvinceExport)
            .where(ProvinceExport.requested_by == user.id)
            .order_by(ProvinceExport.created_at.desc(), ProvinceExport.id.desc())
            .limit(limit)
        ).scalars()
    )


def tenant_names(exports) -> dict[int, str]:
    """Names of every unit the ``exports`` name (province table: no door needed)."""
    ids = {tid for e in exports for tid in (e.params or {}).get("tenant_ids") or []}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids))).all()
    return dict(rows)


# --- building -----------------------------------------------------------------------------


def _progress(export_id: int, done: int, total: int | None) -> None:
    db.session.execute(
        sa.update(ProvinceExport)
        .where(ProvinceExport.id == export_id)
        .values(progress_done=done, progress_total=total)
    )
    db.session.commit()


def _write_results(export: ProvinceExport, user: ProvinceUser, door, path: Path) -> int:
    params = export.params
    # The stricter of then and now: a grant withdrawn since the request no longer applies.
    visibility = "all" if params.get("visibility") == visibility_for(user) == "all" else "published"
    purpose = f"province export #{export.id}: results {params['period']}"
    return export_results.write(
        params["period"],
        list(params.get("tenant_ids") or []),
        visibility,
        file_format=export.file_format,
        path=path,
        reader=functools.partial(door, purpose, actor=user),
        progress=functools.partial(_progress, export.id),
        every=PROGRESS_EVERY,
    )


WRITERS = {"results": _write_results}


def _start(export: ProvinceExport) -> None:
    """Mark the export running; a previous attempt's file (a rerun) is removed."""
    old = export.storage_key
    export.status = JobStatus.RUNNING
    export.progress_done = 0
    export.progress_total = None
    export.message = None
    export.storage_key = None
    export.size = None
    export.finished_at = None
    export.expires_at = None
    db.session.commit()
    if old:
        path_of(old).unlink(missing_ok=True)


def build(export_id: int, door) -> dict:
    """Build export ``export_id``'s file; return {"rows", "size"} (or {"skipped": why}).

    ``door`` is ``tenancy.door.cross_tenant_read``. Safe to rerun: each run writes a new file under
    a temporary name, renames it only when complete and removes the previous one. Raises
    ServiceError when the requester may no longer read (the caller marks the export failed).
    """
    export = db.session.get(ProvinceExport, export_id)
    if export is None:
        return {"skipped": "not found"}
    if export.expires_at is not None and export.expires_at <= utcnow():
        return {"skipped": "expired"}
    user = db.session.get(ProvinceUser, export.requested_by)
    if user is None or not user.active:
        raise ServiceError(
            "export_user_inactive", _("Tài khoản yêu cầu tệp này không còn hoạt động.")
        )
    _start(export)
    folder = export_folder()
    folder.mkdir(parents=True, exist_ok=True)
    key = new_key(export.file_format)
    part = folder / f"{key}.part"
    try:
        with force_locale(export.params.get("locale") or "vi"):
            written = WRITERS[export.kind](export, user, door, part)
        os.replace(part, folder / key)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    export = db.session.get(ProvinceExport, export_id)
    finished = utcnow()
    export.status = JobStatus.SUCCEEDED
    export.storage_key = key
    export.size = (folder / key).stat().st_size
    export.progress_done = export.progress_total = written
    export.message = None
    export.finished_at = finished
    export.expires_at = finished + lifetime()
    db.session.commit()
    return {"rows": written, "size": export.size}


def mark_failed(export_id: int, message: str, *, retrying: bool = False) -> None:
    """Record a failed attempt: ``failed`` for good, or back to ``queued`` when it is retried."""
    db.session.rollback()
    export = db.session.get(ProvinceExport, export_id)
    if export is None:
        return
    export.status = JobStatus.QUEUED if retrying else JobStatus.FAILED
    export.message = message[:500]
    export.finished_at = None if retrying else utcnow()
    db.session.commit()


# --- downloading and expiry ---------------------------------------------------------------


def open_download(export: ProvinceExport | None, user, now: datetime) -> Download:
    """Return the file of ``user``'s finished export, if it has not expired at ``now``.

    Raises NotFound (404) for anyone else's export (no hint that it exists), Conflict (409)
    while it is being built or when it failed, ExportGone (410) once expired or removed.
    """
    if export is None or not getattr(user, "is_province", False) or export.requested_by != user.id:
        raise NotFound("export_not_found", _("Không tìm thấy tệp xuất dữ liệu."))
    if export.status in PENDING:
        raise Conflict(
            "export_not_ready", _("Tệp đang được tạo, chưa tải về được. Vui lòng chờ giây lát.")
        )
    if export.status == JobStatus.FAILED:
        raise Conflict("export_failed", _("Không tạo được tệp này. Vui lòng yêu cầu xuất lại."))
    if export.expires_at is None or export.expires_at <= now or not export.storage_key:
        raise ExportGone(
            "export_expired",
            _("Liên kết tải tệp này đã hết hạn. Vui lòng yêu cầu xuất lại để có tệp mới."),
        )
    path = path_of(export.storage_key)
    if not path.is_file():
        raise ExportGone(
            "export_missing",
            _("Tệp không còn trên máy chủ. Vui lòng yêu cầu xuất lại để có tệp mới."),
        )
    return Download(
        path, export.filename or f"export.{export.file_format}", MIMETYPES[export.file_format]
    )


def purge_expired(now: datetime) -> int:
    """Delete the files of exports expired at ``now`` (rows kept, marked "Đã hết hạn"), and
    files no row names that are older than any build can take; return the exports purged."""
    expired = list(
        db.session.execute(
            sa.select(ProvinceExport).where(
                ProvinceExport.storage_key.is_not(None), ProvinceExport.expires_at <= now
            )
        ).scalars()
    )
    for export in expired:
        path_of(export.storage_key).unlink(missing_ok=True)
        export.storage_key = None
        export.message = _("Đã hết hạn")
    db.session.commit()
    # A build killed mid-file leaves "<key>.part"; one killed between rename and commit leaves
    # a file no row names: both go once older than twice the longest a build may run.
    kept = set(
        db.session.execute(
            sa.select(ProvinceExport.storage_key).where(ProvinceExport.storage_key.is_not(None))
        ).scalars()
    )
    sweep(kept, older_than=now - timedelta(seconds=2 * JOB_TIMEOUT[IO]))
    return len(expired)
