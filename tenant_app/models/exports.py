"""Province exports built in the background: who asked, what, progress, the file and its expiry."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.vocabulary import JobStatus, values

EXPORT_STATUSES = values(JobStatus)


class ProvinceExport(db.Model):
    """A large export of a province user (e.g. every person's result in many units).

    The file lives in the export folder under ``storage_key``; only the user who asked may
    download it, and only until ``expires_at``.
    """

    __tablename__ = "province_exports"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    requested_by: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("province_users.id"), nullable=False
    )
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    file_format: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=JobStatus.QUEUED.value
    )
    progress_done: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    progress_total: Mapped[int | None] = mapped_column(sa.Integer)
    message: Mapped[str | None] = mapped_column(sa.String(500))
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    storage_key: Mapped[str | None] = mapped_column(sa.String(255))
    size: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')", name="status_known"
        ),
        sa.CheckConstraint("file_format IN ('xlsx', 'csv')", name="format_known"),
        sa.Index("ix_province_exports_requested_by_created_at", "requested_by", "created_at"),
    )

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, int(self.progress_done * 100 / self.progress_total))
