"""KPI catalogue: work items and indicators, their dated value versions and applicable positions.

Template guard-rails (enforced by ``tenant_app.services.workspace.catalogue``): an item with
``mandatory`` set came from the province template and cannot be deleted, deactivated or have its
kind, canonical code, direction, scoring method or aggregation changed; its coefficient (work
item) or target (indicator) may move only inside ``[allowed_min, allowed_max]`` when the template
stored that range, and not at all otherwise.
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
from tenant_app.models.org import _known

ITEM_KINDS = ("work_item", "indicator")
ORIGINS = ("template", "local")
DIRECTIONS = ("higher", "lower", "band", "yes_no")
SCORING_METHODS = ("ratio_capped", "bands", "pass_fail")
AGGREGATIONS = ("sum", "average", "last", "count")

LABELS = {
    "work_item": _l("Sản phẩm/công việc"),
    "indicator": _l("Chỉ tiêu"),
    "template": _l("Mẫu của tỉnh"),
    "local": _l("Của đơn vị"),
    "higher": _l("Càng cao càng tốt"),
    "lower": _l("Càng thấp càng tốt"),
    "band": _l("Trong khoảng"),
    "yes_no": _l("Đạt/không đạt"),
    "ratio_capped": _l("Tỷ lệ so với chỉ tiêu (có trần)"),
    "bands": _l("Theo khung điểm"),
    "pass_fail": _l("Đạt/không đạt"),
    "sum": _l("Tổng"),
    "average": _l("Trung bình"),
    "last": _l("Giá trị cuối kỳ"),
    "count": _l("Số lần"),
}


def label(value: str | None) -> str:
    return "" if value is None else str(LABELS.get(value, value))


class CatalogueItem(TenantScoped, db.Model):
    """A work item (sản phẩm/công việc) or an indicator (chỉ tiêu) of the tenant's catalogue."""

    __tablename__ = "catalogue_items"

    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    unit_of_measure: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    evidence_requirement: Mapped[str | None] = mapped_column(sa.String(500))
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    canonical_code: Mapped[str | None] = mapped_column(sa.String(32))
    origin: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="local")
    mandatory: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    direction: Mapped[str | None] = mapped_column(sa.String(16))
    scoring_method: Mapped[str | None] = mapped_column(sa.String(16))
    aggregation: Mapped[str | None] = mapped_column(sa.String(16))
    # Range the template allows for the coefficient (work item) or target (indicator).
    allowed_min: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4))
    allowed_max: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["org_unit_id"], "org_units"),
        sa.UniqueConstraint("tenant_id", "code"),
        sa.UniqueConstraint("tenant_id", "canonical_code"),
        sa.CheckConstraint(_known("kind", ITEM_KINDS), name="kind_known"),
        sa.CheckConstraint(_known("origin", ORIGINS), name="origin_known"),
        sa.CheckConstraint(
            "(kind = 'work_item' AND direction IS NULL AND scoring_method IS NULL "
            "AND aggregation IS NULL) OR (kind = 'indicator' AND "
            f"{_known('direction', DIRECTIONS)} AND {_known('scoring_method', SCORING_METHODS)}"
            f" AND {_known('aggregation', AGGREGATIONS)})",
            name="indicator_fields",
        ),
    )

    @property
    def kind_label(self) -> str:
        return label(self.kind)


class CatalogueVersion(TenantScoped, db.Model):
    """The values of an item from ``effective_from`` on; immutable once written."""

    __tablename__ = "catalogue_versions"

    item_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    coefficient: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 3))
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4))
    band_low: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4))
    band_high: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 4))
    cap_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    weight: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    # For the "bands" method: [{"from": value, "score": 0..100}, …], ascending by "from".
    bands: Mapped[list | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        tenant_fk(["item_id"], "catalogue_items"),
        sa.UniqueConstraint("tenant_id", "item_id", "effective_from"),
        sa.CheckConstraint("coefficient > 0", name="coefficient_positive"),
    )


class ItemPosition(TenantScoped, db.Model):
    """A catalogue item applies to a job position."""

    __tablename__ = "item_positions"

    item_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    position_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(200))

    __table_args__ = (
        tenant_fk(["item_id"], "catalogue_items"),
        tenant_fk(["position_id"], "job_positions"),
        sa.UniqueConstraint("tenant_id", "item_id", "position_id"),
    )
