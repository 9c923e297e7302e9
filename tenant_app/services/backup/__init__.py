"""Backup and restore of a deployment: the database and the instance files in one checked archive.

``archive`` writes and reads the archive (a tar with ``manifest.json``: versions, alembic
revision, row counts, every member's size and SHA-256), ``databases`` dumps and restores
PostgreSQL (pg_dump / pg_restore, row-level security kept) and SQLite (the backup API), and
``service`` is the two use cases behind ``kpi backup`` and ``kpi restore``. See
docs/operations.md, "Sao lưu và khôi phục / Backup and restore".
"""

from tenant_app.services.backup.archive import BackupError
from tenant_app.services.backup.service import (
    BackupResult,
    RestoreResult,
    create_backup,
    restore_backup,
)

__all__ = ["BackupError", "BackupResult", "RestoreResult", "create_backup", "restore_backup"]
