"""Background job runs: one row per enqueued job of a tenant, updated as the job goes."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow
from tenant_app.models.vocabulary import JobStatus, values

JOB_STATUSES = values(JobStatus)


class JobRun(TenantScoped, db.Model):
    """A job of one tenant: its kind, queue, status, progress, parameters and result."""

    __tablename__ = "job_runs"
    __revision_neutral__ = frozenset({"*"})  # read by no cached page (``tenancy.revisions``)

    kind: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    queue: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(16), nullable=False, default=JobStatus.QUEUED.value
    )
    progress_done: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    progress_total: Mapped[int | None] = mapped_column(sa.Integer)
    message: Mapped[str | None] = mapped_column(sa.String(500))
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (
        tenant_fk(["created_by"], "users"),
        sa.CheckConstraint(
            "status in ('queued', 'running', 'succeeded', 'failed')", name="status_known"
        ),
        sa.Index("ix_job_runs_tenant_id_kind_created_at", "tenant_id", "kind", "created_at"),
    )

    @property
    def finished(self) -> bool:
        return JobStatus(self.status).finished

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, int(self.progress_done * 100 / self.progress_total))
