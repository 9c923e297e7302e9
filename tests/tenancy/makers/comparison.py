"""Row makers for the comparison tables (period_aggregates, item_aggregates)."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.tenancy import tenant_context


def _period_aggregate(factory, tenant, tag):
    from tenant_app.models import PeriodAggregate

    with tenant_context(tenant):
        row = PeriodAggregate(
            scope=f"2026-{tag}"[:16], scope_kind="month", visibility="all", people=3, htt=3
        )
        db.session.add(row)
        db.session.commit()
    return row


def _item_aggregate(factory, tenant, tag):
    from tenant_app.models import ItemAggregate

    with tenant_context(tenant):
        row = ItemAggregate(
            scope="2026-11",
            scope_kind="month",
            visibility="all",
            canonical_code=f"HS-{tag}"[:32],
            item_name=f"Hồ sơ {tag}",
            assignments=1,
        )
        db.session.add(row)
        db.session.commit()
    return row


MAKERS = {
    "period_aggregates": (_period_aggregate, "exemptions_top_reviewer"),
    "item_aggregates": (_item_aggregate, "item_name"),
}
