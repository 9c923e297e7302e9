"""A public service unit's own classification (xếp loại đơn vị) for a period or a year."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, tenant_fk, utcnow

UNIT_RATING_SOURCES = ("indicators", "authority")
UNIT_RATING_GRADES = ("HTXS", "HTT", "HTNV", "KHTNV")


class UnitRating(TenantScoped, db.Model):
    """The unit's classification of one period (``period_code`` "2026-11", ``period_id`` set) or
    of one year (``period_code`` "2026", ``period_id`` None).

    ``source`` "indicators": proposed from the unit's KPI indicators (``score`` is their exact
    mean); "authority": entered by the competent authority (the province administrator) with
    the decision's reference and date. The unit itself only reads it. Where the rule set says
    so, the head's grade of that period or year is not above it (``services.evaluation
    .unit_ratings``).
    """

    __tablename__ = "unit_ratings"

    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    period_code: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    period_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    grade: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    # The exact indicator score (or a score the authority gives), 6 decimals; optional.
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 6))
    source: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    # Who decided: the province account's name (province accounts are not unit users).
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decision_ref: Mapped[str | None] = mapped_column(sa.String(100))
    decision_date: Mapped[date | None] = mapped_column(sa.Date)
    reason: Mapped[str | None] = mapped_column(sa.String(1000))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        tenant_fk(["period_id"], "periods"),
        sa.UniqueConstraint("tenant_id", "period_code"),
        sa.CheckConstraint("grade in ('HTXS', 'HTT', 'HTNV', 'KHTNV')", name="grade_known"),
        sa.CheckConstraint("source in ('indicators', 'authority')", name="source_known"),
    )
