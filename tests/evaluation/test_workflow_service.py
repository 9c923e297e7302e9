"""The month end to end through the services: assign, report, review, assess, score, approve."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, Notification, User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import DisciplineRecord, Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    assessments,
    assignments,
    evidence,
    periods,
    reports,
    scores,
)
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY
from tests.security.samples import pdf_bytes


def _get(model, tenant, key):
    return db.session.get(model, (tenant.id, key))


def _run_month(tenant, ward, *, t3_done=False):
    """Assign the DOMAIN.md worked example, report it, review it, assess it; return the score."""
    head = _get(User, tenant, ward["head_user"])
    clerk_user = _get(User, tenant, ward["clerk_user"])
    clerk = _get(StaffMember, tenant, ward["clerk"])
    period = _get(Period, tenant, ward["period"])
    plan = {"T1": 10, "T2": 2, "T3": 1}
    done = {"T1": 10, "T2": 2, "T3": 1 if t3_done else 0}
    for code, qty in plan.items():
        item = _get(CatalogueItem, tenant, ward["items"][code])
        assignment = assignments.assign(
            period, clerk, item, quantity=qty, due_on=date(2026, 11, 25), actor=head
        )
        report = reports.save_report(
            assignment,
            actor=clerk_user,
            completed=done[code],
            completed_on=date(2026, 11, 20),
            submit=True,
            today=TODAY,
        )
        errors, delays = (1, 2) if code == "T1" else (0, 0)
        reports.review_report(
            report,
            actor=head,
            accept=True,
            major_errors=errors,
            delays=delays,
            delay_reason="Đối chiếu sổ theo dõi văn bản",
            today=TODAY,
        )
    assessments.save_assessment(
        period, clerk, stage="self", general=[9, 9, 9], actor=clerk_user, today=TODAY
    )
    assessments.save_assessment(
        period, clerk, stage="manager", general=[9, 9, 9], actor=head, today=TODAY
    )
    return scores.score_people(period)[clerk.id]


def test_workflow_golden_month_scores_exactly(tenant_a, ward_a):
    """The DOMAIN.md worked example through the real workflow: 78.625 → HTT."""
    with tenant_context(tenant_a):
        score = _run_month(tenant_a, ward_a)
        assert (score.a, score.b, score.c) == (Decimal(75), Decimal("73.75"), Decimal("72.5"))
        assert score.total == Decimal("78.625") and score.grade == "HTT"
        assert score.stage == "manager" and score.self_total == Decimal("78.625")
        assert scores.explanation_of(score, score_period_of(score))[0]["label"]


def test_workflow_golden_month_with_t3_done(tenant_a, ward_a):
    """With T3 done on time the worked example scores 96.125 → HTXS."""
    with tenant_context(tenant_a):
        score = _run_month(tenant_a, ward_a, t3_done=True)
        assert score.total == Decimal("96.125") and score.grade == "HTXS"


def test_workflow_approve_and_publish(tenant_a, ward_a):
    """The head approves the clerk and publishes; the clerk is notified; all audited."""
    with tenant_context(tenant_a):
        _run_month(tenant_a, ward_a)
        period = _get(Period, tenant_a, ward_a["period"])
        head = _get(User, tenant_a, ward_a["head_user"])
        assessments.approve(period, [ward_a["clerk"]], actor=head, today=TODAY)
        assessments.publish(period, actor=head)
        db.session.commit()
        assert period.published_at is not None
        kinds = set(
            db.session.execute(
                sa.select(Notification.kind).where(Notification.user_id == ward_a["clerk_user"])
            ).scalars()
        )
        assert {"work_assigned", "score_published"} <= kinds
        actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
        assert {
            "assignment.created",
            "report.submitted",
            "report.reviewed",
            "assessment.self",
            "assessment.manager",
            "score.approved",
            "period.published",
        } <= actions


def test_workflow_publish_refused_before_approval(tenant_a, ward_a):
    """Results cannot be published while a score is unapproved."""
    with tenant_context(tenant_a):
        _run_month(tenant_a, ward_a)
        period = _get(Period, tenant_a, ward_a["period"])
        with pytest.raises(ServiceError, match="chưa được phê duyệt"):
            assessments.publish(period, actor=_get(User, tenant_a, ward_a["head_user"]))


def test_workflow_approval_refused_with_unreviewed_report(tenant_a, ward_a):
    """No approval while a submitted report waits for review."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        head = _get(User, tenant_a, ward_a["head_user"])
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        item = _get(CatalogueItem, tenant_a, ward_a["items"]["T1"])
        assignment = assignments.assign(
            period, clerk, item, quantity=3, due_on=date(2026, 11, 25), actor=head
        )
        reports.save_report(
            assignment,
            actor=_get(User, tenant_a, ward_a["clerk_user"]),
            completed=3,
            completed_on=date(2026, 11, 19),
            submit=True,
            today=TODAY,
        )
        with pytest.raises(ServiceError, match="chưa được thẩm định"):
            assessments.approve(period, [clerk.id], actor=head, today=TODAY)


