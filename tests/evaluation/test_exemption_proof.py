"""Issue 17 item 7: exemptions with their proof and approver; delays proposed from the dates.

Hand-computed: one product T1 (coefficient 1), 4 assigned, 4 completed; one major error or one
delay deducts 0.25 of a product (DOMAIN.md), so b (or c) = (4 − 0.25) / 4 × 100 = 93.75; waived
(an approved exemption) it is 100.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.audit import AuditEvent
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    assignments,
    evidence,
    exemption_display,
    exemptions,
    reports,
    scores,
)
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY
from tests.security.samples import pdf_bytes

REASON = "Mất điện toàn phường ngày 18/11, có xác nhận của Điện lực"
WAIVED, DEDUCTED = Decimal(100), Decimal("93.75")


def _get(model, tenant, ident):
    return db.session.get(model, (tenant.id, ident))


def _report(tenant, ward, *, due=date(2026, 11, 25), done_on=date(2026, 11, 19), proof=True):
    """A submitted report of 4 T1 done of 4; with a PDF attached as proof when ``proof``."""
    period = _get(Period, tenant, ward["period"])
    head = _get(User, tenant, ward["head_user"])
    clerk = _get(StaffMember, tenant, ward["clerk"])
    item = _get(CatalogueItem, tenant, ward["items"]["T1"])
    assignment = assignments.assign(period, clerk, item, quantity=4, due_on=due, actor=head)
    clerk_user = _get(User, tenant, ward["clerk_user"])
    report = reports.save_report(
        assignment, actor=clerk_user, completed=4, completed_on=done_on, today=TODAY
    )
    file = None
    if proof:
        file = evidence.add_evidence(
            report, filename="Xác nhận mất điện.pdf", stream=io.BytesIO(pdf_bytes()),
            actor=clerk_user,
        )  # fmt: skip
    report = reports.save_report(
        assignment, actor=clerk_user, completed=4, completed_on=done_on, submit=True, today=TODAY
    )
    return period, clerk, head, report, file


def propose(report, head, file):
    """The head reviews the report, proposing to waive its one major error with ``file``."""
    reports.review_report(
        report, actor=head, accept=True, major_errors=1, exempt_errors=1,
        exemption_reason=REASON, exemption_evidence_id=file.id, today=TODAY,
    )  # fmt: skip


def _approver_is_unit_admin(period):
    period.params = {**(period.params or {}), "exemption_approver": "unit_admin"}
    db.session.flush()


def test_manager_proposed_exemption_counts_only_once_the_named_role_approves(
    tenant_a, ward_a, admin_a, admin_b
):
    with tenant_context(tenant_a):
        period, clerk, head, report, file = _report(tenant_a, ward_a)
        _approver_is_unit_admin(period)
        propose(report, head, file)
        assert report.exemption_status == "proposed"
        assert _score(period, clerk).b == DEDUCTED  # not counted yet
        steps = exemption_display.explanation_steps(period.id, clerk.id)
        assert any("chưa được duyệt" in s["formula"] for s in steps)

        # The wrong people: the reviewing manager (not the named role), the person, another
        # unit's administrator.
        clerk_user = _get(User, tenant_a, ward_a["clerk_user"])
        for wrong in (head, clerk_user, admin_b):
            with pytest.raises(ServiceError) as refused:
                exemptions.decide(report, actor=wrong, approve=True)
            assert refused.value.status == 403
        assert _score(period, clerk).b == DEDUCTED

        exemptions.decide(report, actor=_get(User, tenant_a, admin_a.id), approve=True)
        db.session.commit()
        assert _score(period, clerk).b == WAIVED
        assert report.exemption_decided_by == admin_a.id
        audited = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "report.exemption_approved")
        ).scalars().all()  # fmt: skip
        assert len(audited) == 1
        (line,) = [
            s["formula"]
            for s in exemption_display.explanation_steps(period.id, clerk.id)
            if s["code"].startswith("exemption:")
        ]
        assert "miễn trừ do nguyên nhân khách quan (1 lỗi, 0 lần chậm)" in line
        assert "duyệt bởi Quản Trị A" in line
        assert f"căn cứ: {REASON}" in line
        assert "Xác nhận mất điện.pdf" in line


def test_refused_exemption_keeps_the_deduction(tenant_a, ward_a, admin_a):
    with tenant_context(tenant_a):
        period, clerk, head, report, file = _report(tenant_a, ward_a)
        _approver_is_unit_admin(period)
        propose(report, head, file)
        admin = _get(User, tenant_a, admin_a.id)
        with pytest.raises(ServiceError) as no_reason:
            exemptions.decide(report, actor=admin, approve=False)
        assert no_reason.value.field == "comment"
        exemptions.decide(report, actor=admin, approve=False, comment="Không có xác nhận")
        assert report.exemption_status == "refused"
        assert _score(period, clerk).b == DEDUCTED


def test_head_reviewing_approves_at_review_by_default(tenant_a, ward_a):
    """Default approver: the unit's head; the head reviewing approves in the same act."""
    with tenant_context(tenant_a):
        period, clerk, head, report, file = _report(tenant_a, ward_a)
        propose(report, head, file)
        assert (report.exemption_status, report.exemption_decided_by) == ("approved", head.id)
        assert _score(period, clerk).b == WAIVED


