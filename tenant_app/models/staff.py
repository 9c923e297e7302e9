"""Staff: a person record (optionally linked to an account) and the dated history of their posts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow
from tenant_app.models.org import JobPosition, OrgUnit, _known
from tenant_app.models.users import User
from tenant_app.models.vocabulary import AbsenceKind, values

STAFF_TYPES = ("can_bo", "cong_chuc", "vien_chuc", "hop_dong")
ABSENCE_KINDS = values(AbsenceKind)
ABSENCE_KIND_LABELS = {
    AbsenceKind.MATERNITY: _l("Nghỉ thai sản"),
    AbsenceKind.SICKNESS: _l("Nghỉ ốm đau"),
    AbsenceKind.TRAINING: _l("Đi đào tạo, bồi dưỡng"),
    AbsenceKind.OTHER: _l("Nghỉ khác"),
}
STAFF_TYPE_LABELS = {
    "can_bo": _l("Cán bộ"),
    "cong_chuc": _l("Công chức"),
    "vien_chuc": _l("Viên chức"),
    "hop_dong": _l("Hợp đồng lao động"),
}


class StaffMember(TenantScoped, db.Model):
    """A person evaluated in the tenant; unit and position live in StaffAssignment (history)."""

    __tablename__ = "staff"

    code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    staff_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    manager_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    quota_group: Mapped[str | None] = mapped_column(sa.String(64))
    rank_code: Mapped[str | None] = mapped_column(sa.String(16))
    monthly_salary: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 0))
    start_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    user: Mapped[User | None] = db.relationship(
        User,
        primaryjoin="and_(User.tenant_id == StaffMember.tenant_id, "
        "User.id == foreign(StaffMember.user_id))",
        viewonly=True,
    )

    __table_args__ = (
        tenant_fk(["user_id"], "users"),
        tenant_fk(["manager_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "code"),
        sa.UniqueConstraint("tenant_id", "user_id"),
        sa.CheckConstraint(_known("staff_type", STAFF_TYPES), name="staff_type_known"),
        sa.CheckConstraint("monthly_salary >= 0", name="salary_not_negative"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    @property
    def staff_type_label(self) -> str:
        return str(STAFF_TYPE_LABELS.get(self.staff_type, self.staff_type))


class StaffAssignment(TenantScoped, db.Model):
    """A person's unit and position from ``effective_from`` until ``effective_to`` (exclusive)."""

    __tablename__ = "staff_assignments"

    @staticmethod
    def __revision_owner__(obj, identity_map):
        """A post decides who directs whom: every manager's team (``tenancy.revisions``; the
        live dashboards keep each manager's team by the unit's shared revision), so shared."""
        return None

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    org_unit_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    position_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    effective_to: Mapped[date | None] = mapped_column(sa.Date)
    # The appointment or transfer decision (number/date) behind this post, if recorded.
    decision_ref: Mapped[str | None] = mapped_column(sa.String(100))

    org_unit: Mapped[OrgUnit] = db.relationship(
        OrgUnit,
        primaryjoin="and_(OrgUnit.tenant_id == StaffAssignment.tenant_id, "
        "OrgUnit.id == foreign(StaffAssignment.org_unit_id))",
        lazy="joined",
        viewonly=True,
    )
    position: Mapped[JobPosition] = db.relationship(
        JobPosition,
        primaryjoin="and_(JobPosition.tenant_id == StaffAssignment.tenant_id, "
        "JobPosition.id == foreign(StaffAssignment.position_id))",
        lazy="joined",
        viewonly=True,
    )

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["org_unit_id"], "org_units"),
        tenant_fk(["position_id"], "job_positions"),
        sa.UniqueConstraint("tenant_id", "staff_id", "effective_from"),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name="dates_ordered"
        ),
    )


class SalaryChange(TenantScoped, db.Model):
    """A person's monthly salary (VND, rank, step and allowances) in force from ``effective_from``
    until the next change: the income of a month uses the one in force at its end."""

    __tablename__ = "salary_changes"

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    monthly_salary: Mapped[Decimal] = mapped_column(sa.Numeric(14, 0), nullable=False)
    decision_ref: Mapped[str | None] = mapped_column(sa.String(100))
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["created_by"], "users"),
        sa.UniqueConstraint("tenant_id", "staff_id", "effective_from"),
        sa.CheckConstraint("monthly_salary >= 0", name="salary_not_negative"),
    )


class ConcurrentPost(TenantScoped, db.Model):
    """A post held concurrently (kiêm nhiệm) from ``effective_from`` until ``effective_to``
    (exclusive), with the monthly salary of that post when the income scheme counts it."""

    __tablename__ = "concurrent_posts"

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    position_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    effective_to: Mapped[date | None] = mapped_column(sa.Date)
    monthly_salary: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 0))
    decision_ref: Mapped[str | None] = mapped_column(sa.String(100))
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    position: Mapped[JobPosition] = db.relationship(
        JobPosition,
        primaryjoin="and_(JobPosition.tenant_id == ConcurrentPost.tenant_id, "
        "JobPosition.id == foreign(ConcurrentPost.position_id))",
        lazy="joined",
        viewonly=True,
    )

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["position_id"], "job_positions"),
        tenant_fk(["org_unit_id"], "org_units"),
        tenant_fk(["created_by"], "users"),
        sa.CheckConstraint("monthly_salary >= 0", name="salary_not_negative"),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name="dates_ordered"
        ),
    )


class Absence(TenantScoped, db.Model):
    """A leave of a person from ``starts_on`` to ``ends_on`` (both inclusive), with its document.

    The days it takes leave the periods' days worked (``scoring.service_time``), which the annual
    classification reads; periods of one person never overlap (checked when recorded).
    """

    __tablename__ = "absences"

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    # The decision or document granting the leave (số quyết định / văn bản).
    reference: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["recorded_by"], "users"),
        sa.CheckConstraint(_known("kind", ABSENCE_KINDS), name="kind_known"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.Index("ix_absences_tenant_id_staff_id_starts_on", "tenant_id", "staff_id", "starts_on"),
    )

    @property
    def kind_label(self) -> str:
        return str(ABSENCE_KIND_LABELS.get(self.kind, self.kind))


class DeputyField(TenantScoped, db.Model):
    """A field (lĩnh vực phụ trách) assigned to a deputy: a division of the chart, with its dates.

    From ``starts_on`` to ``ends_on`` (both inclusive; open when None) the deputy ``staff_id`` is
    in charge of ``org_unit_id`` and the units below it: their unit result counts the people of
    those units, and the approval chain's deputy stage of those people is theirs.
    """

    __tablename__ = "deputy_fields"

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    org_unit_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    # The decision assigning the field (quyết định phân công nhiệm vụ).
    reference: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        tenant_fk(["org_unit_id"], "org_units"),
        tenant_fk(["recorded_by"], "users"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        sa.Index("ix_deputy_fields_tenant_id_staff_id", "tenant_id", "staff_id"),
        sa.Index("ix_deputy_fields_tenant_id_org_unit_id", "tenant_id", "org_unit_id"),
    )
