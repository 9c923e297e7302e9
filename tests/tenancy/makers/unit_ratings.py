"""Row maker of the unit ratings table (a public service unit's own classification)."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.models.unit_rating import UnitRating
from tenant_app.tenancy import tenant_context
from tests.tenancy.makers.evaluation import _period


def _unit_rating(factory, tenant, tag):
    period = _period(factory, tenant, f"ur{tag}")
    with tenant_context(tenant):
        row = UnitRating(
            year=period.year, period_code=period.code, period_id=period.id, grade="HTT",
            source="authority", decided_by="tinh.admin", decision_ref=f"QĐ-{tag}",
            reason="Quyết định của cấp có thẩm quyền",
        )  # fmt: skip
        db.session.add(row)
        db.session.commit()
    return row


MAKERS = {"unit_ratings": (_unit_rating, "decision_ref")}
