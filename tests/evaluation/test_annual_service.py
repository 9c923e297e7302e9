"""Annual classification: average of periods worked, forced fail, the quota, the head's call."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, Notification, User
from tenant_app.models.evaluation import AnnualClassification, DisciplineRecord
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import annual
from tenant_app.tenancy import tenant_context
from tenant_app.tenancy.door import head_review_write
from tests.evaluation.scores_helpers import open_month, stored_score


def _head(tenant, ward):
    return db.session.get(User, (tenant.id, ward["head_user"]))


def _rows(year=2026):
    return {r.staff_id: r for r in annual.rows_of(year)}


def test_annual_average_of_periods_worked(tenant_a, ward_a):
    """The clerk worked two months (89.99 and 90): average 89.995 → HTT; a month not worked
    does not count as zero."""
    with tenant_context(tenant_a):
        stored_score(open_month(10), ward_a["clerk"], "89.99", "HTT")
        stored_score(open_month(11), ward_a["clerk"], "90", "HTXS")
        open_month(9)  # opened, but the clerk has no score in it
        annual.compute_year(2026, actor=_head(tenant_a, ward_a))
        row = _rows()[ward_a["clerk"]]
        assert row.average == Decimal("89.995") and row.periods_counted == 2
        assert row.proposed_grade == row.final_grade == "HTT"


def test_annual_discipline_in_the_year_forces_a_fail(tenant_a, ward_a):
    """A reprimand dated in the year gives KHTNV whatever the average."""
    with tenant_context(tenant_a):
        stored_score(open_month(11), ward_a["clerk"], "95", "HTXS")
        db.session.add(
            DisciplineRecord(
                staff_id=ward_a["clerk"], decision_number="12/QĐ-UBND",
                decision_date=date(2026, 3, 2), authority="UBND phường", severity="khien_trach",
            )
        )  # fmt: skip
        annual.compute_year(2026, actor=_head(tenant_a, ward_a))
        row = _rows()[ward_a["clerk"]]
        assert (row.proposed_grade, row.forced_fail) == ("KHTNV", "discipline")


def test_annual_quota_violation_blocks_approval_and_keeps_the_grade(tenant_a, ward_a):
    """One HTXS against one HTT exceeds floor(20% × 1) = 0: approval is refused and the
    HTXS grade stays as proposed until the head decides."""
    with tenant_context(tenant_a):
        period = open_month(11)
        stored_score(period, ward_a["clerk"], "96", "HTXS")
        stored_score(period, ward_a["head"], "80", "HTT")
        head = _head(tenant_a, ward_a)
        annual.compute_year(2026, actor=head)
        violations = annual.quota(2026).violations
        assert [(v.scope, v.must_lower) for v in violations] == [("agency", 1), ("quota_group", 1)]
        with pytest.raises(ServiceError) as error:
            annual.approve(2026, actor=head)
        assert error.value.code == "quota_undecided"
        assert _rows()[ward_a["clerk"]].final_grade == "HTXS"


def test_annual_decision_with_reason_resolves_the_quota(tenant_a, ward_a, head_reviewer):
    """The head lowers the clerk to HTT with a reason: audited, the quota holds, approval
    (the head's own row by the competent higher level) and publication go through and the
    clerk is notified."""
    with tenant_context(tenant_a):
        period = open_month(11)
        stored_score(period, ward_a["clerk"], "96", "HTXS")
        stored_score(period, ward_a["head"], "80", "HTT")
        head = _head(tenant_a, ward_a)
        annual.compute_year(2026, actor=head)
        row = _rows()[ward_a["clerk"]]
        annual.decide(row, final_grade="HTT", reason="Vượt tỷ lệ HTXS của cơ quan", actor=head)
        assert not annual.quota(2026).violations
        annual.approve(2026, actor=head)
        db.session.commit()
        head_review_write(
            tenant_a, "Công văn 5/UBND-NV", action="annual_approve", year=2026, actor=head_reviewer
        )
        annual.publish(2026, actor=head)
        db.session.commit()
        row = _rows()[ward_a["clerk"]]
        assert (row.proposed_grade, row.final_grade, row.status) == ("HTXS", "HTT", "published")
        actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
        assert {"annual.decided", "annual.approved", "annual.published"} <= actions
        kinds = db.session.execute(
            sa.select(Notification.kind).where(Notification.user_id == ward_a["clerk_user"])
        ).scalars()
        assert "annual_published" in set(kinds)


@pytest.mark.parametrize(
    ("grade", "reason", "code"),
    [
        ("HTT", "ngắn", "reason_required"),
        ("HTXS", "Lý do đủ dài để ghi lại", "grade_above_proposal"),
    ],
)
def test_annual_decision_refused_without_reason_or_above_proposal(
    tenant_a, ward_a, grade, reason, code
):
    """A decision needs a reason of ten characters and cannot raise a grade."""
    with tenant_context(tenant_a):
        stored_score(open_month(11), ward_a["clerk"], "80", "HTT")
        head = _head(tenant_a, ward_a)
        annual.compute_year(2026, actor=head)
        with pytest.raises(ServiceError) as error:
            annual.decide(_rows()[ward_a["clerk"]], final_grade=grade, reason=reason, actor=head)
        assert error.value.code == code
        assert _rows()[ward_a["clerk"]].final_grade == "HTT"


def test_annual_only_the_head_computes(tenant_a, ward_a):
    """The clerk (no manager role) cannot compute the year; nothing is stored."""
    with tenant_context(tenant_a):
        stored_score(open_month(11), ward_a["clerk"], "80", "HTT")
        clerk = db.session.get(User, (tenant_a.id, ward_a["clerk_user"]))
        with pytest.raises(ServiceError) as error:
            annual.compute_year(2026, actor=clerk)
        assert error.value.status == 403
        count = db.session.execute(
            sa.select(sa.func.count()).select_from(AnnualClassification)
        ).scalar()
        assert count == 0