def test_exemption_needs_a_real_reason_and_a_proof_of_this_report(tenant_a, ward_a):
    with tenant_context(tenant_a):
        period, clerk, head, report, file = _report(tenant_a, ward_a)
        _other_period, _c, _h, other, other_file = _report(tenant_a, ward_a)
        with pytest.raises(ServiceError) as short_reason:
            reports.review_report(
                report, actor=head, accept=True, major_errors=1, exempt_errors=1,
                exemption_reason="Mất điện", exemption_evidence_id=file.id, today=TODAY,
            )  # fmt: skip
        assert short_reason.value.field == "exemption_reason"
        for proof in (None, other_file.id, "không-phải-mã"):
            with pytest.raises(ServiceError) as no_proof:
                reports.review_report(
                    report, actor=head, accept=True, major_errors=1, exempt_errors=1,
                    exemption_reason=REASON, exemption_evidence_id=proof, today=TODAY,
                )  # fmt: skip
            assert no_proof.value.code == "evidence_required"
        assert (report.status, report.exempt_errors, report.exemption_status) == (
            "submitted",
            0,
            None,
        )


def test_delays_are_proposed_from_the_dates_and_confirmed(tenant_a, ward_a):
    """Due 10/11, completed 19/11: one delay proposed; confirmed → c = 93.75."""
    with tenant_context(tenant_a):
        period, clerk, head, report, _file = _report(
            tenant_a, ward_a, due=date(2026, 11, 10), proof=False
        )
        assert reports.proposed_delays(_assignment(report), report) == 1
        with pytest.raises(ServiceError) as unexplained:
            reports.review_report(report, actor=head, accept=True, delays=0, today=TODAY)
        assert unexplained.value.field == "delay_reason"
        reports.review_report(report, actor=head, accept=True, delays=1, today=TODAY)
        assert (report.proposed_delays, report.delays) == (1, 1)
        assert _score(period, clerk).c == DEDUCTED
        (line,) = [s["formula"] for s in exemption_display.explanation_steps(period.id, clerk.id)]
        assert "hạn 10/11/2026, hoàn thành 19/11/2026 → đề xuất 1 lần chậm" in line
        assert "xác nhận 1" in line


def test_a_delay_the_dates_do_not_show_needs_a_reason(tenant_a, ward_a):
    """Due 25/11, completed 19/11: none proposed; the reviewer's 1 needs a reason, shown."""
    with tenant_context(tenant_a):
        period, clerk, head, report, _file = _report(tenant_a, ward_a, proof=False)
        with pytest.raises(ServiceError) as unexplained:
            reports.review_report(report, actor=head, accept=True, delays=1, today=TODAY)
        assert unexplained.value.code == "delay_reason_required"
        reports.review_report(
            report, actor=head, accept=True, delays=1,
            delay_reason="Nộp bản giấy chậm so với lịch của Văn phòng", today=TODAY,
        )  # fmt: skip
        assert (report.proposed_delays, report.delays) == (0, 1)
        assert _score(period, clerk).c == DEDUCTED
        (line,) = [s["formula"] for s in exemption_display.explanation_steps(period.id, clerk.id)]
        assert "đề xuất 0 lần chậm; người thẩm định xác nhận 1" in line
        assert "lý do điều chỉnh: Nộp bản giấy chậm" in line


def _assignment(report):
    return db.session.get(Assignment, (report.tenant_id, report.assignment_id))


def _score(period, person):
    return scores.score_people(period, [person.id], force=True)[person.id]
