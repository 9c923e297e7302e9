"""Configuration templates, their versions, what each tenant runs, and rollouts to many tenants.

Province-wide tables (templates, versions, rollouts and their per-tenant targets) are read and
written only by province administrators; ``tenant_configs`` is a tenant table recording which
version a unit runs, what it looked like when applied (the base of the three-way merge) and
from when it takes effect.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, utcnow
from tenant_app.models.vocabulary import (
    RolloutStatus,
    TargetStatus,
    TemplateVersionStatus,
    values,
)

VERSION_STATUSES = values(TemplateVersionStatus)
ROLLOUT_STATUSES = values(RolloutStatus)
TARGET_STATUSES = values(TargetStatus)

LABELS = {
    "draft": _l("Bản nháp"),
    "published": _l("Đã ban hành"),
    "planned": _l("Đã lập"),
    "running": _l("Đang chạy"),
    "finished": _l("Đã xong"),
    "cancelled": _l("Đã hủy"),
    "pending": _l("Chờ"),
    "applied": _l("Đã áp dụng"),
    "skipped": _l("Bỏ qua"),
    "failed": _l("Lỗi"),
}


class ConfigTemplate(db.Model):
    """A named configuration bundle of the province (e.g. "Bộ chỉ số cấp phường")."""

    __tablename__ = "config_templates"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)


class TemplateVersion(db.Model):
    """One version of a template; ``payload`` is the whole bundle. Immutable once published.

    Payload sections: ``positions``, ``items`` (work items and indicators with canonical codes,
    values, applicable position codes, mandatory flag and allowed range), ``scoring`` (rule set
    and parameters), ``schedule`` (period kind and windows), ``approval`` (chain), ``income``
    (scheme and settings).
    """

    __tablename__ = "template_versions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("config_templates.id"), nullable=False
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=TemplateVersionStatus.DRAFT.value
    )
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    published_by: Mapped[str | None] = mapped_column(sa.String(64))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        sa.UniqueConstraint("template_id", "number"),
        sa.CheckConstraint("status IN ('draft', 'published')", name="status_known"),
    )


class TenantConfig(TenantScoped, db.Model):
    """A version applied to the tenant (history: the latest row is what it runs now).

    ``base_payload`` is the version's payload as applied, the common ancestor of a later
    three-way merge; ``effective_from`` is the first period start the configuration governs.
    """

    __tablename__ = "tenant_configs"

    version_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("template_versions.id"), nullable=False
    )
    previous_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    base_payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    summary: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    rollout_id: Mapped[int | None] = mapped_column(sa.Integer, sa.ForeignKey("rollouts.id"))
    applied_by: Mapped[str | None] = mapped_column(sa.String(64))
    applied_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    rolled_back: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "previous_id"], ["tenant_configs.tenant_id", "tenant_configs.id"]
        ),
        sa.Index("ix_tenant_configs_tenant_applied", "tenant_id", "applied_at"),
    )


class Rollout(db.Model):
    """Applying one template version to a set of tenants, in waves, as background jobs."""

    __tablename__ = "rollouts"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("template_versions.id"), nullable=False
    )
    dry_run: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=RolloutStatus.PLANNED.value
    )
    selector: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    effective: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="next_period")
    created_by: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('planned', 'running', 'finished', 'cancelled')", name="status_known"
        ),
        sa.CheckConstraint("effective IN ('next_period', 'immediately')", name="effective_known"),
    )


class RolloutTarget(db.Model):
    """One tenant of a rollout: its wave, the diff it would get or got, and its status."""

    __tablename__ = "rollout_targets"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    rollout_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("rollouts.id"), nullable=False
    )
    tenant_id: Mapped[int] = mapped_column(sa.Integer, sa.ForeignKey("tenants.id"), nullable=False)
    wave: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(
        sa.String(12), nullable=False, default=TargetStatus.PENDING.value
    )
    diff: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    conflicts: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    message: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __table_args__ = (
        sa.UniqueConstraint("rollout_id", "tenant_id"),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'applied', 'skipped', 'failed')",
            name="status_known",
        ),
    )
