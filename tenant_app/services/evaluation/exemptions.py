"""Objective-cause exemptions with their proof, and delays proposed from the dates.

The reviewer proposes an exemption when reviewing a report (``reports.review_report``): a reason,
one of the report's evidence files, the errors and delays it waives. It counts only once the role
the period's parameters name (``Params.exemption_approver``: the unit's head by default, or the
unit administrator) approves it, here or, when the reviewer holds that role, at the review; the
person themselves never can.
``waiting_for`` lists the proposals an approver has to decide (the decision screen); a decision
notifies the reviewer who proposed it and the person scored, and re-scores the person.
``exemption_display`` explains them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join, utcnow
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, EvidenceFile, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.models.users import User
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import scores
from tenant_app.services.evaluation.exemption_display import APPROVED, PROPOSED, REFUSED
from tenant_app.services.evaluation.period_params import params_of
from tenant_app.services.evaluation.unit_head import is_unit_head
from tenant_app.services.workspace import notifications
from tenant_app.services.workspace.lookup import get_scoped
from tenant_app.services.workspace.staff import staff_for_user


@dataclass(frozen=True)
class Case:
    """One proposed exemption as its approver sees it: the report and what it is about."""

    report: Report
    assignment: Assignment
    period: Period
    person: StaffMember
    item: CatalogueItem
    proposer: User | None = None
    proof: EvidenceFile | None = None
    files: tuple[EvidenceFile, ...] = ()


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
    return _holds_role(actor, period)


def _holds_role(actor, period: Period) -> bool:
    if params_of(period).exemption_approver == "unit_admin":
        return actor.has_role("unit_admin")
    return is_unit_head(staff_for_user(actor))


def waiting_for(actor) -> list[Case]:
    """The proposed exemptions of the tenant in context that ``actor`` may decide (never their
    own), oldest review first; empty for anyone holding no approver role."""
    if actor is None or getattr(actor, "is_province", False):
        return []
    rows = db.session.execute(
        sa.select(Report, Assignment, Period, StaffMember, CatalogueItem)
        .join(Assignment, tenant_join(Report.assignment_id, Assignment.id))
        .join(Period, tenant_join(Assignment.period_id, Period.id))
        .join(StaffMember, tenant_join(Assignment.staff_id, StaffMember.id))
        .join(CatalogueItem, tenant_join(Assignment.item_id, CatalogueItem.id))
        .where(Report.exemption_status == PROPOSED)
        .order_by(Report.reviewed_at, Report.id)
    ).all()
    roles: dict[uuid.UUID, bool] = {}
    cases = []
    for report, assignment, period, person, item in rows:
        if period.id not in roles:
            roles[period.id] = _holds_role(actor, period)
        if roles[period.id] and person.user_id != actor.id:
            cases.append(Case(report, assignment, period, person, item))
    return cases


def case_of(report_id, actor) -> Case:
    """The proposed exemption of report ``report_id`` with its proof, the report's files and
    its proposer, for ``actor`` to decide.

    Raises NotFound (no such report in the tenant), ServiceError 403 (``actor`` may not decide
    it) or 409 (nothing waits: decided already, or never proposed).
    """
    report = get_scoped(Report, report_id, _("Không tìm thấy báo cáo."))
    tid = report.tenant_id
    assignment = db.session.get(Assignment, (tid, report.assignment_id))
    period = db.session.get(Period, (tid, assignment.period_id))
    if not may_decide(actor, report, period):
        raise ServiceError("forbidden", _("Bạn không có quyền duyệt miễn trừ này."), status=403)
    if report.exemption_status != PROPOSED:
        raise ServiceError(
            "no_exemption", _("Báo cáo này không có đề nghị miễn trừ chờ duyệt."), status=409
        )
    files = db.session.execute(
        sa.select(EvidenceFile)
        .where(EvidenceFile.report_id == report.id)
        .order_by(EvidenceFile.created_at)
    ).scalars()
    files = tuple(files)
    return Case(
        report=report,
        assignment=assignment,
        period=period,
        person=db.session.get(StaffMember, (tid, assignment.staff_id)),
        item=db.session.get(CatalogueItem, (tid, assignment.item_id)),
        proposer=report.exemption_proposed_by
        and db.session.get(User, (tid, report.exemption_proposed_by)),
        proof=next((f for f in files if f.id == report.exemption_evidence_id), None),
        files=files,
    )


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
    _notify(report, assignment, period, approve=approve, comment=comment)
    return report


def _notify(report: Report, assignment: Assignment, period: Period, *, approve: bool, comment):
    """Tell the reviewer who proposed the exemption and the person scored how it was decided."""
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    item = db.session.get(CatalogueItem, (report.tenant_id, assignment.item_id))
    names = {"item": item.name, "name": person.full_name, "period": period.label}
    if approve:
        message = _(
            "Miễn trừ do nguyên nhân khách quan cho “%(item)s” của %(name)s (%(period)s) đã "
            "được duyệt; điểm được tính lại.",
            **names,
        )
    else:
        message = _(
            "Miễn trừ do nguyên nhân khách quan cho “%(item)s” của %(name)s (%(period)s) không "
            "được duyệt: %(comment)s",
            comment=(comment or "").strip(),
            **names,
        )
    dedupe = f"exemption:{report.id}:{report.exemption_decided_at:%Y%m%d%H%M%S%f}"
    if report.exemption_proposed_by not in (None, person.user_id):
        notifications.notify_user(
            report.exemption_proposed_by,
            "exemption_decided",
            message,
            link=f"review:{period.id}",
            dedupe=dedupe,
        )
    notifications.notify_staff(
        person, "exemption_decided", message, link=f"scores:{period.id}", dedupe=dedupe
    )


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
