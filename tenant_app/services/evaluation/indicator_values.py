"""Entering indicator values by hand or by import, with the re-scores they cause."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.feeds import IndicatorValue
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import IndicatorOrigin, PeriodStatus
from tenant_app.services.comparison import aggregates
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import assignments, scores

VALUE_LIMIT = Decimal(10) ** 12


def indicator_changed(period: Period, staff_ids) -> None:
    """Re-score whoever an indicator value of ``period`` reaches: the people whose own position
    indicator it is (``staff_ids``), and for a unit indicator (``staff_ids`` empty) the leaders,
    whose capacity to organise may be read from the unit's indicators."""
    aggregates.mark_changed(period)  # the province comparison shows the unit's indicators
    people = {s for s in staff_ids if s is not None}
    for staff_id in people:
        scores.mark_stale(period, staff_id)
    if not people:
        for staff_id in scores.leaders_in(period, assignments.staff_ids_of(period)):
            scores.mark_stale(period, staff_id)


def enter_value(
    period: Period,
    item: CatalogueItem,
    value,
    *,
    actor,
    person: StaffMember | None = None,
    note: str | None = None,
    origin: str = IndicatorOrigin.ENTRY,
) -> IndicatorValue:
    """Record one value of ``item`` in ``period`` (a unit indicator, or ``person``'s), audited."""
    if item.kind != "indicator" or not item.active:
        raise ServiceError(
            "invalid_item", _("Chỉ nhập được giá trị cho chỉ số đang áp dụng."), field="item_id"
        )
    if period.status != PeriodStatus.OPEN:
        raise ServiceError(
            "period_closed", _("Kỳ đánh giá đã đóng: không nhập thêm giá trị."), status=409
        )
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        number = None
    if (
        number is None
        or not number.is_finite()
        or abs(number) > VALUE_LIMIT
        or (isinstance(number.as_tuple().exponent, int) and number.as_tuple().exponent < -6)
    ):
        raise ServiceError(
            "invalid_number",
            _("Giá trị phải là số (tối đa 6 chữ số thập phân)."),
            field="value",
        )
    row = IndicatorValue(
        period_id=period.id,
        item_id=item.id,
        staff_id=None if person is None else person.id,
        value=number,
        observed_at=utcnow(),
        origin=origin,
        note=(note or "").strip()[:500] or None,
        entered_by=getattr(actor, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "indicator.value_entered",
        object_type="indicator_value",
        object_id=row.id,
        after={
            "period": period.code,
            "item": item.code,
            "staff_id": None if person is None else str(person.id),
            "value": str(number),
        },
        actor=actor,
    )
    indicator_changed(period, [] if person is None else [person.id])
    return row
