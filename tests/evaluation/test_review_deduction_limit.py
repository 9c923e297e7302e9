"""Review limits on deductions follow the period's parameters, as the scoring engine does."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import assignments, reports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY


def _get(model, tenant, key):
    return db.session.get(model, (tenant.id, key))


def _one_product_report(tenant, ward, **params):
    """Period 2026-11 with ``params`` over its own; one T1 assigned, completed and submitted."""
    period = _get(Period, tenant, ward["period"])
    period.params = {**period.params, **params}
    assignment = assignments.assign(
        period,
        _get(StaffMember, tenant, ward["clerk"]),
        _get(CatalogueItem, tenant, ward["items"]["T1"]),
        quantity=1,
        due_on=date(2026, 11, 25),
        actor=_get(User, tenant, ward["head_user"]),
    )
    return reports.save_report(
        assignment,
        actor=_get(User, tenant, ward["clerk_user"]),
        completed=1,
        completed_on=date(2026, 11, 19),
        submit=True,
        today=TODAY,
    )


def test_review_deductions_above_period_limit_are_refused(tenant_a, ward_a):
    """With max_deductions_per_product = 2, three errors on one completed product are refused
    next to major_errors, in Vietnamese, naming the limit of 2; the report is unchanged."""
    with tenant_context(tenant_a):
        report = _one_product_report(tenant_a, ward_a, max_deductions_per_product=2)
        with pytest.raises(ServiceError) as error:
            reports.review_report(
                report,
                actor=_get(User, tenant_a, ward_a["head_user"]),
                accept=True,
                major_errors=3,
                today=TODAY,
            )
        assert error.value.field == "major_errors"
        assert "tối đa 2 lần (2 × 25%)" in error.value.message
        assert report.status == "submitted" and report.major_errors == 0


def test_review_deductions_within_a_higher_period_limit_are_accepted(tenant_a, ward_a):
    """With max_deductions_per_product = 6, five errors on one completed product are accepted."""
    with tenant_context(tenant_a):
        report = _one_product_report(tenant_a, ward_a, max_deductions_per_product=6)
        reports.review_report(
            report,
            actor=_get(User, tenant_a, ward_a["head_user"]),
            accept=True,
            major_errors=5,
            today=TODAY,
        )
        assert report.status == "accepted" and report.major_errors == 5


def test_review_deduction_limit_message_shows_the_period_rate(tenant_a, ward_a):
    """The refusal for delays names the period's delay deduction (20 %), not a fixed 25 %."""
    with tenant_context(tenant_a):
        report = _one_product_report(
            tenant_a, ward_a, max_deductions_per_product=3, delay_deduction="0.2"
        )
        with pytest.raises(ServiceError) as error:
            reports.review_report(
                report,
                actor=_get(User, tenant_a, ward_a["head_user"]),
                accept=True,
                delays=4,
                delay_reason="Đối chiếu sổ theo dõi văn bản",
                today=TODAY,
            )
        assert error.value.field == "delays"
        assert "tối đa 3 lần (3 × 20%)" in error.value.message