def test_workflow_report_after_window_is_refused(tenant_a, ward_a):
    """A report after the reporting deadline is refused with the deadline in Vietnamese."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        item = _get(CatalogueItem, tenant_a, ward_a["items"]["T1"])
        assignment = assignments.assign(
            period,
            clerk,
            item,
            quantity=3,
            due_on=date(2026, 11, 25),
            actor=_get(User, tenant_a, ward_a["head_user"]),
        )
        with pytest.raises(ServiceError, match="Đã hết hạn báo cáo kết quả") as error:
            reports.save_report(
                assignment,
                actor=_get(User, tenant_a, ward_a["clerk_user"]),
                completed=3,
                completed_on=date(2026, 11, 19),
                submit=True,
                today=date(2026, 12, 31),
            )
        assert "03/12/2026" in error.value.message


def test_workflow_over_completion_refused_by_default(tenant_a, ward_a):
    """Completed above assigned is refused when the period's rules do not allow it."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        item = _get(CatalogueItem, tenant_a, ward_a["items"]["T1"])
        assignment = assignments.assign(
            period,
            clerk,
            item,
            quantity=3,
            due_on=date(2026, 11, 25),
            actor=_get(User, tenant_a, ward_a["head_user"]),
        )
        with pytest.raises(ServiceError) as error:
            reports.save_report(
                assignment,
                actor=_get(User, tenant_a, ward_a["clerk_user"]),
                completed=4,
                completed_on=date(2026, 11, 19),
                today=TODAY,
            )
        assert error.value.field == "completed"


def test_workflow_exemption_removes_the_deduction(tenant_a, ward_a):
    """An exempted error (objective cause, with a reason) does not lower b."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        head = _get(User, tenant_a, ward_a["head_user"])
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        item = _get(CatalogueItem, tenant_a, ward_a["items"]["T1"])
        assignment = assignments.assign(
            period, clerk, item, quantity=4, due_on=date(2026, 11, 25), actor=head
        )
        report = reports.save_report(
            assignment,
            actor=_get(User, tenant_a, ward_a["clerk_user"]),
            completed=4,
            completed_on=date(2026, 11, 19),
            submit=True,
            today=TODAY,
        )
        with pytest.raises(ServiceError) as missing_reason:
            reports.review_report(
                report, actor=head, accept=True, major_errors=1, exempt_errors=1, today=TODAY
            )
        assert missing_reason.value.field == "exemption_reason"
        proof = evidence.add_evidence(
            report,
            filename="Xác nhận.pdf",
            stream=io.BytesIO(pdf_bytes()),
            actor=_get(User, tenant_a, ward_a["clerk_user"]),
        )
        reports.review_report(
            report,
            actor=head,
            accept=True,
            major_errors=1,
            exempt_errors=1,
            exemption_reason="Lỗi do hệ thống một cửa quốc gia",
            exemption_evidence_id=proof.id,
            today=TODAY,
        )
        assert scores.score_people(period)[clerk.id].b == Decimal(100)


def test_workflow_staff_cannot_assign_or_review(tenant_a, ward_a):
    """A staff member neither assigns work nor reviews (403)."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        clerk_user = _get(User, tenant_a, ward_a["clerk_user"])
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        item = _get(CatalogueItem, tenant_a, ward_a["items"]["T1"])
        with pytest.raises(ServiceError) as error:
            assignments.assign(
                period, clerk, item, quantity=1, due_on=date(2026, 11, 25), actor=clerk_user
            )
        assert error.value.status == 403


