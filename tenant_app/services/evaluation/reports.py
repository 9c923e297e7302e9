"""Báo cáo kết quả: a person's report on assigned work, its evidence, the manager's review.

Every change validates the period's windows, is audited, notifies whom it concerns and marks the
person's score stale (``scores.mark_stale``: re-scored once the change is committed).
"""

from __future__ import annotations

import uuid
from datetime import date

from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, EvidenceFile, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import ReportStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import evidence, exemptions, periods, scores
from tenant_app.services.evaluation.assignments import can_manage, decimal_value, report_for
from tenant_app.services.evaluation.score_display import short
from tenant_app.services.workspace import notifications
from tenant_app.services.workspace.lookup import get_scoped


def _count(value, field: str, label: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ServiceError(
            "invalid_number", _("%(f)s phải là số nguyên.", f=label), field=field
        ) from None
    if number < 0:
        raise ServiceError("invalid_number", _("%(f)s không được âm.", f=label), field=field)
    return number


def fed_work_message() -> str:
    return _(
        "Kết quả này lấy từ hệ thống (dữ liệu tự động): không sửa tay được. "
        "Nếu số liệu sai, hãy báo quản trị đơn vị kiểm tra nguồn dữ liệu."
    )


def get_report(report_id) -> Report:
    return get_scoped(Report, report_id, _("Không tìm thấy báo cáo."))


def _report_snapshot(report: Report) -> dict:
    return {
        name: getattr(report, name)
        for name in (
            "completed",
            "completed_on",
            "status",
            "note",
            "links",
            "major_errors",
            "delays",
            "exempt_errors",
            "exempt_delays",
            "exemption_reason",
            "proposed_exempt_errors",
            "proposed_exempt_delays",
            "exemption_status",
            "exemption_evidence_id",
            "proposed_delays",
            "delay_correction_reason",
            "review_comment",
        )
    }


def save_report(
    assignment: Assignment,
    *,
    actor,
    completed,
    completed_on: date | None = None,
    note: str | None = None,
    links=None,
    submit: bool = False,
    today: date | None = None,
) -> Report:
    """The person's report on one assignment (draft, or submitted for review).

    Raises ServiceError outside the reporting window, for someone else's work, for a report
    already accepted, or for a completed quantity above the assigned one (unless the period's
    rules allow over-completion).
    """
    if assignment.feed_source_id is not None:
        raise ServiceError("fed_work", fed_work_message(), status=409)
    period = db.session.get(Period, (assignment.tenant_id, assignment.period_id))
    periods.ensure_window(period, "report", today)
    person = db.session.get(StaffMember, (assignment.tenant_id, assignment.staff_id))
    if person.user_id is None or person.user_id != getattr(actor, "id", None):
        raise ServiceError(
            "forbidden", _("Chỉ người được giao mới báo cáo được kết quả."), status=403
        )
    qty = decimal_value(completed, "completed", _("Số lượng hoàn thành"))
    if qty > assignment.quantity and not periods.params_of(period).allow_over_completion:
        raise ServiceError(
            "over_completion",
            _(
                "Số lượng hoàn thành (%(done)s) vượt số lượng được giao (%(assigned)s).",
                done=f"{qty.normalize():f}",
                assigned=f"{assignment.quantity.normalize():f}",
            ),
            field="completed",
        )
    if completed_on is not None and completed_on > (today or date.today()):
        raise ServiceError(
            "invalid_date", _("Ngày hoàn thành không được ở tương lai."), field="completed_on"
        )
    clean_links = [str(link).strip() for link in (links or []) if str(link).strip()]
    if any(not link.startswith(("https://", "http://")) or len(link) > 500 for link in clean_links):
        raise ServiceError(
            "invalid_link", _("Liên kết minh chứng phải bắt đầu bằng https://."), field="links"
        )
    report = report_for(assignment)
    if report is not None and report.status == ReportStatus.ACCEPTED:
        raise ServiceError(
            "already_accepted", _("Báo cáo đã được chấp nhận: không thể sửa."), status=409
        )
    before = _report_snapshot(report) if report is not None else None
    if report is None:
        report = Report(assignment_id=assignment.id)
        db.session.add(report)
    report.completed = qty
    report.completed_on = completed_on
    report.note = note or None
    report.links = clean_links
    if submit:
        if qty > 0 and completed_on is None:
            raise ServiceError("date_required", _("Cần ghi ngày hoàn thành."), field="completed_on")
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = utcnow()
    elif report.status != ReportStatus.SUBMITTED:
        report.status = ReportStatus.DRAFT
    db.session.flush()
    audit.record(
        "report.submitted" if submit else "report.saved",
        object_type="report",
        object_id=report.id,
        before=before,
        after=_report_snapshot(report),
        actor=actor,
    )
    if submit and person.manager_id:
        manager = db.session.get(StaffMember, (person.tenant_id, person.manager_id))
        notifications.notify_staff(
            manager,
            "review_waiting",
            _("%(name)s đã gửi báo cáo kết quả, chờ thẩm định.", name=person.full_name),
            link="review",
            dedupe=f"review:{assignment.period_id}:{person.id}",
        )
    scores.mark_stale(period, person.id)
    return report


def report_result(assignment: Assignment, data: dict, uploads=(), *, actor) -> Report:
    """Save the person's report on ``assignment`` (``save_report``'s fields in ``data``) with
    the evidence files ``uploads`` (objects with ``filename`` and ``stream``; empty ones are
    skipped), in the caller's transaction. Returns the report; raises ServiceError as
    ``save_report`` and ``evidence.add_evidence`` do.
    """
    report = save_report(assignment, actor=actor, **data)
    for upload in uploads:
        if upload is not None and upload.filename:
            evidence.add_evidence(
                report, filename=upload.filename, stream=upload.stream, actor=actor
            )
    return report


def submit_report(report: Report, *, actor) -> Report:
    """Submit ``report`` as it stands for review (``save_report`` with its own content)."""
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    return save_report(
        assignment,
        actor=actor,
        completed=report.completed,
        completed_on=report.completed_on,
        note=report.note,
        links=list(report.links or []),
        submit=True,
    )


def review_report(
    report: Report,
    *,
    actor,
    accept: bool,
    major_errors=0,
    delays=0,
    exempt_errors=0,
    exempt_delays=0,
    exemption_reason: str | None = None,
    exemption_evidence_id=None,
    delay_reason: str | None = None,
    comment: str | None = None,
    today: date | None = None,
) -> Report:
    """The manager accepts or returns a submitted report, counting major errors and delays.

    Delays are proposed from the dates (``proposed_delays``: completed after the due date); a
    count other than the proposal needs ``delay_reason``. An exemption (objective cause) is only
    proposed here: it needs a reason of at least ``MIN_EXEMPTION_REASON`` characters and one of
    the report's evidence files as its proof, cannot exceed the errors or delays it exempts, and
    counts only once the role the period names approves it (``exemptions.decide``). More
    deductions per completed product than the period's parameters allow
    (``max_deductions_per_product``) are refused.
    """
    if not report.counts:
        raise ServiceError("not_submitted", _("Chỉ thẩm định được báo cáo đã gửi."), status=409)
    assignment = db.session.get(Assignment, (report.tenant_id, report.assignment_id))
    period = db.session.get(Period, (report.tenant_id, assignment.period_id))
    periods.ensure_window(period, "review", today)
    person = db.session.get(StaffMember, (report.tenant_id, assignment.staff_id))
    if not can_manage(actor, person) or person.user_id == actor.id:
        raise ServiceError("forbidden", _("Bạn không có quyền thẩm định báo cáo này."), status=403)
    if assignment.feed_source_id is not None:
        # Fed work: errors and delays are what the source's dossiers say; the manager reviews,
        # exempts for objective causes and comments, but does not recount.
        major_errors, delays = report.major_errors, report.delays
    errors = _count(major_errors, "major_errors", _("Số lỗi nội dung lớn"))
    late = _count(delays, "delays", _("Số lần chậm"))
    ex_errors = _count(exempt_errors, "exempt_errors", _("Số lỗi được miễn trừ"))
    ex_delays = _count(exempt_delays, "exempt_delays", _("Số lần chậm được miễn trừ"))
    if ex_errors > errors:
        raise ServiceError(
            "invalid_exemption",
            _("Số lỗi được miễn trừ không vượt quá số lỗi."),
            field="exempt_errors",
        )
    if ex_delays > late:
        raise ServiceError(
            "invalid_exemption",
            _("Số lần chậm được miễn trừ không vượt quá số lần chậm."),
            field="exempt_delays",
        )
    proposed_late = proposed_delays(assignment, report)
    delay_note = (delay_reason or "").strip()
    if late != proposed_late and len(delay_note) < MIN_CORRECTION_REASON:
        raise ServiceError(
            "delay_reason_required",
            _(
                "Theo ngày hoàn thành và hạn, số lần chậm đề xuất là %(p)d; sửa thành %(n)d cần "
                "ghi lý do (ít nhất %(m)d ký tự).",
                p=proposed_late,
                n=late,
                m=MIN_CORRECTION_REASON,
            ),
            field="delay_reason",
        )
    evidence_id = None
    if ex_errors or ex_delays:
        if len((exemption_reason or "").strip()) < MIN_EXEMPTION_REASON:
            raise ServiceError(
                "reason_required",
                _(
                    "Miễn trừ cần ghi rõ nguyên nhân khách quan và căn cứ (ít nhất %(m)d ký tự).",
                    m=MIN_EXEMPTION_REASON,
                ),
                field="exemption_reason",
            )
        evidence_id = _exemption_evidence(report, exemption_evidence_id)
    _check_deduction_limit(period, report, errors, late)
    if not accept and len((comment or "").strip()) < 5:
        raise ServiceError(
            "comment_required", _("Trả lại báo cáo cần ghi rõ lý do."), field="comment"
        )
    before = _report_snapshot(report)
    report.major_errors, report.delays = errors, late
    # A proposed exemption does not count until approved: the engine reads exempt_* only.
    report.exempt_errors, report.exempt_delays = 0, 0
    report.proposed_exempt_errors, report.proposed_exempt_delays = ex_errors, ex_delays
    proposing = bool(ex_errors or ex_delays)
    report.exemption_reason = ((exemption_reason or "").strip() or None) if proposing else None
    report.exemption_evidence_id = evidence_id
    report.exemption_status = "proposed" if proposing else None
    report.exemption_proposed_by = actor.id if proposing else None
    report.exemption_decided_by = report.exemption_decided_at = None
    report.proposed_delays = proposed_late
    report.delay_correction_reason = (delay_note or None) if late != proposed_late else None
    exemptions.approve_at_review(report, period, actor)
    report.review_comment = (comment or "").strip() or None
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    if not accept:
        report.returned_count = (report.returned_count or 0) + 1
    report.reviewed_by = actor.id
    report.reviewed_at = utcnow()
    db.session.flush()
    audit.record(
        "report.reviewed",
        object_type="report",
        object_id=report.id,
        before=before,
        after=_report_snapshot(report),
        actor=actor,
    )
    _notify_reviewed(report, assignment, person, actor)
    scores.mark_stale(period, person.id)
    return report


# A real minimum for the reasons kept with a score: a sentence, not a word.
MIN_EXEMPTION_REASON = 20
MIN_CORRECTION_REASON = 10


def proposed_delays(assignment: Assignment, report: Report) -> int:
    """The delays the dates say: 1 when the work was completed after its due date, else 0.

    Fed work keeps the count its source's dossiers give (the dates are the source's).
    """
    if assignment.feed_source_id is not None:
        return report.delays or 0
    done = report.completed_on
    return 1 if done is not None and done > assignment.due_on else 0


def _exemption_evidence(report: Report, evidence_id):
    """The evidence file named as the exemption's proof: one attached to this very report."""
    found = None
    if evidence_id:
        try:
            wanted = uuid.UUID(str(evidence_id))
        except ValueError:
            wanted = None
        found = wanted and db.session.get(EvidenceFile, (report.tenant_id, wanted))
    if not found or found.report_id != report.id:
        raise ServiceError(
            "evidence_required",
            _("Miễn trừ cần minh chứng: hãy chọn một tệp minh chứng đã đính kèm báo cáo này."),
            field="exemption_evidence_id",
        )
    return found.id


def _notify_reviewed(report: Report, assignment: Assignment, person, actor) -> None:
    """Tell the person their report was returned, or accepted with major errors that count.

    The message names the work item, what happened and the manager's comment; the link opens
    that item on the person's "my work" page of the period. A plain acceptance says nothing.
    """
    errors = (report.major_errors or 0) - (report.exempt_errors or 0)
    if report.status == ReportStatus.ACCEPTED and errors <= 0:
        return
    item = db.session.get(CatalogueItem, (report.tenant_id, assignment.item_id))
    name = item.name if item is not None else ""
    manager = getattr(actor, "full_name", None) or getattr(actor, "username", "")
    if report.status == ReportStatus.RETURNED:
        kind = "report_returned"
        message = _(
            "Báo cáo “%(item)s” bị trả lại để bổ sung. Ý kiến của %(manager)s: %(comment)s",
            item=name,
            manager=manager,
            comment=report.review_comment,
        )
    else:
        kind = "report_major_errors"
        message = _(
            "Báo cáo “%(item)s” được chấp nhận, có %(n)d lỗi nội dung lớn (bị trừ điểm).",
            item=name,
            n=errors,
        )
        if report.review_comment:
            message += " " + _(
                "Ý kiến của %(manager)s: %(comment)s",
                manager=manager,
                comment=report.review_comment,
            )
    notifications.notify_staff(
        person,
        kind,
        message,
        link=notifications.work_link(assignment.period_id, assignment.id),
        dedupe=f"reviewed:{report.id}:{report.returned_count or 0}:{report.status}:{errors}",
    )


def _check_deduction_limit(period: Period, report: Report, errors: int, late: int) -> None:
    """Raise ServiceError when errors or delays exceed the period's limit per completed product.

    The limit and the rates come from the period's parameters, as in the scoring engine: a review
    the engine would refuse must be refused here, or the person is left without a score.
    """
    params = periods.params_of(period)
    limit = params.max_deductions_per_product * report.completed
    if errors <= limit and late <= limit:
        return
    field, rate = (
        ("major_errors", params.error_deduction)
        if errors > limit
        else ("delays", params.delay_deduction)
    )
    raise ServiceError(
        "too_many_deductions",
        _(
            "Mỗi sản phẩm hoàn thành chỉ bị trừ tối đa %(n)d lần (%(n)d × %(rate)s%%).",
            n=params.max_deductions_per_product,
            rate=short(rate * 100),
        ),
        field=field,
    )
