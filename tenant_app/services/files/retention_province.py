"""The purge of the province's stored export files past their retention (``export_days``).

The hourly ``exports.purge`` removes a file when its download link expires (``KPI_EXPORT_HOURS``);
this daily purge caps how long any stored export stays, whatever the link's lifetime, and takes
the files of the export folder that no row names. Rows are kept (marked). Same rules as
``retention.purge_tenant``: one ``retention.purged`` event, on the province chain; files deleted
once the transaction commits.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.exports import ProvinceExport
from tenant_app.services.files import export_writers, retention_policy
from tenant_app.services.files.retention import (
    EXPORT,
    ORPHAN,
    Outcome,
    PurgedFile,
    delete_after_commit,
    files_in,
    is_due,
    mtime_day,
    record_purge,
)


def purge_province(today: date, *, dry_run: bool = False, policy=None) -> Outcome:
    """Purge the province's stored export files past ``export_days`` (rows kept, marked) and
    files of the export folder no row names, older than ``orphan_days``; recorded on the
    province chain when anything went. The caller commits."""
    policy = policy or retention_policy.load()
    outcome = Outcome(day=today, dry_run=dry_run)
    stored = list(
        db.session.execute(
            sa.select(ProvinceExport)
            .where(ProvinceExport.storage_key.is_not(None))
            .order_by(ProvinceExport.id)
        ).scalars()
    )
    keys = {export.storage_key for export in stored}
    due_exports = []
    for export in stored:
        since = (export.finished_at or export.created_at).date()
        if is_due(since, policy.export_days, today):
            path = export_writers.path_of(export.storage_key)
            size = path.stat().st_size if path.is_file() else 0
            outcome.files.append(
                PurgedFile(EXPORT, str(export.id), size, since, export.filename or "")
            )
            due_exports.append((export, path))
    orphans = []
    for path in files_in(export_writers.export_folder()):
        since = mtime_day(path)
        if path.name not in keys and is_due(since, policy.orphan_days, today):
            outcome.files.append(
                PurgedFile(ORPHAN, f"exports/{path.name}", path.stat().st_size, since)
            )
            orphans.append(path)
    if dry_run or not outcome.files:
        return outcome
    for export, _path in due_exports:
        export.storage_key = None
        export.message = _("Đã xoá theo thời hạn lưu giữ tệp")
    record_purge(outcome, province=True)
    delete_after_commit([path for _export, path in due_exports] + orphans)
    return outcome