def test_workflow_item_not_applicable_is_refused(tenant_a, ward_a, admin_a):
    """An item that does not apply to the person's position cannot be assigned to them."""
    # (and nobody assigns work to themself: the unit administrator assigns the head here)
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        head_staff = _get(StaffMember, tenant_a, ward_a["head"])
        admin = _get(User, tenant_a, admin_a.id)
        item = _get(CatalogueItem, tenant_a, ward_a["items"]["T1"])
        with pytest.raises(ServiceError) as error:
            assignments.assign(
                period, head_staff, item, quantity=1, due_on=date(2026, 11, 25), actor=admin
            )
        assert error.value.code == "item_not_applicable"


def test_workflow_locked_period_refuses_changes_and_reopen_needs_reason(tenant_a, ward_a):
    """A closed period refuses work; reopening without a reason is refused, with one it opens."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        periods.close_period(period)
        periods.lock_period(period)
        with pytest.raises(ServiceError, match="không thể thay đổi"):
            assignments.assign(
                period,
                _get(StaffMember, tenant_a, ward_a["clerk"]),
                _get(CatalogueItem, tenant_a, ward_a["items"]["T1"]),
                quantity=1,
                due_on=date(2026, 11, 25),
                actor=_get(User, tenant_a, ward_a["head_user"]),
            )
        with pytest.raises(ServiceError) as error:
            periods.reopen_period(period, reason="sai")
        assert error.value.field == "reason"
        periods.reopen_period(period, reason="Bổ sung minh chứng theo kết luận thanh tra")
        assert period.status == "open"


def test_workflow_duplicate_period_is_refused(tenant_a, ward_a):
    """The same month cannot be opened twice."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as error:
        periods.open_period(year=2026, number=11, kind="month")
    assert error.value.code == "duplicate_period"


def test_workflow_period_freezes_rules(tenant_a, ward_a):
    """A period keeps the parameters it opened with when the tenant's settings change later."""
    with tenant_context(tenant_a):
        tenant_a.settings = {"scoring_params": {"allow_over_completion": True}}
        later = periods.open_period(year=2026, number=12, kind="month")
        earlier = _get(Period, tenant_a, ward_a["period"])
        assert periods.params_of(later).allow_over_completion is True
        assert periods.params_of(earlier).allow_over_completion is False


def test_workflow_leader_unit_results_follow_the_team(tenant_a, ward_a, admin_a):
    """The head's unit results are 100% while the clerk passes, 50% once the clerk fails."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        head_staff = _get(StaffMember, tenant_a, ward_a["head"])
        _run_month(tenant_a, ward_a)
        directing = _get(CatalogueItem, tenant_a, ward_a["items"]["T2"])
        admin = _get(User, tenant_a, admin_a.id)
        assignments.assign(
            period,
            head_staff,
            directing,
            quantity=1,
            due_on=date(2026, 11, 25),
            actor=admin,
            directing=True,
        )
        assert _unit_results(scores.score_people(period)[head_staff.id]) == Decimal(100)
        db.session.add(
            DisciplineRecord(
                staff_id=ward_a["clerk"],
                decision_number="12/QĐ-UBND",
                decision_date=date(2026, 10, 2),
                authority="UBND phường",
                severity="khien_trach",
            )
        )
        db.session.flush()
        result = scores.score_people(period)
        assert result[ward_a["clerk"]].grade == "KHTNV"
        assert result[ward_a["clerk"]].forced_fail == "discipline"
        assert _unit_results(result[head_staff.id]) == Decimal(50)


def score_period_of(score):
    return db.session.get(Period, (score.tenant_id, score.period_id))


def _unit_results(score) -> Decimal:
    steps = scores.explanation_of(score, score_period_of(score))
    step = next(s for s in steps if s["code"] == "leader_criteria")
    return Decimal(str(step["inputs"]["unit_results"]))


def test_workflow_nobody_assigns_work_to_themself(tenant_a, ward_a):
    """A manager cannot assign work to their own staff record."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward_a["period"])
        head = _get(User, tenant_a, ward_a["head_user"])
        head.roles = ["unit_admin", "manager", "staff"]
        with pytest.raises(ServiceError) as error:
            assignments.assign(
                period,
                _get(StaffMember, tenant_a, ward_a["head"]),
                _get(CatalogueItem, tenant_a, ward_a["items"]["T2"]),
                quantity=1,
                due_on=date(2026, 11, 25),
                actor=head,
                directing=True,
            )
        assert error.value.code == "self_assignment"
