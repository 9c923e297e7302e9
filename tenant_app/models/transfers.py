"""Transfers between units: who came and went (one row on each side), and the results received.

A transfer is written once, by the province, through ``tenancy.door.transfer_write``: in the old
unit a ``StaffTransfer`` of direction ``out`` (the person's record stays, ended the day before),
in the new unit one of direction ``in`` naming the new record, and there a ``ReceivedResult`` per
published period result handed over. The other unit is named by text (name and slug), never by
a key into another tenant.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow

TRANSFER_DIRECTIONS = ("in", "out")
DIRECTION_LABELS = {"in": _l("Chuyển đến"), "out": _l("Chuyển đi")}


class StaffTransfer(TenantScoped, db.Model):
    """One side of a transfer: ``out`` in the old unit, ``in`` in the new one.

    ``transfer_id`` is the same on both sides (and in the audit events); ``staff_id`` is the
    person's record in this unit; the other unit is ``other_unit_name`` / ``other_unit_slug``.
    """

    __tablename__ = "staff_transfers"

    transfer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    direction: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    staff_code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    effective_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    other_unit_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    other_unit_slug: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # The transfer decision (số quyết định điều động, luân chuyển) and why.
    reference: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(1000), nullable=False)
    results_moved: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # The province account that made the transfer (province_users.id, not a tenant table).
    made_by_province: Mapped[int | None] = mapped_column(
        sa.Integer, sa.ForeignKey("province_users.id")
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "transfer_id", "direction"),
        sa.CheckConstraint("direction IN ('in', 'out')", name="direction_known"),
        sa.Index("ix_staff_transfers_tenant_id_staff_id", "tenant_id", "staff_id"),
    )

    @property
    def direction_label(self) -> str:
        return str(DIRECTION_LABELS.get(self.direction, self.direction))


class ReceivedResult(TenantScoped, db.Model):
    """A published period result of a person, handed over by their old unit on transfer.

    A copy, as the old unit stored it: the period (code, label, kind, dates), the exact total
    (``total_exact``, the rational text the annual average is computed from; ``total`` floored to
    6 places), the grade, a forced fail, and the person's service in the period (days in post,
    absent, the leaves) as the old unit knew it. The annual classification of the new unit counts
    it beside the unit's own scores, with its source shown.
    """

    __tablename__ = "received_results"

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    transfer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    period_code: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    period_label: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    period_kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    total: Mapped[Decimal] = mapped_column(sa.Numeric(12, 6), nullable=False)
    total_exact: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    grade: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    forced_fail: Mapped[str | None] = mapped_column(sa.String(32))
    # {"days_in_period", "days_in_post", "days_absent", "absences": [{kind, starts_on, ends_on,
    # reference}]}: the service in the period as the old unit computed it; None = whole period.
    service: Mapped[dict | None] = mapped_column(sa.JSON)
    source_unit_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    source_unit_slug: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    source_period_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    source_staff_code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["staff_id"], "staff"),
        sa.UniqueConstraint("tenant_id", "staff_id", "source_unit_slug", "period_code"),
        sa.CheckConstraint("grade IN ('HTXS', 'HTT', 'HTNV', 'KHTNV')", name="grade_known"),
        sa.CheckConstraint("period_kind IN ('month', 'quarter')", name="kind_known"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.Index("ix_received_results_tenant_id_staff_id_year", "tenant_id", "staff_id", "year"),
    )


PROPOSAL_SIDES = ("out", "in")
PROPOSAL_STATUSES = ("proposed", "accepted", "refused")
PROPOSAL_STATUS_LABELS = {
    "proposed": _l("Chờ đơn vị nhận xem xét"),
    "accepted": _l("Đã nhận"),
    "refused": _l("Bị từ chối"),
}


class TransferProposal(TenantScoped, db.Model):
    """One side of a transfer proposed by the sending unit's administrator (issue 17 item 5).

    ``out`` in the sending unit X (``staff_id`` is the person there), ``in`` in the receiving
    unit Y (``staff_id`` empty until accepted, then the new record). Y's row holds only what Y
    needs to decide: the person's name, code and kind, the date, the decision and the period
    codes whose published results would move; nothing else of X. ``proposal_id`` is the same on
    both sides; the other unit is named by text, never by a key into another tenant. Written
    only through ``tenancy.door.transfer_proposal_write``.
    """

    __tablename__ = "transfer_proposals"

    proposal_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    side: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    staff_code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    staff_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    effective_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    other_unit_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    other_unit_slug: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    reference: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(1000), nullable=False)
    results: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)  # period codes
    status: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="proposed")
    refusal_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    proposed_by: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    decided_by: Mapped[str | None] = mapped_column(sa.String(120))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    transfer_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "proposal_id"),
        sa.CheckConstraint("side IN ('in', 'out')", name="side_known"),
        sa.CheckConstraint("status IN ('proposed', 'accepted', 'refused')", name="status_known"),
    )

    @property
    def status_label(self) -> str:
        return str(PROPOSAL_STATUS_LABELS.get(self.status, self.status))
