"""Objective-cause exemptions with their proof, and delays proposed from the dates.

The reviewer proposes an exemption when reviewing a report (``reports.review_report``): a reason,
one of the report's evidence files, the errors and delays it waives. It counts only once the role
the period's parameters name (``Params.exemption_approver``: the unit's head by default, or the
unit administrator) approves it, here or, when the reviewer holds that role, at the review; the
person themselves never can.
``exemption_display`` explains them.
"""

from __future__ import annotations

from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import scores
from tenant_app.services.evaluation.exemption_display import APPROVED, PROPOSED, REFUSED
from tenant_app.services.evaluation.period_params import params_of
from tenant_app.services.evaluation.unit_head import is_unit_head
from tenant_app.services.workspace.staff import staff_for_user


def may_decide(actor, report: Report, period: Period) -> bool:
    """Whether ``actor`` holds the role the period names to approve this report's exemption."""
    if actor is None or getattr(actor, "is_province", False):
        return False
    if getattr(actor, "tenant_id", None) != report.tenant_id:
        return False
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    if person.user_id == actor.id:
        return False
    if params_of(period).exemption_approver == "unit_admin":
        return actor.has_role("unit_admin")
    return is_unit_head(staff_for_user(actor))


def approve_at_review(report: Report, period: Period, actor) -> None:
    """A reviewer holding the approver role approves their own proposal as they review it."""
    if report.exemption_status == PROPOSED and may_decide(actor, report, period):
        report.exempt_errors = report.proposed_exempt_errors
        report.exempt_delays = report.proposed_exempt_delays
        report.exemption_status = APPROVED
        report.exemption_decided_by = actor.id
        report.exemption_decided_at = utcnow()


def decide(report: Report, *, actor, approve: bool, comment: str | None = None) -> Report:
    """Approve (the exemption counts from now) or refuse a proposed exemption; audited."""
    if report.exemption_status != PROPOSED:
        raise ServiceError(
            "no_exemption", _("Báo cáo này không có đề nghị miễn trừ chờ duyệt."), status=409
        )
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    period = db.session.get(Period, (report.tenant_id, assignment.period_id))
    if not may_decide(actor, report, period):
        raise ServiceError("forbidden", _("Bạn không có quyền duyệt miễn trừ này."), status=403)
    if not approve and len((comment or "").strip()) < 5:
        raise ServiceError(
            "comment_required", _("Không duyệt miễn trừ cần ghi rõ lý do."), field="comment"
        )
    before = _snapshot(report)
    if approve:
        report.exempt_errors = report.proposed_exempt_errors
        report.exempt_delays = report.proposed_exempt_delays
    else:
        report.exempt_errors = report.exempt_delays = 0
    report.exemption_status = APPROVED if approve else REFUSED
    report.exemption_decided_by = actor.id
    report.exemption_decided_at = utcnow()
    db.session.flush()
    audit.record(
        "report.exemption_approved" if approve else "report.exemption_refused",
        object_type="report",
        object_id=report.id,
        before=before,
        after={**_snapshot(report), "comment": (comment or "").strip() or None},
        actor=actor,
    )
    scores.mark_stale(period, assignment.staff_id)
    return report


def _snapshot(report: Report) -> dict:
    return {
        "exemption_status": report.exemption_status,
        "exempt_errors": report.exempt_errors,
        "exempt_delays": report.exempt_delays,
        "proposed_exempt_errors": report.proposed_exempt_errors,
        "proposed_exempt_delays": report.proposed_exempt_delays,
        "exemption_reason": report.exemption_reason,
        "exemption_evidence_id": report.exemption_evidence_id,
    }
