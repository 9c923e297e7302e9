"""Organisation structure: org units in a tree with dated revisions, and job positions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow

ORG_UNIT_KINDS = ("committee", "body", "party", "mass_org", "service_unit")
ORG_UNIT_KIND_LABELS = {
    "committee": _l("Lãnh đạo UBND"),
    "body": _l("Cơ quan chuyên môn"),
    "party": _l("Khối Đảng"),
    "mass_org": _l("Mặt trận và đoàn thể"),
    "service_unit": _l("Đơn vị sự nghiệp"),
}

POSITION_GROUPS = (
    "leader_head",
    "leader_deputy",
    "professional_sector",
    "professional_common",
    "support",
)
POSITION_GROUP_LABELS = {
    "leader_head": _l("Lãnh đạo, quản lý – cấp trưởng"),
    "leader_deputy": _l("Lãnh đạo, quản lý – cấp phó"),
    "professional_sector": _l("Chuyên môn, nghiệp vụ chuyên ngành"),
    "professional_common": _l("Chuyên môn, nghiệp vụ dùng chung"),
    "support": _l("Hỗ trợ, phục vụ"),
}


def _known(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


class OrgUnit(TenantScoped, db.Model):
    """A unit of the organisation chart; its current state (history in OrgUnitRevision)."""

    __tablename__ = "org_units"

    code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    head_staff_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["parent_id"], "org_units"),
        tenant_fk(["head_staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "code"),
        sa.CheckConstraint(_known("kind", ORG_UNIT_KINDS), name="kind_known"),
    )

    @property
    def kind_label(self) -> str:
        return str(ORG_UNIT_KIND_LABELS.get(self.kind, self.kind))


class OrgUnitRevision(TenantScoped, db.Model):
    """What a unit was called and where it sat from ``effective_from`` (until the next revision)."""

    __tablename__ = "org_unit_revisions"

    org_unit_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["org_unit_id"], "org_units"),
        tenant_fk(["parent_id"], "org_units"),
        sa.UniqueConstraint("tenant_id", "org_unit_id", "effective_from"),
    )


class JobPosition(TenantScoped, db.Model):
    """A job position (vị trí việc làm) of the tenant's catalogue."""

    __tablename__ = "job_positions"

    code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    position_group: Mapped[str] = mapped_column(sa.String(24), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "code"),
        sa.CheckConstraint(_known("position_group", POSITION_GROUPS), name="position_group_known"),
    )

    @property
    def group_label(self) -> str:
        return str(POSITION_GROUP_LABELS.get(self.position_group, self.position_group))
