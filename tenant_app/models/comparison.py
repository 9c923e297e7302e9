"""Precomputed figures for the province comparison: per unit and scope, and per shared item.

A *scope* is a month (``2026-11``), a quarter (``2026-Q4``) or a year (``2026``). Each unit keeps
two versions of its figures per scope: ``published`` (only published or locked periods, what an
auditor sees by default) and ``all`` (every period, for those granted more). The rows hold sums
and counts, not averages, so the comparison derives every figure in one read and quarters and
years add months up exactly. They are rebuilt by a job after every change (``services.aggregates``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.extensions import db
from tenant_app.models.base import TenantScoped, utcnow

SCOPE_KINDS = ("month", "quarter", "year")
VISIBILITIES = ("published", "all")
GRADES = ("HTXS", "HTT", "HTNV", "KHTNV")


def _num(precision: int = 18) -> Mapped[Decimal]:
    return mapped_column(sa.Numeric(precision, 6), nullable=False, default=0)


def _count() -> Mapped[int]:
    return mapped_column(sa.Integer, nullable=False, default=0)


class _ScopeColumns:
    @classmethod
    def blank(cls, **values):
        """A new row with every counter and sum at zero (column defaults apply only at flush)."""
        zeros = {
            c.key: 0
            for c in cls.__table__.columns
            if c.default is not None and c.default.is_scalar and c.default.arg == 0
        }
        return cls(**{**zeros, **values})

    scope: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    scope_kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    visibility: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)


class PeriodAggregate(_ScopeColumns, TenantScoped, db.Model):
    """One unit's figures for one scope: grades, spread, quota use, reports and warning signs."""

    __tablename__ = "period_aggregates"
    __revision_neutral__ = frozenset({"*"})  # read by the province's comparison only

    periods: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)  # codes counted
    people: Mapped[int] = _count()
    htxs: Mapped[int] = _count()
    htt: Mapped[int] = _count()
    htnv: Mapped[int] = _count()
    khtnv: Mapped[int] = _count()
    forced_fails: Mapped[int] = _count()
    total_sum: Mapped[Decimal] = _num()
    total_sq_sum: Mapped[Decimal] = _num(24)
    total_min: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 6))
    total_max: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 6))
    distinct_totals: Mapped[int] = _count()
    # Quota: HTXS allowed in the unit as a whole, and per group [{group, htxs, htt, allowed}],
    # over the quota population only (the kinds of person ``Params.quota_staff_types`` names,
    # civil servants by default): ``quota_htxs`` / ``quota_htt`` are its HTXS and HTT, while
    # ``htxs`` / ``htt`` above count everyone (the distribution).
    quota_allowed: Mapped[int] = _count()
    quota_htxs: Mapped[int] = _count()
    quota_htt: Mapped[int] = _count()
    quota_groups: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    # Reports (one per assignment): counted, late (a delay not exempted), returned at least once.
    reports: Mapped[int] = _count()
    reports_late: Mapped[int] = _count()
    reports_returned: Mapped[int] = _count()
    submissions: Mapped[int] = _count()
    deadline_submissions: Mapped[int] = _count()  # in the last minutes before the report deadline
    # Self score against the manager's (person-periods having both).
    self_compared: Mapped[int] = _count()
    self_gap_sum: Mapped[Decimal] = _num()
    self_gap_abs_sum: Mapped[Decimal] = _num()
    self_equal: Mapped[int] = _count()
    # Exemptions (errors and delays forgiven for an objective cause) and who granted the most.
    exemptions: Mapped[int] = _count()
    exemptions_top_reviewer: Mapped[str | None] = mapped_column(sa.String(120))
    exemptions_top_count: Mapped[int] = _count()
    exemptions_top_reviewed: Mapped[int] = _count()
    changed_after_publication: Mapped[int] = _count()

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "scope", "visibility"),
        sa.Index("ix_period_aggregates_scope_visibility", "scope", "visibility", "tenant_id"),
        sa.CheckConstraint("scope_kind IN ('month', 'quarter', 'year')", name="scope_kind_known"),
        sa.CheckConstraint("visibility IN ('published', 'all')", name="visibility_known"),
    )


class ItemAggregate(_ScopeColumns, TenantScoped, db.Model):
    """One shared work item (by ``canonical_code``) in one unit and scope: work and its credits.

    ``*_credit`` are converted units credited by the scoring engine for quantity (a), quality
    (b) and timeliness (c); divided by ``assigned_units`` they give the item's a, b, c.
    """

    __tablename__ = "item_aggregates"
    __revision_neutral__ = frozenset({"*"})  # read by the province's comparison only

    canonical_code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    item_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    unit_of_measure: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    assignments: Mapped[int] = _count()
    people: Mapped[int] = _count()
    assigned_qty: Mapped[Decimal] = _num()
    completed_qty: Mapped[Decimal] = _num()
    assigned_units: Mapped[Decimal] = _num()
    a_credit: Mapped[Decimal] = _num()
    b_credit: Mapped[Decimal] = _num()
    c_credit: Mapped[Decimal] = _num()
    errors: Mapped[int] = _count()
    delays: Mapped[int] = _count()
    exempted: Mapped[int] = _count()
    # An indicator of the unit (``kind = 'indicator'``): the sums over the scope's periods that
    # have data of its value and score (0–100, 6 places), their count, and the latest target.
    kind: Mapped[str] = mapped_column(
        sa.String(16), nullable=False, default="work_item", server_default="work_item"
    )
    indicator_periods: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    indicator_value_sum: Mapped[Decimal | None] = mapped_column(sa.Numeric(24, 6))
    indicator_score_sum: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 6))
    indicator_target: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 6))

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "scope", "visibility", "canonical_code"),
        sa.Index(
            "ix_item_aggregates_scope_code", "scope", "visibility", "canonical_code", "tenant_id"
        ),
        sa.CheckConstraint("scope_kind IN ('month', 'quarter', 'year')", name="scope_kind_known"),
        sa.CheckConstraint("visibility IN ('published', 'all')", name="visibility_known"),
    )
