"""Tenants: the wards, communes, special zones and agencies that each run their own evaluation."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import utcnow


class TenantKind(enum.StrEnum):
    PHUONG = "phuong"
    XA = "xa"
    DAC_KHU = "dac_khu"
    SO = "so"
    AGENCY = "agency"

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    TenantKind.PHUONG: _l("Phường"),
    TenantKind.XA: _l("Xã"),
    TenantKind.DAC_KHU: _l("Đặc khu"),
    TenantKind.SO: _l("Sở"),
    TenantKind.AGENCY: _l("Cơ quan, đơn vị khác"),
}


class TenantStatus(enum.StrEnum):
    ONBOARDING = "onboarding"
    PILOT = "pilot"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def serves_users(self) -> bool:
        """Whether the unit's own users may reach it (suspended and archived fail closed)."""
        return self in (TenantStatus.ONBOARDING, TenantStatus.PILOT, TenantStatus.ACTIVE)


STATUS_LABELS = {
    TenantStatus.ONBOARDING: _l("Đang thiết lập"),
    TenantStatus.PILOT: _l("Thí điểm"),
    TenantStatus.ACTIVE: _l("Đang hoạt động"),
    TenantStatus.SUSPENDED: _l("Tạm dừng"),
    TenantStatus.ARCHIVED: _l("Lưu trữ"),
}

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"


class Tenant(db.Model):
    """A unit of the province. Slugs are never reused: tenants are archived, never deleted."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(16), nullable=False, default=TenantStatus.ONBOARDING.value
    )
    settings: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        sa.CheckConstraint(
            "kind in ('phuong', 'xa', 'dac_khu', 'so', 'agency')", name="kind_known"
        ),
        sa.CheckConstraint(
            "status in ('onboarding', 'pilot', 'active', 'suspended', 'archived')",
            name="status_known",
        ),
    )

    @property
    def kind_enum(self) -> TenantKind:
        return TenantKind(self.kind)

    @property
    def status_enum(self) -> TenantStatus:
        return TenantStatus(self.status)

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"
