"""The explanation lines of exemptions and delays (see ``exemptions``): what was waived, approved
by whom and on what ground, and the delays the dates proposed beside those the reviewer confirmed.

Read by ``scores.explanation_of``; imports nothing of the workflow (no cycle).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, EvidenceFile, Report
from tenant_app.models.users import User

PROPOSED, APPROVED, REFUSED = "proposed", "approved", "refused"


def explanation_steps(period_id: uuid.UUID, staff_id: uuid.UUID) -> list[dict]:
    """Explanation lines for a person's period: exemptions (approved, or proposed and not
    counted) with approver, reason and proof; delays proposed from the dates vs confirmed."""
    rows = db.session.execute(
        sa.select(Report, Assignment, CatalogueItem.name)
        .join(Assignment, tenant_join(Report.assignment_id, Assignment.id))
        .join(CatalogueItem, tenant_join(Assignment.item_id, CatalogueItem.id))
        .where(
            Assignment.period_id == period_id,
            Assignment.staff_id == staff_id,
            Report.counts,
        )
        .order_by(Assignment.created_at)
    ).all()
    steps = []
    for report, assignment, name in rows:
        if report.proposed_delays is not None and (report.proposed_delays or report.delays):
            formula = _(
                "“%(item)s”: hạn %(due)s, hoàn thành %(done)s → đề xuất %(p)d lần chậm; "
                "người thẩm định xác nhận %(c)d",
                item=name,
                due=f"{assignment.due_on:%d/%m/%Y}",
                done="—" if report.completed_on is None else f"{report.completed_on:%d/%m/%Y}",
                p=report.proposed_delays,
                c=report.delays,
            )
            if report.delay_correction_reason:
                formula += " · " + _("lý do điều chỉnh: %(r)s", r=report.delay_correction_reason)
            steps.append(_step(f"delays:{report.id}", _("Chậm tiến độ"), formula, report.delays))
        if report.exemption_status in (APPROVED, PROPOSED):
            steps.append(_exemption_step(report, name))
    return steps


def _exemption_step(report: Report, name: str) -> dict:
    proof = db.session.get(EvidenceFile, (report.tenant_id, report.exemption_evidence_id))
    counts = _(
        "%(e)d lỗi, %(d)d lần chậm",
        e=report.proposed_exempt_errors,
        d=report.proposed_exempt_delays,
    )
    if report.exemption_status == APPROVED:
        approver = db.session.get(User, (report.tenant_id, report.exemption_decided_by))
        formula = _(
            "“%(item)s”: miễn trừ do nguyên nhân khách quan (%(counts)s), duyệt bởi "
            "%(who)s, căn cứ: %(reason)s; minh chứng: %(file)s",
            item=name,
            counts=counts,
            who=_who(approver),
            reason=report.exemption_reason,
            file=proof.filename if proof is not None else "—",
        )
    else:
        formula = _(
            "“%(item)s”: đề nghị miễn trừ (%(counts)s) chưa được duyệt: chưa tính",
            item=name,
            counts=counts,
        )
    return _step(
        f"exemption:{report.id}",
        _("Miễn trừ"),
        formula,
        report.exempt_errors + report.exempt_delays,
    )


def _who(user) -> str:
    if user is None:
        return "—"
    return getattr(user, "full_name", None) or user.username


def _step(code: str, label: str, formula: str, result) -> dict:
    return {
        "code": code,
        "label": str(label),
        "inputs": {},
        "formula": formula,
        "result": str(result),
    }
